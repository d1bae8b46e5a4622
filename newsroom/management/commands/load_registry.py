"""Add the shipped registry's new topics, keywords, tags, aliases and outlets: ``manage.py load_registry``.

Guarantees: never changes or deletes what editors edited; only adds what is
missing and fills translations that are empty. Safe to run any number of times.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from newsroom import cache
from newsroom.registry import sync_registry


class Command(BaseCommand):
    help = "Add topics, tags, aliases and outlets from newsroom/registry/*.json that the database lacks."

    def handle(self, *args, **options):
        with transaction.atomic():
            report = sync_registry()
            cache.invalidate()  # aliases are added in bulk, without signals
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.created} created, {report.filled} translations filled, {report.aliases} aliases added"
                    + (
                        f", {report.skipped_aliases} aliases skipped (already another tag's)"
                        if report.skipped_aliases
                        else ""
                    )
                    + "."
                )
            )
