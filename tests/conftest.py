import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.utils import timezone

from newsroom.models import Article

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
    status: str = "published",
    published_at=None,
    topics=(),
    tags=(),
    **fields,
) -> Article:
    """A story with a headline (and a lead) in ``language``; published now unless told otherwise."""
    if published_at is None and status == "published":
        published_at = timezone.now()
    lang = language.replace("-", "_")
    fields.setdefault(f"lead_{lang}", f"Lead of {title}")
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
