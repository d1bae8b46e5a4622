"""Backup and restore of the desk: one archive with the database's content and the uploaded files.

The archive is a gzipped tar file:

- ``manifest.json``: the archive format, when it was made, the migrations applied to the database then, how
  many rows of each model and the SHA-256 of each media file;
- ``data.jsonl``: what ``dumpdata --format jsonl --natural-foreign`` writes (times kept to the microsecond),
  one object a line, with natural foreign keys (content types and
  permissions are referred to by name, so the archive loads into any database migrated to the same state):
  users and groups, the admin's history, and every model of the newsroom app (stories with their
  translations, topics, tags and related links, revisions, images, tags and aliases, topics and keywords,
  outlets, the import ledger with its raw text and bytes), except the search documents, which are derived
  and rebuilt after a restore;
- ``media/``: every file under ``MEDIA_ROOT`` (the uploaded pictures), byte for byte.

The dump is read in one transaction (on PostgreSQL a repeatable-read snapshot), so it is consistent even while
the desk works. A restore goes into a migrated database: in one transaction it empties the archived tables
(those a migration filled, such as the starter registry and the roles, included), loads the archive, checks
every model's row count against the manifest and rebuilds the search index; then it moves the media files
into place, checked against their checksums. It refuses a database that holds stories, ledger rows or
users, or a media folder that holds files, unless forced.
"""

import datetime
import hashlib
import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

from newsroom import cache, search
from newsroom.models import Article, RawDocument, SearchDocument
from newsroom.planner import refresh_statistics

FORMAT = "newsroom-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
MEDIA = "media"
# Rows fetched at a time (with their many-to-many links) while dumping.
DUMP_CHUNK = 2000


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why and what to do."""


@dataclass
class Summary:
    """What an archive holds (or what a restore put back)."""

    path: Path
    rows: dict[str, int]
    media_files: int
    media_bytes: int
    created_at: str = ""
    warnings: list[str] = field(default_factory=list)


def archived_models() -> list[type[Model]]:
    """The models whose rows go into the archive: users, groups, the admin's history and the newsroom app
    (its search documents aside)."""
    newsroom = [model for model in apps.get_app_config("newsroom").get_models() if model is not SearchDocument]
    return [Group, get_user_model(), LogEntry, *newsroom]


def _tables(models: list[type[Model]]) -> list[str]:
    """The tables of ``models`` and of their many-to-many links."""
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [m2m.remote_field.through._meta.db_table for m2m in model._meta.local_many_to_many]
    return list(dict.fromkeys(tables))


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _media_files(root: Path) -> Iterator[Path]:
    """The files under ``root``, hidden ones aside (a restore stages its files in a hidden folder there)."""
    if root.is_dir():
        yield from sorted(
            path
            for path in root.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
        )


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for the whole dump (on SQLite the transaction holds the write lock:
    an import waits for the dump; on PostgreSQL a read-only repeatable-read snapshot, when the dump is not
    already inside a transaction)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond (``dumpdata`` keeps milliseconds): a restored story is saved at the very moment
    it was, and its revisions and ledger rows keep their order."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump(models: list[type[Model]], stream) -> dict[str, int]:
    """``dumpdata``'s JSON Lines for ``models`` (those with natural keys first, as it orders them), written one
    object a line with many-to-many links fetched in chunks; the number of rows of each model."""
    rows = {}
    for model in serializers.sort_dependencies([(None, models)], allow_cycles=True):
        links = [m2m.name for m2m in model._meta.local_many_to_many]
        objects = model._base_manager.order_by("pk").prefetch_related(*links).iterator(chunk_size=DUMP_CHUNK)
        counted = _Counted(objects)
        serializers.serialize("jsonl", counted, stream=stream, use_natural_foreign_keys=True, cls=ExactJSONEncoder)
        rows[model._meta.label_lower] = counted.count
    return rows


class _Counted:
    def __init__(self, objects: Iterator[Model]):
        self.objects, self.count = objects, 0

    def __iter__(self) -> Iterator[Model]:
        for obj in self.objects:
            self.count += 1
            yield obj


def backup(output: Path) -> Summary:
    """Write the archive to ``output`` (readable by its owner only: it holds users' password hashes)."""
    models = archived_models()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="newsroom-backup-") as work:
        data = Path(work) / DATA
        with _snapshot(), data.open("w", encoding="utf-8") as stream:
            rows = _dump(models, stream)
            migrations = _applied_migrations()
        media = {str(path.relative_to(media_root)): _sha256(path) for path in _media_files(media_root)}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": migrations,
            "rows": rows,
            "media": media,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        partial.touch(mode=0o600)
        with tarfile.open(partial, "w:gz") as archive:
            payload = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(payload), int(timezone.now().timestamp()), 0o600
            archive.addfile(info, BytesIO(payload))
            archive.add(data, DATA)
            for name in media:
                archive.add(media_root / name, f"{MEDIA}/{name}")
        partial.replace(output)  # a crash never leaves a truncated archive under the final name
    return Summary(output, rows, len(media), sum((media_root / name).stat().st_size for name in media))


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError(f"This is not a Newsroom backup ({error}).") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"Unknown archive format {manifest.get('format')!r} version {manifest.get('version')!r}; "
            f"this release reads {FORMAT} version {VERSION}."
        )
    return manifest


