"""Rebuild every story's search documents: ``manage.py rebuild_search_index``.

Guarantees: afterwards each story has exactly one document per language it
exists in, built by the current normaliser. Saves keep documents in step on
their own; this is for data that arrived without them (``loaddata``, a
restored dump, a change to ``newsroom/search.py``). Safe to run any time.
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from newsroom import cache, search
from newsroom.models import SearchDocument


class Command(BaseCommand):
    help = "Rebuild the search documents of every story (SQLite FTS5 or PostgreSQL full-text index)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            written = search.rebuild()
            cache.invalidate()  # search pages and the API's ?q= answers
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"{written} documents written in {time.perf_counter() - started:.1f} s.")
            )
