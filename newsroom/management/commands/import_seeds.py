"""Import raw scraped stories: ``manage.py import_seeds [PATH ...]``.

Guarantees: every good file is imported even when others are rejected; the
same bytes twice change nothing; editors' changes survive a re-import; an
import that was killed is completed by running it again on the same files;
``--dry-run`` writes nothing. Exit status 1 when any file was rejected.
"""

import json
import sys
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.ingest.load import FileResult, Importer, discover

STYLES = {
    "created": "SUCCESS",
    "translation-added": "SUCCESS",
    "updated": "WARNING",
    "unchanged": "HTTP_NOT_MODIFIED",
    "rejected": "ERROR",
}


class Command(BaseCommand):
    help = "Import raw story files (or folders of them) into the newsroom; default: the seeds folder."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Files or folders (default: NEWSROOM_SEEDS_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish new stories now instead of leaving drafts.")
        parser.add_argument("--json", action="store_true", help="Print only a JSON list with one object per file.")

    def handle(self, *args, **options):
        paths = discover(options["paths"] or [settings.NEWSROOM_SEEDS_DIR])
        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        as_json = options["json"]
        verbosity = 0 if as_json else options["verbosity"]
        progress = self._progress(len(paths)) if verbosity and sys.stdout.isatty() and len(paths) > 1 else None
        # Each file is its own transaction; a dry run wraps them all in one that is rolled back.
        with transaction.atomic() if options["dry_run"] else nullcontext():
            report = Importer(publish=options["publish"]).import_paths(paths, progress=progress)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if progress:
            self.stdout.write("")
        if as_json:
            self.stdout.write(json.dumps([result.as_json() for result in report.results], ensure_ascii=False, indent=2))
        else:
            self._summary(report, verbosity, options["dry_run"])
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} of {len(report.results)} files were rejected.", returncode=1)

    def _progress(self, total: int):
        done = 0

        def show(result: FileResult) -> None:
            nonlocal done
            done += 1
            width = 30
            filled = width * done // total
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
            self.stdout.flush()

        return show

    def _summary(self, report, verbosity: int, dry_run: bool) -> None:
        if not verbosity:
            return
        for result in report.results:
            if (
                verbosity >= 2
                or result.status in {"rejected", "updated"}
                or result.conflicts
                or (verbosity >= 1 and len(report.results) <= 50)
            ):
                style = getattr(self.style, STYLES[result.status])
                line = f"{result.status:>17}  {result.file}"
                if result.article:
                    line += f"  -> article {result.article} [{result.language}]"
                if result.reason:
                    line += f"  ({result.reason})"
                self.stdout.write(style(line))
        counts = report.counts()
        summary = ", ".join(f"{counts[status]} {status}" for status in STYLES if counts[status])
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{len(report.results)} files: {summary or 'none'}.")
