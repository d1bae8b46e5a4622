"""Idempotent upsert of raw story files into the database, one transaction per file.

Guarantees:
- the same bytes again change nothing (the ledger knows every SHA-256);
- every file received gets a ledger row (``RawDocument``) with its raw text,
  or its bytes when they could not be decoded, and the reason it was rejected;
- a file whose source URL (or cleaned text) matches a story already here
  becomes that story's translation in its language, not a new story;
- a re-import never overwrites a field an editor changed since the last
  import, emptied included: the editor's value stays and the ledger records
  the conflict;
- a file that fails, for any reason, is rejected alone: the batch goes on;
- a killed import leaves whole files only (each file is one transaction) and
  no worker processes behind; the next import of the same files completes
  it. New stories are indexed for search every INDEX_BATCH files (those of a
  killed batch by the next import, ``search.index_missing()``); a translation
  or an update of a story is indexed with its file.
"""

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from newsroom import cache, search
from newsroom.ingest.classify import Classification, Registry, classify
from newsroom.ingest.clean import Caption, CleanStory, clean
from newsroom.ingest.decode import Decoded, Rejected, decode, normalise
from newsroom.ingest.detect import Detection, detect, warm_up
from newsroom.languages import column
from newsroom.models import Article, ArticleImage, Outlet, RawDocument, Tag, TagAlias, Topic, TopicKeyword
from newsroom.planner import refresh_statistics
from newsroom.revisions import record, record_first, snapshot

logger = logging.getLogger(__name__)

TRANSLATED_FIELDS = ("title", "lead", "body")
# Batches this large prepare files in worker processes (forking costs a few tenths of a second).
PARALLEL_MIN_FILES = 200
WORKER_CHUNK = 32
# Files whose stories are indexed for search together (see import_paths).
INDEX_BATCH = 200


@dataclass
class FileResult:
    file: str
    status: str
    article: int | None = None
    language: str = ""
    code: str = ""
    reason: str = ""
    conflicts: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "article": self.article,
            "language": self.language or None,
            "reason": self.reason or None,
            "code": self.code or None,
            "conflicts": self.conflicts,
        }


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [result for result in self.results if result.status == RawDocument.Status.REJECTED]

    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)


def load_registry() -> Registry:
    """The tag and topic registry as it is in the database now."""
    tag_names = list(TagAlias.objects.values_list("tag__slug", "name"))
    name_columns = [column("name", language) for language in settings.CONTENT_LANGUAGES]
    for slug, *names in Tag.objects.values_list("slug", *name_columns):
        tag_names.extend((slug, name) for name in names if name)
    keywords = TopicKeyword.objects.values_list("topic__slug", "phrase", "weight")
    tag_topics = dict(Tag.objects.filter(topic__isnull=False).values_list("slug", "topic__slug"))
    return Registry.build(tag_names, keywords, tag_topics)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line, and the files in named folders (sorted, hidden ones skipped)."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found


@dataclass
class Prepared:
    """What the pure stages made of one file, without touching the database."""

    name: str
    sha: str
    size: int
    data: bytes | None = None  # kept only when the ledger must hold the bytes themselves
    decoded: Decoded | None = None
    story: CleanStory | None = None
    detection: Detection | None = None
    classification: Classification | None = None
    rejection: Rejected | None = None


