"""IPTC ninjs 2.2 for stories: the one serializer the export command and the JSON API use.

One ninjs object describes one language version of an Article. Every object
this module builds validates against ``newsroom/spec/ninjs-schema_2.2.json``
(see ``validate``), carries only non-empty optional properties, and is built
from the article's own columns and prefetched relations only: serializing a
queryset from ``export_queryset()`` costs the same number of queries for any
number of articles.

Identifiers come from ``settings.NEWSROOM_URI_BASE`` (default ``urn:newsroom``):
a URN base is extended with colon-separated segments
(``urn:newsroom:article:12:hi``, ``urn:newsroom:image:7``), any other base is
taken as a URL prefix (``https://news.example.org/articles/12/hi``,
``https://news.example.org/images/7``). The language segment is the project's
content-language code, as in the site's URLs.
"""

import json
import mimetypes
import re
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from jsonschema import Draft202012Validator, FormatChecker

from newsroom.languages import column, display_name, translated
from newsroom.models import Article, ArticleImage, Tag

SCHEMA_PATH = Path(__file__).resolve().parent / "spec" / "ninjs-schema_2.2.json"

PUBSTATUS = {
    Article.Status.DRAFT: "withheld",
    Article.Status.IN_REVIEW: "withheld",
    Article.Status.PUBLISHED: "usable",
    Article.Status.ARCHIVED: "canceled",
}

TAG_PROPERTY = {
    Tag.Kind.PLACE: "places",
    Tag.Kind.ORGANISATION: "organisations",
    Tag.Kind.PERSON: "people",
    Tag.Kind.PROGRAMME: "subjects",
    Tag.Kind.SUBJECT: "subjects",
}

_RFC3339_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)
_RFC3986_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def export_queryset() -> QuerySet[Article]:
    """Every article, drafts included, by pk, with everything the serializer reads loaded up front."""
    return (
        Article.objects.select_related("outlet", "primary_topic")
        .prefetch_related("topics", "tags", "images")
        .order_by("pk")
    )


