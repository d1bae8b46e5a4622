"""Make every public page stored so far unreachable: ``manage.py invalidate_cache``.

Saves invalidate on their own, and an invalidation Redis missed is recorded in the database for the next process
that reaches it. This is for a change the cache could not be told of otherwise: one made while Redis was out of reach
by a process that could not record it either and then exited (its log ends "run `manage.py invalidate_cache` once it
answers"), or one made in the database by hand. Safe to run any time: the next reader of each page has it built again.
"""

from django.core.management.base import BaseCommand, CommandError

from newsroom import cache


class Command(BaseCommand):
    help = "Make every public page stored in the cache so far unreachable (after changes the cache missed)."

    def handle(self, *args, **options):
        cache.invalidate()
        if not cache.settle():
            recorded = cache.owed_recorded()
            cache.forget_failures()  # said here, not again when the process exits
            if recorded:
                raise CommandError(
                    "The shared cache did not answer: nothing was invalidated yet. The invalidation is recorded in the "
                    "database: the first process that reaches the cache makes it."
                )
            raise CommandError("The shared cache did not answer: nothing was invalidated. Run this again once it does.")
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Every public page stored so far will be built again."))
