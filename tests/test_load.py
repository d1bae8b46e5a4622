"""The loader: ledger, rejections, idempotency, translations, editors' edits, faults."""

import contextlib
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsroom.ingest.load import Importer
from newsroom.models import Article, ArticleImage, RawDocument
from tests.conftest import DATA, DECODE_REJECTIONS, seed_path

pytestmark = pytest.mark.django_db


def run(*paths, **options) -> list[dict]:
    """import_seeds --json on ``paths``; the parsed report (also when the command exits 1)."""
    out = StringIO()
    args = (
        [str(path) for path in paths]
        + ["--json"]
        + [f"--{name.replace('_', '-')}" for name, on in options.items() if on]
    )
    with contextlib.suppress(CommandError):
        call_command("import_seeds", *args, stdout=out)
    return json.loads(out.getvalue())


def snapshot():
    return (
        list(Article.objects.values().order_by("pk")),
        list(RawDocument.objects.values("sha256", "status", "article_id").order_by("pk")),
        list(ArticleImage.objects.values().order_by("pk")),
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        *DECODE_REJECTIONS,
        ("chrome_only.txt", "no-content"),
        ("georgian.txt", "unknown-language"),
        ("thai.txt", "unsupported-language"),
    ],
)
def test_each_rejection_is_recorded_with_its_reason(name, code):
    """A rejected file is reported with a specific reason and kept in the ledger."""
    (result,) = run(DATA / name)
    assert result["status"] == "rejected"
    assert result["code"] == code
    assert result["reason"]
    document = RawDocument.objects.get()
    assert (document.status, document.reason, document.message) == ("rejected", code, result["reason"])
    data = (DATA / name).read_bytes()
    assert document.size == len(data)
    # What could be decoded is kept as text; what could not, as bytes.
    assert bytes(document.raw_bytes or b"") == data or document.raw_text


def test_binary_file_bytes_are_kept():
    """The bytes of an undecodable file are in the ledger exactly as received."""
    run(DATA / "image.png")
    assert bytes(RawDocument.objects.get().raw_bytes) == (DATA / "image.png").read_bytes()


def test_too_large_file_is_noted_without_being_read(settings, tmp_path):
    """A file over NEWSROOM_MAX_IMPORT_BYTES is rejected with both sizes and hashed into the ledger."""
    settings.NEWSROOM_MAX_IMPORT_BYTES = 100
    (result,) = run(DATA / "too_large.txt")
    assert (result["status"], result["code"]) == ("rejected", "too-large")
    assert "620" in result["reason"]
    document = RawDocument.objects.get()
    assert document.size == 620 and document.raw_text == "" and document.raw_bytes is None


def test_batch_with_bad_files_imports_every_good_one(tmp_path):
    """Rejections do not stop a batch: the good files are imported and the command exits 1."""
    for name in ["empty.txt", "image.png", "own_headline.txt", "undecodable.txt", "byline.txt"]:
        shutil.copy(DATA / name, tmp_path / name)
    with pytest.raises(CommandError, match="3 of 5 files were rejected"):
        call_command("import_seeds", str(tmp_path), stdout=StringIO())
    assert Article.objects.count() == 2
    assert RawDocument.objects.filter(status="rejected").count() == 3


def test_exit_zero_when_everything_imports(tmp_path):
    """A clean batch exits 0 and says how many files were created."""
    out = StringIO()
    call_command("import_seeds", str(DATA / "own_headline.txt"), stdout=out)
    assert "1 created" in out.getvalue()


def test_three_imports_equal_one():
    """The same bytes again change nothing: same rows, same values, status `unchanged`."""
    files = [seed_path(0), DATA / "bare_image_file.txt", DATA / "image.png"]
    first = run(*files)
    before = snapshot()
    for _ in range(2):
        again = run(*files)
        assert [r["status"] for r in again] == ["unchanged", "unchanged", "rejected"]
        assert [r["article"] for r in again] == [r["article"] for r in first]
    assert snapshot() == before