class Importer:
    """Imports raw files into stories. One instance per batch: it reads the registry and the ledger once.

    Each file goes through ``prepare_*`` (decode, clean, detect, classify: pure,
    so large batches run it in forked worker processes) and then ``write``
    (one transaction). Files come out in the order they went in.
    """

    def __init__(self, *, publish: bool = False, max_bytes: int | None = None):
        self.publish = publish
        self.max_bytes = max_bytes or settings.NEWSROOM_MAX_IMPORT_BYTES
        self.registry = load_registry()
        self._load_lookups()
        self.topic_ids = dict(Topic.objects.values_list("slug", "pk"))
        self.tag_ids = dict(Tag.objects.values_list("slug", "pk"))
        self.outlets: dict[tuple[str, str], Outlet | None] = {}

    def _load_lookups(self) -> None:
        """What every file is checked against, loaded once: most files are new, so most lookups miss."""
        rows = RawDocument.objects.values_list("sha256", "status", "article_id", "language", "reason", "message")
        self.seen = {row[0]: row for row in rows}
        self.by_source_url = dict(Article.objects.filter(source_url__isnull=False).values_list("source_url", "pk"))
        self.by_content_hash = dict(
            RawDocument.objects.filter(article__isnull=False).values_list("content_hash", "article_id")
        )

    def import_paths(self, paths: Iterable[Path], progress=None) -> ImportReport:
        report = ImportReport()
        search.index_missing()  # the stories of an import killed before it indexed them
        prepared_files = iter(self._prepare_all(list(paths)))
        while batch := list(islice(prepared_files, INDEX_BATCH)):
            # Each file is written in its own transaction; its story's search documents, derived data, are
            # written with the rest of the batch's: a tenth of the cost of indexing each file on its own.
            with search.deferred():
                for prepared in batch:
                    report.results.append(self.write(prepared))
                    if progress:
                        progress(report.results[-1])
        if any(result.status != RawDocument.Status.UNCHANGED for result in report.results):
            refresh_statistics()  # the new stories change what the planner should know
        return report

    def import_path(self, path: Path) -> FileResult:
        return self.write(self.prepare_path(path))

    def import_bytes(self, name: str, data: bytes) -> FileResult:
        return self.write(self.prepare_bytes(name, data))

    # -- the pure stages ------------------------------------------------------

    def _prepare_all(self, paths: list[Path]) -> Iterable[Prepared]:
        workers = (os.cpu_count() or 1) - 1
        if len(paths) < PARALLEL_MIN_FILES or workers < 1:
            return map(self.prepare_path, paths)
        return self._prepare_in_workers(paths, workers)

    def _prepare_in_workers(self, paths: list[Path], workers: int) -> Iterator[Prepared]:
        """The pure stages in forked workers while this process writes. The workers inherit this
        importer (registry, ledger snapshot, language models) and never touch the database."""
        warm_up()
        context = multiprocessing.get_context("fork")
        chunks = [paths[start : start + WORKER_CHUNK] for start in range(0, len(paths), WORKER_CHUNK)]
        initargs = (self, os.getpid())
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_adopt, initargs=initargs) as pool:
            # A bounded window of chunks in flight: prepared files never pile up faster than they are written.
            pending = deque(pool.submit(_prepare_in_worker, chunk) for chunk in chunks[: 2 * workers + 1])
            for chunk in chunks[len(pending) :]:
                yield from pending.popleft().result()
                pending.append(pool.submit(_prepare_in_worker, chunk))
            while pending:
                yield from pending.popleft().result()

    def prepare_path(self, path: Path) -> Prepared:
        name = _display_name(path)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                # Not read into memory: the file stays on disk, the ledger notes its hash and size.
                message = f"The file is {size:,} bytes; the limit is {self.max_bytes:,} bytes. It was not read."
                return Prepared(name, _file_sha256(path), size, rejection=Rejected("too-large", message))
            data = path.read_bytes()
        except OSError as error:
            return Prepared(
                name, "", 0, rejection=Rejected("unreadable", f"Cannot read the file: {error.strerror or error}.")
            )
        return self.prepare_bytes(name, data)

    def prepare_bytes(self, name: str, data: bytes) -> Prepared:
        prepared = Prepared(name, hashlib.sha256(data).hexdigest(), len(data))
        if prepared.sha in self.seen:
            return prepared  # written as "unchanged" from the ledger
        try:
            prepared.decoded = decode(data, self.max_bytes)
            prepared.story = clean(normalise(prepared.decoded.text))
            prepared.detection = detect(prepared.story.text)
            _check_language(prepared.detection)
            prepared.classification = classify(_parts(prepared.story), self.registry)
        except Rejected as rejection:
            prepared.rejection = rejection
        except Exception as error:  # a bug costs one file, not the batch
            logger.error("Import of %s failed", name, exc_info=error)
            prepared.rejection = _internal_error(error)
        if prepared.rejection and (prepared.decoded is None or prepared.rejection.code == "internal-error"):
            prepared.data = data
        return prepared

    # -- the database ---------------------------------------------------------

    def write(self, prepared: Prepared) -> FileResult:
        """Record one prepared file: a story created, updated or translated, or a rejection."""
        if not prepared.sha:  # unreadable: there are no bytes to record
            return FileResult(
                prepared.name,
                RawDocument.Status.REJECTED,
                code=prepared.rejection.code,
                reason=prepared.rejection.message,
            )
        if prepared.sha not in self.seen:
            result = self._write_once(prepared)
            if result is None:
                # Another import process committed this file, or this story, meanwhile: look again.
                self._load_lookups()
                result = None if prepared.sha in self.seen else self._write_once(prepared, retry=False)
            if result is not None:
                self.seen[prepared.sha] = (
                    prepared.sha,
                    result.status,
                    result.article,
                    result.language,
                    result.code,
                    result.reason,
                )
                return result
        _, status, article, language, code, message = self.seen[prepared.sha]
        if status == RawDocument.Status.REJECTED:
            return FileResult(prepared.name, status, article, language, code, message)
        return FileResult(prepared.name, RawDocument.Status.UNCHANGED, article, language)

    def _write_once(self, prepared: Prepared, *, retry: bool = True) -> FileResult | None:
        """One file in one transaction; None when a concurrent import won a unique constraint and
        ``retry`` allows another go. Any other failure rejects the file alone."""
        try:
            with transaction.atomic(), search.deferred():
                if prepared.rejection:
                    return self._record_rejection(prepared, prepared.rejection)
                return self._store(prepared)
        except IntegrityError as error:
            self.outlets.clear()  # an outlet created in the rolled-back transaction is gone
            if retry:
                return None
            failure = error
        except Exception as error:
            self.outlets.clear()
            failure = error
        logger.error("Import of %s failed", prepared.name, exc_info=failure)
        rejection = prepared.rejection or _internal_error(failure)
        try:
            with transaction.atomic():
                return self._record_rejection(prepared, rejection)
        except Exception as error:
            # Not in the ledger either: the file is still on disk, and the next import tries it again.
            logger.error("The rejection of %s could not be recorded", prepared.name, exc_info=error)
            message = (
                f"{rejection.message} The rejection could not be recorded ({type(error).__name__}: {error}); "
                "the next import tries the file again."
            )
            return FileResult(prepared.name, RawDocument.Status.REJECTED, code=rejection.code, reason=message)

    def _store(self, prepared: Prepared) -> FileResult:
        story, detection, classification = prepared.story, prepared.detection, prepared.classification
        language = detection.language
        content_hash = hashlib.sha256(story.text.encode()).hexdigest()
        document = RawDocument(
            file_name=prepared.name[-500:],
            sha256=prepared.sha,
            size=prepared.size,
            encoding=prepared.decoded.encoding,
            raw_text=prepared.decoded.text,
            content_hash=content_hash,
            language=language,
            removed_lines=[asdict(line) for line in story.removed],
            extracted=_extracted(story, detection),
            classification=classification.as_json(),
        )
        article, first_snapshot = self._find(story, content_hash), None
        if article is None:
            article, first_snapshot = self._create(story, language, classification, document)
            document.status = RawDocument.Status.CREATED
        elif any(getattr(article, column(f, language)) for f in TRANSLATED_FIELDS):
            document.status = self._update(article, story, language, document)
        else:
            self._add_translation(article, story, language, document)
            document.status = RawDocument.Status.TRANSLATION_ADDED
        document.article = article
        document.save()
        if document.status != RawDocument.Status.CREATED:
            # A story that already has documents is indexed with its file, not with the batch: were the import
            # killed before the batch's indexing, index_missing() (which looks for stories without any document)
            # would never see its new language or its new text.
            search.reindex([article.pk])
        if first_snapshot is not None:
            record_first(article, first_snapshot, note=f"import {document.file_name}")
        else:
            record(article, None, note=f"import {document.file_name}")
        self.by_content_hash[content_hash] = article.pk
        if article.source_url:
            self.by_source_url[article.source_url] = article.pk
        conflicts = [conflict["field"] for conflict in document.conflicts]
        reason = f"Kept the editors' version of: {', '.join(conflicts)}." if conflicts else ""
        return FileResult(
            prepared.name, document.status, article.pk, language, "conflict" if conflicts else "", reason, conflicts
        )

    def _record_rejection(self, prepared: Prepared, rejection: Rejected) -> FileResult:
        RawDocument.objects.create(
            file_name=prepared.name[-500:],
            sha256=prepared.sha,
            size=prepared.size,
            encoding=prepared.decoded.encoding if prepared.decoded else "",
            raw_text=prepared.decoded.text if prepared.decoded else "",
            raw_bytes=prepared.data,
            status=RawDocument.Status.REJECTED,
            reason=rejection.code,
            message=rejection.message,
        )
        return FileResult(prepared.name, RawDocument.Status.REJECTED, code=rejection.code, reason=rejection.message)

    def _find(self, story: CleanStory, content_hash: str) -> Article | None:
        """The story this file belongs to: same source URL, else same cleaned text."""
        found = self.by_source_url.get(normalise_url(story.source_url)) or self.by_content_hash.get(content_hash)
        return None if found is None else Article.objects.get(pk=found)

    def _create(
        self, story: CleanStory, language: str, classification: Classification, document: RawDocument
    ) -> tuple[Article, dict]:
        """A new story, written with one INSERT per table: nothing can be linked to it yet."""
        topic_ids = [self.topic_ids[slug] for slug in classification.topics if slug in self.topic_ids]
        article = Article(
            original_language=language,
            title_provisional=story.title_provisional,
            status=Article.Status.PUBLISHED if self.publish else Article.Status.DRAFT,
            published_at=timezone.now() if self.publish else None,
            primary_topic_id=topic_ids[0] if topic_ids else None,
            outlet=self._outlet(story),
            source_url=normalise_url(story.source_url) or None,
            original_published_on=story.published_on,
            byline=story.byline,
            **_translations(TRANSLATED_FIELDS, _translated_values(story, language)),
        )
        article.save()
        tag_ids = list(dict.fromkeys(self.tag_ids[m.slug] for m in classification.tags if m.slug in self.tag_ids))
        _link(Article.topics, article.pk, topic_ids)
        _link(Article.tags, article.pk, tag_ids)
        images = ArticleImage.objects.bulk_create(
            [_new_image(article, position, caption, language) for position, caption in enumerate(story.captions)]
        )
        search.schedule([article.pk])  # the links and images above were written in bulk, without signals
        cache.invalidate()
        document.written = _fingerprints(self._incoming_values(story, language))
        # The first revision's snapshot, known without reading anything back.
        return article, snapshot(article, links={"topics": topic_ids, "tags": tag_ids, "related": []}, images=images)

    def _update(self, article: Article, story: CleanStory, language: str, document: RawDocument) -> str:
        """New bytes for a language the story has: write what editors have not touched since the last import."""
        previous = (
            RawDocument.objects.filter(article=article, language=language)
            .exclude(status=RawDocument.Status.REJECTED)
            .order_by("-created_at", "-pk")
            .values_list("written", flat=True)
            .first()
        ) or {}
        current = owned_values(article, language)
        incoming = self._incoming_values(story, language)
        written = dict(previous)
        # What imports in other languages wrote to the shared fields (byline, outlet, date).
        known = {**_written_by_imports(article), **previous}
        translated = {column(f, language) for f in TRANSLATED_FIELDS}
        for name, new in incoming.items():
            if current[name] == new or (not new and name not in translated):
                continue  # the same already, or an import that would only blank a field
            # Written when still as the last import left it, or empty and never written by an import: a field an
            # import wrote and an editor emptied since is the editor's change, kept like any other.
            if fingerprint(current[name]) == known[name] if name in known else not current[name]:
                self._apply(article, name, new, story, language)
                written[name] = fingerprint(new)
            else:
                document.conflicts.append({"field": name, "kept": current[name], "incoming": new})
        document.written = written
        if written == previous:
            return RawDocument.Status.UNCHANGED
        article.save()
        return RawDocument.Status.UPDATED

    def _add_translation(self, article: Article, story: CleanStory, language: str, document: RawDocument) -> None:
        """A new language for an existing story: its text and captions, and fields still empty that no import
        filled before (an editor who emptied one, such as a wrong byline, keeps it empty)."""
        current = owned_values(article, language)
        earlier = _written_by_imports(article)
        written = {}
        for name, new in self._incoming_values(story, language).items():
            if name == "captions":
                set_captions(article, story, language, overwrite=False)
                written[name] = fingerprint(new)
            elif new and not current[name]:
                if earlier.get(name, fingerprint(current[name])) != fingerprint(current[name]):
                    document.conflicts.append({"field": name, "kept": current[name], "incoming": new})
                    continue
                self._apply(article, name, new, story, language)
                written[name] = fingerprint(new)
        document.written = written
        article.save()

    def _incoming_values(self, story: CleanStory, language: str) -> dict:
        outlet = self._outlet(story) if (story.source_url or story.outlet_name) else None
        return {
            **_translated_values(story, language),
            "byline": story.byline,
            "original_published_on": iso_date(story.published_on),
            "outlet": outlet.pk if outlet else None,
            "captions": caption_values(story),
        }

    def _apply(self, article: Article, name: str, value, story: CleanStory, language: str) -> None:
        if name == "captions":
            set_captions(article, story, language, overwrite=True)
        elif name == "outlet":
            article.outlet_id = value
        elif name == "original_published_on":
            article.original_published_on = date.fromisoformat(value) if value else None
        else:
            setattr(article, name, value)

    def _outlet(self, story: CleanStory) -> Outlet | None:
        """The outlet by the source URL's domain, else by the name printed in the copy; created when new."""
        host = (urlsplit(story.source_url).hostname or "") if story.source_url else ""
        key = (host.removeprefix("www."), story.outlet_name)
        if key not in self.outlets:
            self.outlets[key] = _outlet(*key, homepage=f"https://{host}/" if host else "")
        return self.outlets[key]


