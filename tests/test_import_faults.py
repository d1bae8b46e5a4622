"""Import faults: an import killed halfway, editors' work under re-imports, a large batch with bad files.

The killed import runs ``manage.py import_seeds`` as a real child process on a database of its own (an SQLite
file, or a throwaway PostgreSQL database next to the test database: ``child_database``) and is stopped with
SIGKILL.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from newsroom import search
from newsroom.ingest.load import INDEX_BATCH
from newsroom.languages import column
from newsroom.models import Article, RawDocument, SearchDocument, Tag
from tests.conftest import DATA, MANAGE, ChildDatabase, seed_path
from tests.test_admin_workflow import change_url, form_data, make_user
from tests.test_load import run, versions

# Real samples with a source URL and a number in their text: each copy gets its own URL and number, so each is a
# story of its own (a shared URL or a shared cleaned text would make copies one story). ``{n}`` is the copy's number.
TEMPLATES = {
    "hi": (seed_path(0), {"postid430336.bbg": "postid{n}.bbg", "773 OCOP": "{n} OCOP"}),
    "en": (
        DATA / "translation_en_of_000.txt",
        {"postid430336.bbg": "postid{n}.bbg", "64 industrial clusters": "{n} industrial clusters"},
    ),
    "vi": (
        DATA / "byline.txt",
        {"Nguồn: Báo Quảng Trị": "Nguồn: https://baoquangtri.vn/tin-{n}.html", "60 sản phẩm": "{n} sản phẩm"},
    ),
}
# The Hindi story again, re-delivered with new text (same URL, same language): an update.
UPDATED_HI = {"35 औद्योगिक पार्क": "36 औद्योगिक पार्क"}


def story_copy(language: str, number: int, **changes: str) -> bytes:
    """Template ``language`` as story ``number`` (its URL and text number), with ``changes`` on top. The English
    copy of number n has the URL of the Hindi copy of number n: it is that story's translation."""
    path, replacements = TEMPLATES[language]
    text = path.read_text(encoding="utf-8")
    for old, new in {**replacements, **changes}.items():
        assert old in text, old
        text = text.replace(old, new.format(n=1000 + number))
    return text.encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- an import killed halfway ------------------------------------------------------------------------------------


def audit() -> dict:
    """What a database holds after an import, read in the import's own database (run in a child process):
    stories, ledger rows, half-written stories and stories whose search documents are missing or stale."""
    articles = list(Article.objects.prefetch_related("images"))
    ledger = {row["sha256"]: row for row in RawDocument.objects.values("sha256", "status", "article_id", "raw_text")}
    created = Counter(row["article_id"] for row in ledger.values() if row["status"] == "created" and row["raw_text"])
    tag_ids: dict[int, list[int]] = {}
    for article_id, tag_id in Article.tags.through.objects.values_list("article_id", "tag_id"):
        tag_ids.setdefault(article_id, []).append(tag_id)
    documents = {(doc.article_id, doc.language): doc.document for doc in SearchDocument.objects.all()}
    unindexed, half_written = [], []
    for article in articles:
        original = article.original_language
        if not (getattr(article, column("title", original)) and getattr(article, column("body", original))):
            half_written.append([article.pk, "no headline or body in its original language"])
        if created[article.pk] != 1:
            half_written.append([article.pk, f"{created[article.pk]} ledger rows that created it, with raw text"])
        for language in article.languages():
            wanted = search.document_text(article, language, tag_ids.get(article.pk, ()))
            if documents.get((article.pk, language)) != wanted:
                unindexed.append([article.pk, language, (article.pk, language) in documents])
    return {
        "articles": len(articles),
        "source_urls": len({article.source_url for article in articles}),
        "ledger": {key: [row["status"], row["article_id"]] for key, row in ledger.items()},
        "orphan_ledger_rows": sum(
            1 for row in ledger.values() if row["status"] != "rejected" and not row["article_id"]
        ),
        "half_written": half_written,
        "unindexed": unindexed,
        "without_documents": sorted({article.pk for article in articles} - {key[0] for key in documents}),
    }