def test_same_text_in_new_bytes_is_unchanged(tmp_path):
    """A copy that differs only in white space and line ends maps to the same story and writes nothing."""
    copy = tmp_path / "copy.txt"
    copy.write_bytes((DATA / "own_headline.txt").read_bytes().replace(b"\n", b"  \r\n"))
    (first,) = run(DATA / "own_headline.txt")
    (second,) = run(copy)
    assert second["status"] == "unchanged" and second["article"] == first["article"]
    assert Article.objects.count() == 1 and RawDocument.objects.count() == 2


def test_same_source_url_in_another_language_is_a_translation():
    """An English copy of seed 000 (same source URL) becomes its English version, captions included."""
    (hindi,) = run(seed_path(0))
    (english,) = run(DATA / "translation_en_of_000.txt")
    assert english["status"] == "translation-added"
    assert english["article"] == hindi["article"] and english["language"] == "en"
    article = Article.objects.get()
    assert article.original_language == "hi"
    assert article.title_en == "Bac Ninh and Xaisomboun strengthen cooperation in industry and trade"
    assert article.title_hi.startswith("प्रतिनिधिमंडल का स्वागत")
    assert article.languages() == ["hi", "en"]
    assert article.images.get(position=0).caption_en == "The working session between the two departments."
    assert article.images.get(position=0).caption_hi.startswith("बाक निन्ह प्रांत")
    assert article.version == 2


def test_translation_does_not_replace_shared_fields_or_tags():
    """A translation fills only empty shared fields and leaves topics and tags to editors."""
    run(seed_path(0))
    article = Article.objects.get()
    tags = set(article.tags.all())
    article.byline = "Desk"
    article.save()
    run(DATA / "translation_en_of_000.txt")
    article.refresh_from_db()
    assert article.byline == "Desk"
    assert set(article.tags.all()) == tags


