"""newsroom.planner: SQLite is given statistics after an import, so its planner does not guess."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import seed_path

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum keeps statistics")


def analysed_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_an_import_that_wrote_stories_leaves_statistics(db):
    """After an import that wrote stories SQLite has statistics of the stories and their links."""
    assert "newsroom_article" not in analysed_tables()
    call_command("import_seeds", str(seed_path(0)), str(seed_path(1)), verbosity=0)
    assert {"newsroom_article", "newsroom_article_topics", "newsroom_article_tags"} <= analysed_tables()