def audit_of(database: ChildDatabase) -> dict:
    """``audit()`` run in ``database``."""
    code = "import json; from tests.test_import_faults import audit; print(json.dumps(audit()))"
    return json.loads(database.manage("shell", "--no-imports", "-c", code).stdout)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_an_import_killed_halfway_leaves_no_half_story_and_the_next_one_completes(tmp_path, child_database):
    """An import killed with SIGKILL in the middle of a batch leaves whole stories only (headline, body, ledger row
    with the raw text), no worker processes behind, and every story indexed for search except those of the
    unfinished batch that have no document yet (the next import indexes them). Running the same import again
    completes the batch: every file imported exactly once, no duplicates, no losses, every language of every
    story searchable with its latest text, translations and updates of the killed batch included."""
    import_database = child_database("crash")
    folder = tmp_path / "incoming"
    folder.mkdir()
    # Files are written in batches of INDEX_BATCH (200) whose new stories are indexed together. The first batch
    # has new stories only; the second new stories, then English translations, then updates, and is killed.
    originals = INDEX_BATCH + INDEX_BATCH // 4
    files: dict[str, tuple[str, bytes]] = {}
    for number in range(originals):
        files[f"a_{number:05d}_hi.txt"] = ("created", story_copy("hi", number))
        if number % 4 == 0:
            files[f"b_{number:05d}_en.txt"] = ("translation-added", story_copy("en", number))
        if number % 2 == 1:
            files[f"c_{number:05d}_hi.txt"] = ("updated", story_copy("hi", number, **UPDATED_HI))
    for name, (_, data) in files.items():
        (folder / name).write_bytes(data)
    translations = sum(1 for status, _ in files.values() if status == "translation-added")
    kill_at = originals + translations + INDEX_BATCH // 10

    importer = subprocess.Popen(
        [sys.executable, str(MANAGE), "import_seeds", str(folder), "--json"],
        cwd=MANAGE.parent,
        env=import_database.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the worker processes it forks can be found
    )
    try:
        written = 0
        deadline = time.monotonic() + 300
        while importer.poll() is None and time.monotonic() < deadline:
            try:
                written = import_database.rows("newsroom_rawdocument")
            except Exception:
                written = 0
            if written >= kill_at:
                os.kill(importer.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        assert importer.wait(timeout=60) == -signal.SIGKILL, "the import ended before it could be killed"
        for _ in range(100):  # its workers notice and exit
            if not group_alive(importer.pid):
                break
            time.sleep(0.1)
        assert not group_alive(importer.pid), "worker processes outlived the killed import"
    finally:
        if group_alive(importer.pid):
            os.killpg(importer.pid, signal.SIGKILL)

    after_kill = audit_of(import_database)
    assert kill_at <= len(after_kill["ledger"]) < 2 * INDEX_BATCH, "killed in the second batch"
    assert after_kill["half_written"] == []
    assert after_kill["orphan_ledger_rows"] == 0
    # Only stories of the unfinished batch may lack search documents, and then all of their documents.
    unfinished = set(after_kill["without_documents"])
    assert 0 < len(unfinished) <= originals - INDEX_BATCH
    assert {article for article, _language, _exists in after_kill["unindexed"]} <= unfinished

    again = import_database.manage("import_seeds", str(folder), "--json")
    report = {Path(item["file"]).name: item for item in json.loads(again.stdout)}
    final = audit_of(import_database)
    assert len(report) == len(files)
    for name, (status, data) in files.items():
        expected = "unchanged" if sha(data) in after_kill["ledger"] else status
        assert report[name]["status"] == expected, (name, report[name])
        assert final["ledger"][sha(data)][0] == status, name  # in the ledger exactly once (sha256 is unique)
    assert len(final["ledger"]) == len(files)
    assert final["articles"] == final["source_urls"] == originals
    assert final["half_written"] == [] and final["orphan_ledger_rows"] == 0
    assert final["unindexed"] == []


# -- editors' work under re-imports ------------------------------------------------------------------------------


def english_copy(folder: Path) -> Path:
    """An English version, with a byline, of the story ``versions()`` delivers (same source URL)."""
    path = folder / "en.txt"
    path.write_text(
        "Quang Tri helps OCOP products onto e-commerce platforms\n\n"
        "This year Quang Tri province supports 60 OCOP products on e-commerce platforms.\n\n"
        "Producers were trained to promote their products on social networks.\n\n"
        "By Tran Van Binh\n\n"
        "Source: https://baoquangtri.vn/a.html\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.django_db
def test_a_reimport_after_editors_worked_changes_none_of_their_fields(tmp_path):
    """After an editor rewrote the headline and body, removed the lead and the byline, retagged, published and
    translated a story in the admin, importing the same bytes, new bytes for the same source URL, and a
    translation of it (with a byline) into the language the editor translated it to changes none of those
    fields; the ledger records each conflict with the editor's value and the incoming one."""
    v0, v1 = versions(
        tmp_path,
        {
            "Quảng Trị hỗ trợ sản phẩm OCOP": "Quảng Trị hỗ trợ nhiều sản phẩm OCOP",
            "60 sản phẩm": "65 sản phẩm",
            "tập huấn": "hướng dẫn",
            "Minh Anh": "Minh Anh - Hồng Nhung",
        },
    )
    (first,) = run(v0)
    article = Article.objects.get(pk=first["article"])
    assert article.lead_vi and article.status == "draft"

    client = Client()
    client.force_login(make_user("Editor"))
    data = form_data(client.get(change_url(article)))
    # form_data() writes a select's value as the text of a list ("['9']"): a browser sends the id.
    data.update(outlet=str(article.outlet_id), primary_topic=str(article.primary_topic_id or ""))
    edits = {
        "title_vi": "Quảng Trị đưa 60 sản phẩm OCOP lên sàn thương mại điện tử",
        "lead_vi": "",
        "body_vi": "Bài viết do biên tập viên viết lại.",
        "title_en": "Quang Tri puts 60 OCOP products online",
        "lead_en": "The province supports 60 OCOP products on e-commerce platforms.",
        "body_en": "Rewritten by the desk.",
        "byline": "",
        "status": "published",
    }
    data.update(edits)
    data["tags"] = [str(Tag.objects.get(slug="da-nang").pk)]
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    published_at = article.published_at
    assert published_at is not None

    def editors_fields() -> dict:
        article.refresh_from_db()
        return {
            **{name: getattr(article, name) for name in edits},
            "published_at": article.published_at,
            "tags": sorted(article.tags.values_list("slug", flat=True)),
            "topics": sorted(article.topics.values_list("slug", flat=True)),
        }

    edited = editors_fields()
    assert edited["tags"] == ["da-nang"]

    (same,) = run(v0)
    assert (same["status"], same["article"]) == ("unchanged", article.pk)
    assert editors_fields() == edited

    (changed,) = run(v1)
    assert changed["article"] == article.pk
    assert set(changed["conflicts"]) == {"title_vi", "lead_vi", "body_vi", "byline"}
    assert editors_fields() == edited

    english = english_copy(tmp_path)
    (translation,) = run(english)
    assert (translation["article"], translation["language"]) == (article.pk, "en")
    assert {"title_en", "lead_en", "body_en", "byline"} <= set(translation["conflicts"])
    assert editors_fields() == edited
    kept = {c["field"]: c["kept"] for c in RawDocument.objects.get(sha256=sha(english.read_bytes())).conflicts}
    assert (kept["title_en"], kept["byline"]) == (edits["title_en"], "")


@pytest.mark.django_db
def test_a_translation_does_not_refill_a_field_an_editor_emptied(tmp_path):
    """A byline the import wrote and an editor removed stays removed when a translation with a byline arrives;
    the translation itself is added and the ledger records the conflict."""
    (v0,) = versions(tmp_path)
    (first,) = run(v0)
    article = Article.objects.get(pk=first["article"])
    assert article.byline == "Minh Anh"
    article.byline = ""
    article.save()
    (translation,) = run(english_copy(tmp_path))
    assert (translation["status"], translation["article"]) == ("translation-added", article.pk)
    assert translation["conflicts"] == ["byline"]
    article.refresh_from_db()
    assert article.byline == ""
    assert article.title_en == "Quang Tri helps OCOP products onto e-commerce platforms"


# -- a large batch with bad files --------------------------------------------------------------------------------

BAD_KINDS = {
    # kind: (reason code, what the message must say, the bytes of file ``n``)
    "undecodable": ("undecodable", "not UTF-8", lambda n: f"Tin kinh tế {n} ".encode() + b"\x81\x8d\x8f\x90 OCOP"),
    "binary": ("binary", "PNG image", lambda n: b"\x89PNG\r\n\x1a\n" + n.to_bytes(4, "big") + bytes(64)),
    "empty": ("empty", "empty", lambda n: b""),
    "too-large": ("too-large", "bytes; the limit is", lambda n: story_copy("vi", n) + b"x" * 70_000),
}
MAX_BYTES = 64 * 1024


@pytest.mark.slow
@pytest.mark.django_db
def test_ten_thousand_files_with_one_percent_bad_import_every_good_one(tmp_path, settings):
    """A batch of 10,000 files, 100 of them bad (undecodable, binary, empty, too large), imports all 9,900 good
    ones, each exactly once as a story of its own, and rejects each bad one with its specific reason; the ledger
    keeps every distinct file. Importing it again changes nothing."""
    settings.NEWSROOM_MAX_IMPORT_BYTES = MAX_BYTES
    folder = tmp_path / "batch"
    folder.mkdir()
    total, bad_every = 10_000, 100
    kinds = list(BAD_KINDS)
    expected_bad: dict[str, str] = {}
    good: dict[str, bytes] = {}
    for number in range(total):
        if number % bad_every == bad_every - 1:
            kind = kinds[(number // bad_every) % len(kinds)]
            name = f"{number:05d}_{kind}.txt"
            (folder / name).write_bytes(BAD_KINDS[kind][2](number))
            expected_bad[name] = kind
        else:
            name = f"{number:05d}_good.txt"
            good[name] = story_copy("vi" if number % 2 else "en", number)
            (folder / name).write_bytes(good[name])

    out = StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError, match=f"{len(expected_bad)} of {total} files were rejected"):
        call_command("import_seeds", str(folder), "--json", stdout=out)
    seconds = time.perf_counter() - started
    report = {Path(item["file"]).name: item for item in json.loads(out.getvalue())}

    assert len(report) == total and len(good) == 9_900 and len(expected_bad) == 100
    statuses = Counter(item["status"] for item in report.values())
    assert statuses == {"created": 9_900, "rejected": 100}
    for name, kind in expected_bad.items():
        code, words, _ = BAD_KINDS[kind]
        assert (report[name]["code"], report[name]["status"]) == (code, "rejected"), name
        assert words in report[name]["reason"], (name, report[name]["reason"])
    articles = {report[name]["article"] for name in good}
    assert len(articles) == Article.objects.count() == Article.objects.values("source_url").distinct().count() == 9_900
    ledger = set(RawDocument.objects.values_list("sha256", flat=True))
    assert {sha(data) for data in good.values()} <= ledger  # no losses
    distinct_bad = {sha((folder / name).read_bytes()) for name in expected_bad}
    assert len(ledger) == 9_900 + len(distinct_bad)  # the 25 empty files are one file's bytes: one ledger row
    print(f"\n10,000 files (100 bad): 9,900 stories, 0 losses, 0 duplicates, {seconds:.1f} s")

    assert Counter(item["status"] for item in run(folder)) == {"unchanged": 9_900, "rejected": 100}
    assert Article.objects.count() == 9_900
