import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from newsroom.cache import forget_failures, forget_process_memos
from newsroom.models import Article, Tag, Topic

DATA = Path(__file__).resolve().parent / "data"
SEEDS = Path(settings.BASE_DIR) / "seeds"

# Samples the decoder refuses, with the reason code each gets.
DECODE_REJECTIONS = [
    ("empty.txt", "empty"),
    ("blank.txt", "blank"),
    ("image.png", "binary"),
    ("nul_bytes.txt", "binary"),
    ("undecodable.txt", "undecodable"),
]


def pytest_sessionstart(session):
    """Compile the interface catalogues when a .po is newer than its .mo (``make test`` does it too): Django
    serves a language prefix only with a compiled catalogue, and ships none for Lao."""
    catalogues = Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po")
    if any(
        not po.with_suffix(".mo").exists() or po.stat().st_mtime > po.with_suffix(".mo").stat().st_mtime
        for po in catalogues
    ):
        call_command("compilemessages", locale=[], ignore_patterns=[".venv", ".ci"], verbosity=0)


@pytest.fixture
def data_file():
    """The bytes of a hand-made sample in tests/data."""
    return lambda name: (DATA / name).read_bytes()


def seed_path(number: int) -> Path:
    """The path of real seed ``number`` (0-4)."""
    return next(SEEDS.glob(f"{number:03d}_*.txt"))