def versions(tmp_path, *changes: dict[str, str]):
    """Successive deliveries of one story (sample byline.txt with a source URL), each with more changes."""
    text = (
        (DATA / "byline.txt")
        .read_text(encoding="utf-8")
        .replace("Nguồn: Báo Quảng Trị", "Nguồn: https://baoquangtri.vn/a.html")
    )
    paths = []
    for number, change in enumerate([{}, *changes]):
        for old, new in change.items():
            text = text.replace(old, new)
        paths.append(tmp_path / f"v{number}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_reimport_updates_what_editors_did_not_touch(tmp_path):
    """New bytes for the same story and language update the fields nobody edited."""
    v1, v2 = versions(tmp_path, {"60 sản phẩm": "65 sản phẩm"})
    (first,) = run(v1)
    (second,) = run(v2)
    assert second["status"] == "updated" and second["article"] == first["article"]
    article = Article.objects.get()
    assert "65 sản phẩm" in article.lead_vi
    assert article.version == 2


def test_reimport_never_overwrites_an_editors_change(tmp_path):
    """An editor's headline and byline survive a re-import; the ledger records the conflicts."""
    v1, v2 = versions(
        tmp_path,
        {
            "Quảng Trị hỗ trợ sản phẩm OCOP": "Quảng Trị hỗ trợ nhiều sản phẩm OCOP",
            "Minh Anh": "Minh Anh - Hồng Nhung",
            "tập huấn": "hướng dẫn",
        },
    )
    run(v1)
    article = Article.objects.get()
    article.title_vi = "Quảng Trị đưa 60 sản phẩm OCOP lên sàn thương mại điện tử"
    article.byline = "Minh Anh (Quảng Trị)"
    article.save()
    (result,) = run(v2)
    article.refresh_from_db()
    assert article.title_vi == "Quảng Trị đưa 60 sản phẩm OCOP lên sàn thương mại điện tử"
    assert article.byline == "Minh Anh (Quảng Trị)"
    assert "hướng dẫn" in article.body_vi, "the untouched body is updated"
    assert set(result["conflicts"]) == {"title_vi", "byline"}
    document = RawDocument.objects.latest("pk")
    kept = {conflict["field"]: conflict for conflict in document.conflicts}
    assert kept["title_vi"]["kept"] == article.title_vi
    assert kept["title_vi"]["incoming"] == "Quảng Trị hỗ trợ nhiều sản phẩm OCOP tham gia sàn thương mại điện tử"


def test_dry_run_writes_nothing():
    """--dry-run reports what would happen and leaves the database as it was."""
    before = snapshot()
    report = run(seed_path(3), DATA / "image.png", dry_run=True)
    assert [r["status"] for r in report] == ["created", "rejected"]
    assert snapshot() == before
    assert RawDocument.objects.count() == 0


def test_publish_flag_and_default_draft():
    """New stories are drafts unless --publish; published ones get a publication time."""
    run(DATA / "own_headline.txt")
    run(DATA / "byline.txt", publish=True)
    draft, published = Article.objects.order_by("pk")
    assert (draft.status, draft.published_at) == ("draft", None)
    assert published.status == "published" and published.published_at is not None
    assert list(Article.objects.published()) == [published]


def test_a_crash_on_one_file_rejects_it_alone(monkeypatch, tmp_path):
    """An unexpected failure inside the pipeline rejects that file, keeps its bytes, and the batch goes on."""
    import newsroom.ingest.load as load

    real_clean = load.clean

    def failing_clean(text):
        if "Lai Chau" in text:
            raise RuntimeError("boom")
        return real_clean(text)

    monkeypatch.setattr(load, "clean", failing_clean)
    report = run(DATA / "markup_as_text.txt", DATA / "own_headline.txt")
    assert [r["status"] for r in report] == ["rejected", "created"]
    assert report[0]["code"] == "internal-error" and "boom" in report[0]["reason"]
    assert (
        bytes(RawDocument.objects.get(reason="internal-error").raw_bytes) == (DATA / "markup_as_text.txt").read_bytes()
    )
    assert Article.objects.count() == 1


def test_a_file_whose_rejection_cannot_be_recorded_is_reported_and_the_batch_goes_on(monkeypatch):
    """When the importer fails on a file and then cannot record the rejection either, the file is reported as
    rejected (with both failures), the rest of the batch imports, and the next import tries the file again."""
    import newsroom.ingest.load as load

    real_clean, real_record = load.clean, load.Importer._record_rejection

    def failing_clean(text):
        if "Lai Chau" in text:
            raise RuntimeError("boom")
        return real_clean(text)

    def failing_record(self, prepared, rejection):
        if prepared.name.endswith("markup_as_text.txt"):
            raise RuntimeError("ledger unavailable")
        return real_record(self, prepared, rejection)

    monkeypatch.setattr(load, "clean", failing_clean)
    monkeypatch.setattr(load.Importer, "_record_rejection", failing_record)
    report = run(DATA / "markup_as_text.txt", DATA / "own_headline.txt")
    assert [r["status"] for r in report] == ["rejected", "created"]
    assert report[0]["code"] == "internal-error"
    assert "boom" in report[0]["reason"] and "ledger unavailable" in report[0]["reason"]
    assert RawDocument.objects.filter(reason="internal-error").count() == 0
    monkeypatch.setattr(load, "clean", real_clean)
    monkeypatch.setattr(load.Importer, "_record_rejection", real_record)
    again = run(DATA / "markup_as_text.txt", DATA / "own_headline.txt")
    assert [r["status"] for r in again] == ["created", "unchanged"]
    assert Article.objects.count() == 2


def test_outlet_from_known_domain_and_created_for_new_ones():
    """A known domain maps to its outlet; an unknown one creates an outlet named after the domain."""
    run(seed_path(0), DATA / "placeholder_caption.txt")
    bac_ninh, lang_son = Article.objects.order_by("pk")
    assert bac_ninh.outlet.name == "Báo Bắc Ninh"
    assert (lang_son.outlet.name, lang_son.outlet.domain, lang_son.outlet.homepage) == (
        "baolangson.vn",
        "baolangson.vn",
        "https://baolangson.vn/",
    )


def test_importer_reads_the_registry_once(django_assert_max_num_queries):
    """Per-file work does not re-read the registry: a second file costs no registry queries."""
    importer = Importer()
    importer.import_path(DATA / "own_headline.txt")
    with django_assert_max_num_queries(30):
        importer.import_path(DATA / "byline.txt")


def test_markup_is_stored_as_text():
    """Markup in a story is stored as the characters it is (escaping happens when shown)."""
    run(DATA / "markup_as_text.txt")
    article = Article.objects.get()
    assert article.title_en == "Lai Chau <b>promotes</b> OCOP tea"
    assert '<script>alert("x")</script>' in article.lead_en


def test_two_importers_racing_on_one_file():
    """An importer that started before another committed the same file reports it unchanged, not an error."""
    first, second = Importer(), Importer()
    created = first.import_path(DATA / "own_headline.txt")
    raced = second.import_path(DATA / "own_headline.txt")
    assert (raced.status, raced.article) == ("unchanged", created.article)
    assert RawDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "language", "topic", "tags"),
    [
        ("story_zh.txt", "zh-hans", "cross-border-cooperation", {"bac-ninh", "xaisomboun", "laos", "ocop"}),
        ("story_ru.txt", "ru", "cross-border-cooperation", {"lang-son", "guangxi"}),
        ("comment_counters.txt", "ko", "cross-border-cooperation", {"bac-ninh", "laos", "xaisomboun"}),
        ("cp1252.txt", "fr", "industrial-promotion", {"bac-ninh"}),
        ("site_header.txt", "vi", "industrial-promotion", {"hung-yen"}),
    ],
)
def test_stories_in_other_languages_are_detected_and_classified(name, language, topic, tags):
    """Languages no seed uses come out with their language, topic and tags like the seeds do."""
    (result,) = run(DATA / name)
    assert (result["status"], result["language"]) == ("created", language)
    article = Article.objects.get()
    assert article.primary_topic.slug == topic
    assert tags <= set(article.tags.values_list("slug", flat=True))


