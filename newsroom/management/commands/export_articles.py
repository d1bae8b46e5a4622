"""Export stories as IPTC ninjs 2.2: ``manage.py export_articles [--language CODE] [--status STATUS] [--output FILE]``.

Guarantees: the output is one JSON list (UTF-8, not ASCII-escaped) holding
every language version of every selected article, drafts included unless
``--status`` says otherwise, in article pk order with each story's original
language first. Every object has been validated against the ninjs 2.2 schema
before anything is written: if any fails, each failure is reported on stderr
(article, language, message, location), nothing is written, and the command
exits with status 1.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsroom.models import Article
from newsroom.ninjs import article_to_ninjs, article_versions, export_queryset, validator


class Command(BaseCommand):
    help = (
        "Print every article (drafts included) as one JSON list of IPTC ninjs 2.2 objects, one per language "
        "version, each validated against the schema."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language", metavar="CODE", choices=settings.CONTENT_LANGUAGES, help="Only this language version."
        )
        parser.add_argument("--status", choices=Article.Status.values, help="Only articles with this status.")
        parser.add_argument("--output", metavar="FILE", type=Path, help="Write the JSON to FILE instead of stdout.")
        parser.add_argument(
            "--base-url",
            default="",
            metavar="URL",
            help="The site's absolute root (https://news.example.org/), used to link image files.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language, base_url = options["language"], options["base_url"]
        articles = export_queryset()
        if options["status"]:
            articles = articles.filter(status=options["status"])
        if language:
            articles = articles.in_language(language)

        objects: list[dict[str, Any]] = []
        failures = 0
        for article in articles.iterator(chunk_size=500):
            if language:
                versions = [article_to_ninjs(article, language, base_url=base_url)]
            else:
                versions = article_versions(article, base_url=base_url)
            for obj in versions:
                for error in validator().iter_errors(obj):
                    failures += 1
                    location = "/".join(str(part) for part in error.absolute_path) or "(root)"
                    self.stderr.write(f"article {article.pk} [{obj.get('language')}] at {location}: {error.message}")
            objects.extend(versions)
        if failures:
            raise CommandError(f"{failures} ninjs validation error(s); nothing was written.", returncode=1)

        text = json.dumps(objects, ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
            if options["verbosity"]:
                self.stdout.write(self.style.SUCCESS(f"Wrote {len(objects)} ninjs objects to {options['output']}."))
        else:
            self.stdout.write(text)
