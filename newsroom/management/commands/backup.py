"""Back up the desk: ``manage.py backup [--output FILE]``.

Guarantees: one gzipped tar archive holding every story with its translations, links, revisions and images,
the tag and topic registry, the outlets, the import ledger, users and groups, and every uploaded file; read
from one consistent snapshot of the database; written under a temporary name and renamed only when complete;
readable by its owner only (it holds password hashes). ``manage.py restore`` loads it. See docs/backup.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from newsroom.backup import backup


class Command(BaseCommand):
    help = "Write the database's content and the uploaded files into one archive (see docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            metavar="FILE",
            help="Where to write the archive (default: newsroom-backup-<date>-<time>.tar.gz here).",
        )

    def handle(self, *args, **options):
        output = options["output"] or Path(f"newsroom-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        summary = backup(output)
        if options["verbosity"]:
            if options["verbosity"] >= 2:
                for label, count in summary.rows.items():
                    self.stdout.write(f"{count:>9}  {label}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {summary.path}: {sum(summary.rows.values())} rows, {summary.media_files} media files "
                    f"({summary.media_bytes:,} bytes), {summary.path.stat().st_size:,} bytes in all."
                )
            )