def test_two_importers_racing_on_one_story(tmp_path):
    """Two files with one source URL imported by importers that did not see each other: one story."""
    other = tmp_path / "copy.txt"
    text = (DATA / "translation_en_of_000.txt").read_text(encoding="utf-8")
    other.write_text(text.replace("64 industrial clusters.", "64 industrial clusters, the director said."))
    first, second = Importer(), Importer()
    created = first.import_path(DATA / "translation_en_of_000.txt")
    raced = second.import_path(other)
    assert raced.article == created.article and raced.status == "updated"
    assert Article.objects.count() == 1


def test_large_batches_prepare_in_worker_processes_with_the_same_results(monkeypatch, tmp_path):
    """Worker processes (used for large batches) give the same results, in order, as one process."""
    import newsroom.ingest.load as load

    names = ["own_headline.txt", "image.png", "story_zh.txt", "own_headline.txt", "byline.txt", "thai.txt"]
    for number, name in enumerate(names):
        shutil.copy(DATA / name, tmp_path / f"{number:02d}_{name}")
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(load.os, "cpu_count", lambda: 3)
    parallel = run(tmp_path)
    assert [r["status"] for r in parallel] == ["created", "rejected", "created", "unchanged", "created", "rejected"]
    assert [r["code"] for r in parallel][1::4] == ["binary", "unsupported-language"]
    assert parallel[0]["article"] == parallel[3]["article"]
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", 10**6)
    assert [r["status"] for r in run(tmp_path)] == [
        "unchanged",
        "rejected",
        "unchanged",
        "unchanged",
        "unchanged",
        "rejected",
    ]
