"""The backup drill: ``manage.py backup`` writes one archive of the database and the media files, and
``manage.py restore`` brings all of it back into an empty database and media folder."""

import io
import json
import shutil
import stat
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from newsroom import revisions
from newsroom.backup import archived_models
from newsroom.models import Article, ArticleImage, RawDocument, SearchDocument, Tag, TagAlias
from newsroom.search import search_ids
from tests.conftest import DATA
from tests.test_images import picture

pytestmark = pytest.mark.django_db

QUERIES = ["Bắc Ninh", "OCOP", "निन्ह", "バクニン省", "cooperation", "Xaisomboun"]


def database_state() -> dict:
    """Every row of every archived model, by table, in key order, and every link of their many-to-many relations;
    permissions and content types by name (a migrated database numbers them its own way); the bytes of each
    image file."""
    names = {
        "permission_id": {p.pk: p.natural_key() for p in Permission.objects.select_related("content_type")},
        "content_type_id": {c.pk: c.natural_key() for c in ContentType.objects.all()},
    }

    def comparable(row: dict) -> dict:
        return {
            key: names[key][value] if key in names else bytes(value) if isinstance(value, memoryview) else value
            for key, value in row.items()
        }

    state = {}
    for model in archived_models():
        state[model._meta.db_table] = [comparable(row) for row in model._base_manager.values().order_by("pk")]
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            # A link's own id means nothing (loading numbers links afresh): the pairs are compared.
            links = (comparable(row) for row in through.objects.values().order_by("pk"))
            state[through._meta.db_table] = sorted(
                tuple(sorted(map(str, row.items()))) for row in links if row.pop("id")
            )
    state["image files"] = {image.image.name: image.image.read() for image in ArticleImage.objects.exclude(image="")}
    return state


def searches() -> dict[str, list[int]]:
    return {query: search_ids(Article.objects.published(), query) for query in QUERIES}


@pytest.fixture
def desk(published_seeds, editor, media_root) -> dict:
    """A desk after a day's work on the five seeds: published, translated (by an import and by hand), tagged
    with a new tag and a new alias, related, revised by an editor, with a picture uploaded; a rejected file in
    the ledger, an admin history entry, and one tag of the starter registry deleted."""
    run = StringIO()
    with pytest.raises(CommandError):  # the PNG is rejected
        call_command("import_seeds", str(DATA / "translation_en_of_000.txt"), str(DATA / "image.png"), stdout=run)
    first, second, third = published_seeds[0], published_seeds[1], published_seeds[3]
    first.refresh_from_db()
    assert first.title_en
    second.title_vi = "Kết quả sáu tháng đầu năm 2024 của ngành Công Thương"
    second.lead_vi = "Ngành Công Thương đạt nhiều kết quả tích cực."
    second.body_vi = "Chỉ số sản xuất công nghiệp tăng."
    second.save()
    revisions.record(second, editor, note="translated into Vietnamese")
    tag = Tag.objects.create(slug="ocop-fair", name="OCOP fair", name_vi="Hội chợ OCOP", kind=Tag.Kind.SUBJECT)
    TagAlias.objects.create(tag=tag, name="hội chợ sản phẩm OCOP")
    TagAlias.objects.create(tag=Tag.objects.get(slug="bac-ninh"), name="Kinh Bắc")
    third.tags.add(tag)
    first.related.add(third)
    Tag.objects.get(slug="hung-yen").delete()
    image = ArticleImage(article=third, position=5, caption_en="The fair", credit="Desk")
    image.image.save("fair.png", ContentFile(picture("PNG", (40, 30))))
    LogEntry.objects.log_actions(editor.pk, [third], CHANGE, change_message="tagged", single_object=True)
    editor.set_password("a long passphrase for the drill")
    editor.save()
    return {"first": first, "second": second, "third": third, "image": image}


@pytest.fixture
def wiped_content_types():
    """Content types are cached per process by name: a flush inside the test's transaction renumbers them, and
    the rollback at its end renumbers them back, which the cache must not outlive."""
    yield
    ContentType.objects.clear_cache()


def test_backup_and_restore_bring_back_every_story_and_file(desk, tmp_path, media_root, wiped_content_types):
    """Backing up, wiping the database (flush) and the media folder, and restoring brings back every story and
    translation, tag and alias, related link, revision, ledger row (raw bytes included), user and group, the
    registry as the desk left it, and every image byte for byte; search finds what it found before."""
    before, found_before = database_state(), searches()
    assert all(found_before.values())
    archive = tmp_path / "backup.tar.gz"
    out = StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert f"Wrote {archive}" in out.getvalue()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "data.jsonl", f"media/{desk['image'].image.name}"} <= set(names)
    assert manifest["rows"]["newsroom.article"] == 5 and manifest["rows"]["newsroom.rawdocument"] == 7

    if connection.vendor == "postgresql":  # TRUNCATE refuses tables with this test's foreign-key checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)
    assert not Article.objects.exists() and not Tag.objects.exists() and not Group.objects.exists()

    out = StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Restored the backup of" in out.getvalue()
    after = database_state()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert searches() == found_before
    assert SearchDocument.objects.count() == sum(len(article.languages()) for article in Article.objects.all())

    first = Article.objects.get(pk=desk["first"].pk)
    assert first.title_en == desk["first"].title_en and first.related.get() == desk["third"]
    assert Article.objects.get(pk=desk["second"].pk).title_vi.startswith("Kết quả")
    assert Tag.objects.get(slug="ocop-fair").articles.get() == desk["third"]
    assert TagAlias.objects.filter(name="Kinh Bắc", tag__slug="bac-ninh").exists()
    assert not Tag.objects.filter(slug="hung-yen").exists()
    assert bytes(RawDocument.objects.get(reason="binary").raw_bytes) == (DATA / "image.png").read_bytes()
    assert (media_root / desk["image"].image.name).read_bytes() == desk["image"].image.open().read()
    restored = User.objects.get(username="editor")
    assert restored.check_password("a long passphrase for the drill")
    assert restored.has_perm("newsroom.publish_article")  # the Editor group and its permissions, by name


