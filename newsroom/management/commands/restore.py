"""Restore a backup made by ``manage.py backup``: ``manage.py restore FILE [--force] [--dry-run]``.

Guarantees: into a migrated database (every migration the backup was made with applied) and its media folder,
all or nothing for the database: the archived tables are emptied and loaded in one transaction, every model's
row count is checked against the archive, and the search index is rebuilt; media files are checked against
their checksums before anything is written and moved into place afterwards. Refuses a database that holds
stories, ledger rows or users, or a media folder with files, unless ``--force``. ``--dry-run`` checks the
archive and the target and writes nothing. Exit status 1 when the restore was refused or failed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.backup import BackupError, restore


class Command(BaseCommand):
    help = "Load an archive written by `manage.py backup` into an empty, migrated database (see docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz file `manage.py backup` wrote.")
        parser.add_argument("--force", action="store_true", help="Replace the stories, users and files already here.")
        parser.add_argument("--dry-run", action="store_true", help="Check the archive and the target; write nothing.")

    def handle(self, *args, **options):
        log = self.stdout.write if options["verbosity"] else (lambda message: None)
        try:
            summary = restore(options["archive"], force=options["force"], dry_run=options["dry_run"], log=log)
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        for warning in summary.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if options["verbosity"]:
            if options["verbosity"] >= 2:
                for label, count in summary.rows.items():
                    self.stdout.write(f"{count:>9}  {label}")
            verb = "Would restore" if options["dry_run"] else "Restored"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} the backup of {summary.created_at}: {sum(summary.rows.values())} rows, "
                    f"{summary.media_files} media files ({summary.media_bytes:,} bytes)."
                )
            )
