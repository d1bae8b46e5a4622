"""Search documents and the engine's index over them: an FTS5 table kept in step by triggers on SQLite, a
generated tsvector column with a GIN index on PostgreSQL (see newsroom/search.py)."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    """CREATE VIRTUAL TABLE newsroom_searchindex USING fts5(
        document, content='newsroom_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'")""",
    """CREATE TRIGGER newsroom_searchdocument_ai AFTER INSERT ON newsroom_searchdocument BEGIN
        INSERT INTO newsroom_searchindex(rowid, document) VALUES (new.id, new.document);
    END""",
    """CREATE TRIGGER newsroom_searchdocument_ad AFTER DELETE ON newsroom_searchdocument BEGIN
        INSERT INTO newsroom_searchindex(newsroom_searchindex, rowid, document) VALUES ('delete', old.id, old.document);
    END""",
    """CREATE TRIGGER newsroom_searchdocument_au AFTER UPDATE ON newsroom_searchdocument BEGIN
        INSERT INTO newsroom_searchindex(newsroom_searchindex, rowid, document) VALUES ('delete', old.id, old.document);
        INSERT INTO newsroom_searchindex(rowid, document) VALUES (new.id, new.document);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER newsroom_searchdocument_au",
    "DROP TRIGGER newsroom_searchdocument_ad",
    "DROP TRIGGER newsroom_searchdocument_ai",
    "DROP TABLE newsroom_searchindex",
]
POSTGRESQL = [
    """ALTER TABLE newsroom_searchdocument
        ADD COLUMN vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED""",
    "CREATE INDEX newsroom_searchdocument_vector ON newsroom_searchdocument USING GIN (vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX newsroom_searchdocument_vector",
    "ALTER TABLE newsroom_searchdocument DROP COLUMN vector",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


def index_existing_stories(apps, schema_editor):
    from newsroom.search import rebuild

    if apps.get_model("newsroom", "Article").objects.exists():
        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10)),
                ("document", models.TextField()),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_documents",
                        to="newsroom.article",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("article", "language"), name="searchdocument_unique_language")
                ],
            },
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.RunPython(index_existing_stories, migrations.RunPython.noop),
    ]