def desk_contents() -> list[str]:
    """What the database and media folder here hold of a desk's own work (what a restore would replace)."""
    found = []
    for model in (Article, RawDocument, get_user_model()):
        if count := model._base_manager.count():
            found.append(f"{count} {model._meta.verbose_name_plural}")
    if any(_media_files(Path(settings.MEDIA_ROOT))):
        found.append(f"files in {settings.MEDIA_ROOT}")
    return found


def restore(path: Path, *, force: bool = False, dry_run: bool = False, log: Callable[[str], None] = print) -> Summary:
    """Load the archive at ``path`` into this (migrated) database and media folder; see the module docstring.
    ``dry_run`` checks the archive and the target and returns what would be restored, changing nothing."""
    with _open(path) as archive:
        manifest = read_manifest(archive)
        applied = {tuple(item) for item in _applied_migrations()}
        missing = sorted({tuple(item) for item in manifest["migrations"]} - applied)
        if missing:
            names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
            raise BackupError(
                f"The database lacks {len(missing)} migration(s) the backup was made with ({names}…): run "
                "`manage.py migrate` with the release that made the backup, then restore."
            )
        summary = Summary(
            path,
            manifest["rows"],
            len(manifest["media"]),
            sum(member.size for member in archive.getmembers() if member.name.startswith(f"{MEDIA}/")),
            manifest["created_at"],
        )
        newer = sorted(applied - {tuple(item) for item in manifest["migrations"]})
        if newer:
            summary.warnings.append(
                f"The database has {len(newer)} migration(s) newer than the backup; the data was loaded into them."
            )
        if found := desk_contents():
            if not force:
                raise BackupError(
                    f"The target is not empty ({', '.join(found)}): restore into a freshly migrated database and "
                    "an empty media folder, or pass --force to replace what is there."
                )
            summary.warnings.append(f"Replaced what was here: {', '.join(found)}.")
        if dry_run:
            return summary
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root) as work:
            staging = Path(work)
            _extract(archive, staging)
            for name, digest in manifest["media"].items():
                if ".." in PurePosixPath(name).parts or PurePosixPath(name).is_absolute():
                    raise BackupError(f"The archive names a media file outside the media folder: {name}.")
                extracted = staging / MEDIA / name
                if not extracted.is_file() or _sha256(extracted) != digest:
                    raise BackupError(f"The media file {name} is missing from the archive or damaged.")
            _load(staging / DATA, manifest["rows"], log)
            for name in manifest["media"]:
                target = media_root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                (staging / MEDIA / name).replace(target)
    return summary


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read {path}: {error}.") from None


def _extract(archive: tarfile.TarFile, folder: Path) -> None:
    """The data file and the media files, never outside ``folder`` (the "data" filter refuses absolute paths,
    ``..``, links out of the folder and device files)."""
    for member in archive.getmembers():
        if member.name == DATA or member.name.startswith(f"{MEDIA}/"):
            try:
                archive.extract(member, folder, filter="data")
            except tarfile.FilterError as error:
                raise BackupError(f"The archive holds an unsafe entry: {error}.") from None


@contextmanager
def _constraints_checked() -> Iterator[None]:
    """PostgreSQL's TRUNCATE refuses a table with foreign-key checks still pending in the transaction (rows
    written earlier in it, when a caller's transaction encloses the restore): run them first, and defer the
    checks again afterwards, for the load."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _load(data: Path, expected: dict[str, int], log: Callable[[str], None]) -> None:
    models = archived_models()
    with transaction.atomic():
        # Empty the archived tables first, those a data migration filled included (the starter registry, the
        # roles): the archive has the desk's own versions of them, under the same keys. Search documents go
        # too, and are rebuilt from the loaded stories; and sessions, as a restore's users are not the ones
        # who were logged in.
        tables = _tables([*models, SearchDocument, Session])
        statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=False)
        with _constraints_checked():
            connection.ops.execute_sql_flush(statements)
        # Loading links tags to stories (their search documents are rebuilt once, at the end of the block);
        # the stories without tags are indexed next.
        ContentType.objects.clear_cache()  # permissions are found by their content type's name
        with search.deferred():
            call_command("loaddata", str(data), verbosity=0, stdout=StringIO())
        search.index_missing()
        log(f"Search index rebuilt: {SearchDocument.objects.count()} documents.")
        found = {model._meta.label_lower: model._base_manager.count() for model in models}
        wrong = {label: (found.get(label), count) for label, count in expected.items() if found.get(label) != count}
        if wrong:
            raise BackupError(f"The restored rows do not match the backup (found, expected): {wrong}.")
        cache.invalidate()
    refresh_statistics()