def staff(username: str, *codenames: str, group: str | None = None) -> User:
    """A staff user in the role ``group``, with extra permissions by codename."""
    user = User.objects.create_user(username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def editor(db) -> User:
    return staff("editor", group="Editor")


@pytest.fixture
def editor_client(editor) -> Client:
    """A client logged in as the Editor."""
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def seeds(db) -> dict[int, Article]:
    """The five real seeds, imported; the articles by seed number."""
    out = StringIO()
    call_command("import_seeds", str(SEEDS), "--json", stdout=out)
    return {
        int(item["file"].rsplit("/", 1)[-1][:3]): Article.objects.get(pk=item["article"])
        for item in json.loads(out.getvalue())
    }


@pytest.fixture
def published_seeds(db) -> dict[int, Article]:
    """The five real seeds, imported and published; the articles by seed number."""
    out = StringIO()
    call_command("import_seeds", str(SEEDS), "--json", "--publish", stdout=out)
    return {
        int(item["file"].rsplit("/", 1)[-1][:3]): Article.objects.get(pk=item["article"])
        for item in json.loads(out.getvalue())
    }


def make_story(
    title: str = "Story",
    language: str = "vi",
    *,
    lead: str = "",
    status: str = "published",
    published_at: datetime | timedelta | None = None,
    topics=(),
    tags=(),
    **fields,
) -> Article:
    """A story with a headline and a lead in ``language``; published now unless ``published_at`` (a moment,
    or an offset from now) says otherwise."""
    if isinstance(published_at, timedelta):
        published_at = timezone.now() + published_at
    elif published_at is None and status == "published":
        published_at = timezone.now()
    lang = language.replace("-", "_")
    fields.setdefault(f"lead_{lang}", lead or f"Lead of {title}")
    article = Article.objects.create(
        original_language=language,
        status=status,
        published_at=published_at,
        primary_topic=topics[0] if topics else None,
        **{f"title_{lang}": title},
        **fields,
    )
    article.topics.set(topics)
    article.tags.set(tags)
    return article


# Stories no public surface may show: (status, publication offset from now).
HIDDEN = {
    "draft": ("draft", timedelta(days=-1)),
    "in_review": ("in_review", timedelta(days=-1)),
    "archived": ("archived", timedelta(days=-1)),
    "scheduled": ("published", timedelta(days=1)),
}


@pytest.fixture
def hidden_stories(db) -> dict[str, Article]:
    """A draft, a story in review, an archived one and one scheduled for tomorrow, each with a canary headline
    in Hindi and English, in every topic, with a tag no other story has; all but the scheduled one dated in
    the past (as if they had been public once)."""
    tags = list(Tag.objects.filter(articles__isnull=True).order_by("slug")[: len(HIDDEN)])
    return {
        name: make_story(
            f"CANARY {name}",
            "hi",
            title_en=f"CANARY {name} en",
            status=status,
            published_at=offset,
            topics=list(Topic.objects.all()),
            tags=[tag],
        )
        for (name, (status, offset)), tag in zip(HIDDEN.items(), tags, strict=True)
    }


@pytest.fixture(scope="session")
def page_generation_file(tmp_path_factory) -> Path:
    """The page cache's generation file of this test run (a server or another run of the same checkout
    keeps its own)."""
    return tmp_path_factory.mktemp("page-cache") / "generation"


@pytest.fixture(autouse=True)
def page_cache(request, settings, page_generation_file):
    """Every test starts with an empty page cache in this process's memory (never a shared Redis, even with
    REDIS_URL set: tests/test_cache.py runs the cache on Redis itself), so no test sees another's pages, nor the
    failures of another's cache (``forget_failures``).
    Tests marked ``uncached`` measure what a page costs to build: the page cache is off for them (a hit
    costs no query, and a generation's first miss one more).
    No process looks for the invalidations others recorded as they could not make them (one query every few
    seconds, which would land in some test's count of a page's queries): tests/test_cache.py turns it on."""
    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom-tests"}}
    settings.CACHES = memory
    settings.NEWSROOM_PAGE_CACHE_GENERATION_FILE = str(page_generation_file)
    settings.NEWSROOM_PENDING_CHECK_SECONDS = 0
    if request.node.get_closest_marker("uncached"):
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    caches["default"].clear()
    forget_process_memos()
    forget_failures()
    yield
    # Back to memory first: a test that put the cache in Redis deletes its own keys, and clearing a Redis cache
    # flushes the whole Redis database, another test run's keys included.
    settings.CACHES = memory
    caches["default"].clear()
    forget_process_memos()
    forget_failures()


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Uploaded files go to a folder of this test's own (empty at first), never to the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


MANAGE = Path(settings.BASE_DIR) / "manage.py"


class ChildDatabase:
    """A migrated database of its own for ``manage.py`` child processes, with its own media folder: an SQLite
    file in ``folder``, or on PostgreSQL a throwaway database named after the test run's (``<name>_<suffix>``).
    ``env`` is the child processes' environment."""

    def __init__(self, folder: Path, suffix: str):
        import os

        import dj_database_url

        folder.mkdir(parents=True, exist_ok=True)
        configured = dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite:///unused")
        self.postgres = configured["ENGINE"].endswith("postgresql")
        if self.postgres:
            names = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
            self.server = {key: configured[name] for key, name in names.items() if configured[name]}
            self.name = f"{configured['NAME']}_{suffix}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.path = folder / "db.sqlite3"
            url = f"sqlite:///{self.path}"
        self.media = folder / "media"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MEDIA_ROOT": str(self.media),
            "NEWSROOM_PAGE_CACHE_GENERATION_FILE": str(folder / "page-cache-generation"),
            "REDIS_URL": "",
            "PYTHONUNBUFFERED": "1",
        }
        self.manage("migrate", "--noinput", "-v0")

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as admin:
            for statement in statements:
                admin.execute(statement)

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, table: str) -> int:
        """How many rows ``table`` has now, read without Django (while a child process writes)."""
        query = f'SELECT COUNT(*) FROM "{table}"'
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.name, **self.server) as reader:
                return reader.execute(query).fetchone()[0]
        import sqlite3

        reader = sqlite3.connect(self.path, timeout=10)
        try:
            return reader.execute(query).fetchone()[0]
        finally:
            reader.close()

    def manage(self, *arguments: str, check: bool = True):
        """``manage.py *arguments`` in a child process; its CompletedProcess (asserted successful if ``check``)."""
        import subprocess
        import sys

        result = subprocess.run(
            [sys.executable, str(MANAGE), *arguments],
            cwd=MANAGE.parent,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert not check or result.returncode == 0, result.stdout + result.stderr
        return result


@pytest.fixture
def child_database(tmp_path):
    """Makes ``ChildDatabase``s by suffix (``child_database("crash")``); drops them after the test."""
    made: list[ChildDatabase] = []

    def make(suffix: str) -> ChildDatabase:
        made.append(ChildDatabase(tmp_path / suffix, suffix))
        return made[-1]

    yield make
    for database in made:
        database.drop()