def language_tag(language: str) -> str:
    """The BCP 47 spelling of a content-language code: ``zh-hans`` -> ``zh-Hans``, ``pt-br`` -> ``pt-BR``."""
    primary, *subtags = language.split("-")
    spelled = [primary.lower()]
    for subtag in subtags:
        if len(subtag) == 4 and subtag.isalpha():
            spelled.append(subtag.title())
        elif (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            spelled.append(subtag.upper())
        else:
            spelled.append(subtag.lower())
    return "-".join(spelled)


def object_uri(kind: str, *segments: object) -> str:
    """The stable identifier of a newsroom object of ``kind`` (``article``, ``image``), per the module docstring."""
    base = getattr(settings, "NEWSROOM_URI_BASE", "urn:newsroom").rstrip("/:")
    parts = [str(segment) for segment in segments]
    if base.lower().startswith("urn:"):
        return ":".join([base, kind, *parts])
    return "/".join([base, f"{kind}s", *parts])


def article_to_ninjs(article: Article, language: str, *, base_url: str = "") -> dict[str, Any]:
    """The ninjs object of ``article`` in ``language``; ``ValueError`` if the story has no such version.

    ``base_url`` (the site's absolute root) turns image files into rendition
    links when the storage serves them on a relative URL; without it only
    files with an absolute storage URL get a rendition.
    """
    if language not in article.languages():
        raise ValueError(f"Article {article.pk} has no {language!r} version.")
    fields = {field: getattr(article, column(field, language)) for field in ("title", "lead", "body")}
    tagged = _tags_by_property(article, language)
    return _present(
        uri=object_uri("article", article.pk, language),
        type="text",
        representationtype="full",
        version=str(article.version),
        firstcreated=_timestamp(article.created_at),
        versioncreated=_timestamp(article.updated_at),
        contentcreated=_start_of_day(article.original_published_on),
        embargoed=_embargo(article),
        pubstatus=PUBSTATUS[article.status],
        language=language_tag(language),
        altids=[
            {"role": "article-id", "value": str(article.pk)},
            *([{"role": "source-url", "value": article.source_url}] if article.source_url else []),
        ],
        headlines=[{"role": "main", "value": fields["title"]}],
        descriptions=_plain_text("summary", fields["lead"]),
        bodies=_plain_text("main", fields["body"]),
        by=article.byline,
        infosources=_infosources(article),
        subjects=_topic_subjects(article, language) + tagged["subjects"],
        places=tagged["places"],
        organisations=tagged["organisations"],
        people=tagged["people"],
        associations=[
            _image(image, number, [language, article.original_language], base_url)
            for number, image in enumerate(sorted(article.images.all(), key=lambda i: (i.position, i.pk)), start=1)
        ],
    )


def article_versions(article: Article, *, base_url: str = "") -> list[dict[str, Any]]:
    """One ninjs object per language the story exists in, the original language first."""
    return [article_to_ninjs(article, language, base_url=base_url) for language in article.languages()]


def format_checker() -> FormatChecker:
    """The 2020-12 format checker, with ``date-time`` (RFC 3339) and ``uri`` (RFC 3986) always enforced.

    jsonschema checks those two formats only when optional packages are
    installed and otherwise lets any string pass; these checks do not depend
    on them.
    """
    checker = FormatChecker(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


@cache
def validator() -> Draft202012Validator:
    """The validator of the project's ninjs 2.2 schema, with format checking; built once per process."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=format_checker())


def validate(obj: dict[str, Any]) -> None:
    """Return if ``obj`` is valid ninjs 2.2; raise the most relevant ``jsonschema.ValidationError`` otherwise."""
    validator().validate(obj)


def _present(**properties: Any) -> dict[str, Any]:
    return {name: value for name, value in properties.items() if value}


def _plain_text(role: str, value: str) -> list[dict[str, str]]:
    return [{"role": role, "contenttype": "text/plain", "value": value}] if value else []


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _start_of_day(day: date | None) -> str:
    if day is None:
        return ""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone()).isoformat()


def _embargo(article: Article) -> str:
    """A published story scheduled for later is embargoed until its publication time."""
    scheduled = (
        article.status == Article.Status.PUBLISHED and article.published_at and article.published_at > timezone.now()
    )
    return _timestamp(article.published_at) if scheduled else ""


def _infosources(article: Article) -> list[dict[str, str]]:
    if not (article.outlet or article.source_url):
        return []
    return [
        _present(
            name=article.outlet.name if article.outlet else "",
            uri=iri_to_uri(article.source_url),
            role="originalsource",
        )
    ]


def _topic_subjects(article: Article, language: str) -> list[dict[str, str]]:
    primary = article.primary_topic
    others = sorted(
        (topic for topic in article.topics.all() if topic.pk != article.primary_topic_id),
        key=lambda topic: (topic.position, topic.slug),
    )
    return [
        _present(name=display_name(topic, language), literal=topic.slug, rel="about")
        for topic in ([primary] if primary else []) + others
    ]


def _tags_by_property(article: Article, language: str) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {"subjects": [], "places": [], "organisations": [], "people": []}
    for tag in sorted(article.tags.all(), key=lambda tag: tag.slug):
        grouped[TAG_PROPERTY[tag.kind]].append(
            _present(name=display_name(tag, language), literal=tag.slug, rel="mentions")
        )
    return grouped


def _image(image: ArticleImage, number: int, languages: list[str], base_url: str) -> dict[str, Any]:
    """An association: the schema requires ``name`` and ``uri``, so every image gets its identifier as ``uri``."""
    caption = translated(image, "caption", languages)
    alt_text = translated(image, "alt_text", languages)
    return _present(
        name=f"image-{number}",
        uri=object_uri("image", image.pk),
        type="picture",
        by=image.credit,
        descriptions=[
            *([{"role": "caption", "value": caption}] if caption else []),
            *([{"role": "alt", "value": alt_text}] if alt_text else []),
        ],
        renditions=_renditions(image, base_url),
    )


def _renditions(image: ArticleImage, base_url: str) -> list[dict[str, str]]:
    if not image.image:
        return []
    href = iri_to_uri(urljoin(base_url, image.image.url))
    if not _is_uri(href):
        return []
    content_type, _ = mimetypes.guess_type(image.image.name)
    return [_present(name="original", href=href, contenttype=content_type or "")]


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339_DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper())
    return True


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_RFC3986_URI.fullmatch(value))