def _written_by_imports(article: Article) -> dict[str, str]:
    """The fingerprint of the value the imports last wrote to each field of ``article``, in any language
    (captions aside: their fingerprints are per language under one name)."""
    written: dict[str, str] = {}
    rows = (
        RawDocument.objects.filter(article=article)
        .exclude(status=RawDocument.Status.REJECTED)
        .order_by("created_at", "pk")
        .values_list("written", flat=True)
    )
    for values in rows:
        written.update(values)
    written.pop("captions", None)
    return written


def _outlet(domain: str, name: str, homepage: str) -> Outlet | None:
    if domain and (outlet := Outlet.objects.filter(domain=domain).first()):
        return outlet
    if name and (outlet := Outlet.objects.filter(name=name).first()):
        if domain and not outlet.domain:
            outlet.domain = domain
            outlet.save(update_fields=["domain"])
        return outlet
    if not domain and not name:
        return None
    return Outlet.objects.create(name=name or domain, domain=domain, homepage=homepage)


_worker_importer: Importer | None = None
# How often a worker checks that the import that forked it is still alive, in seconds.
PARENT_CHECK_SECONDS = 0.5


def _adopt(importer: Importer, parent: int) -> None:
    global _worker_importer
    _worker_importer = importer
    threading.Thread(target=_exit_with_parent, args=(parent,), name="exit-with-parent", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the import that forked it is gone. An import killed outright (SIGKILL, the OOM
    killer) cannot stop its pool, and the pool's workers would otherwise wait on its queue forever, each holding
    a copy of the language models."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _prepare_in_worker(paths: list[Path]) -> list[Prepared]:
    return [_worker_importer.prepare_path(path) for path in paths]


def _internal_error(error: Exception) -> Rejected:
    return Rejected(
        "internal-error", f"The importer failed on this file ({type(error).__name__}: {error}); it is kept."
    )


def _display_name(path: Path) -> str:
    """The path as the ledger shows it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _check_language(detection: Detection) -> None:
    if detection.language is None:
        raise Rejected("unknown-language", "The text is in a script none of the known languages is written in.")
    if detection.language not in settings.CONTENT_LANGUAGES:
        name = LANG_INFO.get(detection.language, {}).get("name", detection.language)
        raise Rejected(
            "unsupported-language",
            f"The story is in {name} ({detection.language}), which is not a content language "
            f"({', '.join(settings.CONTENT_LANGUAGES)}); add it to NEWSROOM_LANGUAGES to import it.",
        )


def _parts(story: CleanStory) -> list[tuple[str, str]]:
    return [
        ("title", story.title),
        ("lead", story.lead),
        *((f"paragraph {number}", text) for number, text in enumerate(story.paragraphs, 1)),
        *((f"caption {number}", caption.text) for number, caption in enumerate(story.captions, 1)),
    ]


def _translated_values(story: CleanStory, language: str) -> dict[str, str]:
    return {
        column("title", language): story.title[:400],
        column("lead", language): story.lead,
        column("body", language): story.body,
    }


def _extracted(story: CleanStory, detection: Detection) -> dict:
    return {
        "title": story.title,
        "title_provisional": story.title_provisional,
        "lead": story.lead,
        "body": story.body,
        "captions": [asdict(caption) for caption in story.captions],
        "source_url": story.source_url,
        "outlet_name": story.outlet_name,
        "published_on": iso_date(story.published_on),
        "byline": story.byline,
        "language": detection.language,
        "language_confidence": detection.confidence,
        "language_method": detection.method,
    }


def caption_values(story: CleanStory) -> list[list[str]]:
    return [[caption.text, caption.credit] for caption in story.captions]


def fingerprint(value) -> str:
    """A short digest of a value an import wrote: enough to tell later whether an editor changed it."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


def _fingerprints(values: dict) -> dict[str, str]:
    return {name: fingerprint(value) for name, value in values.items()}


def owned_values(article: Article, language: str) -> dict:
    """The fields an import writes, as they are now: compared with what the last import wrote."""
    name = column("caption", language)
    return {
        **{column(f, language): getattr(article, column(f, language)) or "" for f in TRANSLATED_FIELDS},
        "byline": article.byline,
        "original_published_on": iso_date(article.original_published_on),
        "outlet": article.outlet_id,
        "captions": [[getattr(image, name) or "", image.credit] for image in article.images.all()],
    }


def set_captions(article: Article, story: CleanStory, language: str, *, overwrite: bool) -> None:
    """Write this language's captions onto the story's images by position, adding images as needed."""
    name = column("caption", language)
    images = {image.position: image for image in article.images.all()}
    for position, caption in enumerate(story.captions):
        image = images.get(position)
        if image is None:
            _new_image(article, position, caption, language).save()
        elif overwrite or not getattr(image, name):
            setattr(image, name, caption.text)
            image.credit = image.credit or caption.credit[:300]
            image.save()


def _new_image(article: Article, position: int, caption: Caption, language: str) -> ArticleImage:
    texts = {column("caption", language): caption.text, column("alt_text", language): caption.alt_text[:500]}
    return ArticleImage(
        article=article,
        position=position,
        source_name=caption.source_name[:500],
        credit=caption.credit[:300],
        **_translations(("caption", "alt_text"), texts),
    )


def _translations(fields: Iterable[str], values: dict[str, str]) -> dict[str, str]:
    """Every language column of ``fields``, empty unless in ``values``. Passing them all to the
    constructor spares modeltranslation a locale switch per column for its defaults, which is most of
    the cost of building a new model instance."""
    return {column(field, language): "" for field in fields for language in settings.CONTENT_LANGUAGES} | values


def _link(relation, article_id: int, ids: list[int]) -> None:
    """Insert many-to-many rows for a new article in one statement (no model instances needed)."""
    if not ids:
        return
    field, quote = relation.field, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(field.m2m_db_table())} "  # noqa: S608 - names from the model  # nosec B608
            f"({quote(field.m2m_column_name())}, {quote(field.m2m_reverse_name())}) VALUES (%s, %s)",
            [(article_id, target_id) for target_id in dict.fromkeys(ids)],
        )


def normalise_url(url: str) -> str:
    """Source URLs compare without fragment and with a lower-case scheme and host."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))[:1000]


def iso_date(value) -> str | None:
    return value.isoformat() if value else None