def test_restore_refuses_a_desk_with_stories_unless_forced(desk, tmp_path, media_root):
    """A restore over a database with stories is refused and changes nothing; with --force it replaces them
    with exactly what the archive holds, new and edited rows included."""
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive), verbosity=0)
    before = database_state()

    third = desk["third"]
    third.title_en = "Edited after the backup"
    third.save()
    Tag.objects.filter(slug="ocop-fair").delete()
    Tag.objects.create(slug="hung-yen", name="Hưng Yên again")
    Article.objects.create(original_language="en", title_en="Written after the backup")
    changed = database_state()

    with pytest.raises(CommandError, match=r"The target is not empty \(6 articles, 7 raw documents, 1 user"):
        call_command("restore", str(archive), stdout=StringIO())
    assert database_state() == changed

    err = StringIO()
    call_command("restore", str(archive), "--force", stdout=StringIO(), stderr=err)
    assert "Replaced what was here" in err.getvalue()
    assert database_state() == before


def test_restore_dry_run_checks_and_writes_nothing(desk, tmp_path, media_root):
    """--dry-run reads the archive, says what it would restore, and changes nothing."""
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive), verbosity=0)
    before = database_state()
    out = StringIO()
    call_command("restore", str(archive), "--dry-run", "--force", stdout=out)
    assert "Would restore the backup of" in out.getvalue()
    assert database_state() == before


def test_restore_refuses_a_damaged_or_hostile_archive(desk, tmp_path, media_root):
    """An archive whose media file was altered, or that names a file outside the media folder, is refused
    before anything is written; so is a file that is not a backup."""
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        members = {member.name: (member, tar.extractfile(member).read()) for member in tar.getmembers()}
    image_name = f"media/{desk['image'].image.name}"

    def rewritten(name: str, replace: dict[str, bytes], manifest_media: dict | None = None) -> Path:
        path = tmp_path / name
        with tarfile.open(path, "w:gz") as tar:
            for member_name, (member, data) in members.items():
                data = replace.get(member_name, data)
                if member_name == "manifest.json" and manifest_media is not None:
                    data = json.dumps({**json.loads(data), "media": manifest_media}).encode()
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
        return path

    before = database_state()
    shutil.move(media_root, tmp_path / "kept-media")  # an empty media folder, as after a loss
    damaged = rewritten("damaged.tar.gz", {image_name: picture("PNG", (40, 31))})
    with pytest.raises(CommandError, match="missing from the archive or damaged"):
        call_command("restore", str(damaged), "--force", stdout=StringIO())
    hostile = rewritten("hostile.tar.gz", {}, {"../../outside.png": "0" * 64})
    with pytest.raises(CommandError, match="outside the media folder"):
        call_command("restore", str(hostile), "--force", stdout=StringIO())
    not_a_backup = tmp_path / "seeds.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        tar.add(DATA / "byline.txt", "byline.txt")
    with pytest.raises(CommandError, match="not a Newsroom backup"):
        call_command("restore", str(not_a_backup), "--force", stdout=StringIO())
    assert list(media_root.iterdir()) == []  # nothing restored, no staging folder left behind
    shutil.copytree(tmp_path / "kept-media", media_root, dirs_exist_ok=True)
    assert database_state() == before


def test_the_drill_from_the_command_line_into_another_database(child_database, tmp_path):
    """The documented drill, as an operator runs it: seeds imported and published in one database with a picture
    uploaded, `manage.py backup`, then `manage.py restore` into another, freshly migrated database and empty
    media folder: the same stories in every language (as the ninjs export shows them), the same ledger, the
    same picture, and search finds the seeds there."""
    source, target = child_database("backup_source"), child_database("backup_target")
    source.manage("import_seeds", "--publish")
    upload = (
        "from django.core.files.base import ContentFile; from newsroom.models import Article, ArticleImage; "
        "image = ArticleImage(article=Article.objects.order_by('pk').first(), position=9); "
        f"image.image.save('drill.png', ContentFile({picture('PNG')!r}))"
    )
    source.manage("shell", "--no-imports", "-c", upload)
    archive = tmp_path / "drill.tar.gz"
    source.manage("backup", "--output", str(archive))

    refused = source.manage("restore", str(archive), check=False)
    assert refused.returncode == 1 and "The target is not empty" in refused.stderr
    restored = target.manage("restore", str(archive))
    assert "Restored the backup of" in restored.stdout

    export = ["export_articles", "--base-url", "https://news.example/"]
    assert json.loads(target.manage(*export).stdout) == json.loads(source.manage(*export).stdout)
    for table in ("newsroom_rawdocument", "newsroom_revision", "newsroom_tagalias", "newsroom_searchdocument"):
        assert target.rows(table) == source.rows(table), table
    (picture_file,) = (path for path in source.media.rglob("*") if path.is_file())
    assert (target.media / picture_file.relative_to(source.media)).read_bytes() == picture_file.read_bytes()
    found = (
        "from newsroom.models import Article; from newsroom.search import search_ids; "
        "print(len(search_ids(Article.objects.published(), 'Bắc Ninh')))"
    )
    assert int(target.manage("shell", "--no-imports", "-c", found).stdout) >= 3
