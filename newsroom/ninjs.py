"""IPTC ninjs 2.2 for stories: the one serializer the export command and the JSON API use.

One ninjs object describes one language version of an Article. Every object
this module builds validates against ``newsroom/spec/ninjs-schema_2.2.json``
(see ``validate``), carries only non-empty optional properties, and is built
from the article's own columns and its ``Links`` only: serializing a queryset
from ``export_queryset()`` (relations prefetched), or a page of
``for_serializer()`` with ``fetch_links()`` (relations read as plain rows),
costs the same number of queries for any number of articles.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
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

from newsroom.languages import column, content_languages, name_languages, translated
from newsroom.models import Article, ArticleImage, Tag, Topic
from newsroom.querysets import registry

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


def for_serializer(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` with the columns the serializer reads and no others, their outlet and primary topic joined;
    serialize each with its ``fetch_links`` entry. The language-version bookkeeping (a JSON column) and the
    untranslated copies of the texts are left in the database."""
    texts = [column(name, language) for name in ("title", "lead", "body") for language in content_languages()]
    own = ["original_language", "status", "published_at", "created_at", "updated_at", "version", "byline"]
    return articles.select_related("outlet", "primary_topic").only(
        *texts,
        *own,
        "original_published_on",
        "source_url",
        "outlet__name",
        *(f"primary_topic__{name}" for name in _topic_fields()),
    )


@dataclass
class Links:
    """What a story links to, as the serializer reads it: rows keyed by column name, in the order they are shown.

    A row costs a fraction of a model instance, and a page of twenty stories links to a hundred topics, tags and
    images. Topics (``slug``, ``position``, the names) by position and slug, tags (``slug``, ``kind``, the names)
    by slug, images (``pk``, ``position``, ``image`` the file's name, ``credit``, captions and alt texts) by
    position and pk."""

    topics: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, article: Article) -> "Links":
        """The links of an article from its relations (prefetched, or a query each)."""

        def rows(objects, names: list[str]) -> list[dict[str, Any]]:
            return [{name: getattr(obj, name) for name in names} for obj in objects]

        images = rows(article.images.all(), _image_fields())
        for row in images:
            row["image"] = row["image"].name
        return cls(
            topics=_sorted_topics(rows(article.topics.all(), _topic_fields())),
            tags=_sorted_tags(rows(article.tags.all(), _tag_fields())),
            images=_sorted_images(images),
        )


def fetch_links(article_ids: Iterable[int]) -> dict[int, Links]:
    """The links of each of ``article_ids``, in three queries (which topics, which tags, the images) whatever their
    number; the topics' and tags' rows come from the ``registry``, each made a link's row once."""
    ids = list(article_ids)
    links = {pk: Links() for pk in ids}
    for relation, model, fields in (("topics", Topic, _topic_fields()), ("tags", Tag, _tag_fields())):
        through = getattr(Article, relation).through.objects.filter(article_id__in=ids)
        pairs = list(through.values_list("article_id", f"{model._meta.model_name}_id"))
        rows = _registry_rows(model, {linked for _, linked in pairs}, fields)
        for article_id, linked in pairs:
            getattr(links[article_id], relation).append(rows[linked])
    image_fields = _image_fields()
    for article_id, *values in (
        ArticleImage.objects.filter(article_id__in=ids).order_by().values_list("article_id", *image_fields)
    ):
        links[article_id].images.append(dict(zip(image_fields, values, strict=True)))
    for link in links.values():
        link.topics = _sorted_topics(link.topics)
        link.tags = _sorted_tags(link.tags)
        link.images = _sorted_images(link.images)
    return links


def _registry_rows(model, ids: set[int], fields: list[str]) -> dict[int, dict[str, Any]]:
    """The rows ``ids`` of a small table as links' rows (``fields``), from the ``registry``; any saved since it was
    read, from the database."""
    known = registry(model)
    found = {pk: known[pk] for pk in ids if pk in known}
    if len(found) < len(ids):
        found |= model.objects.in_bulk(ids - found.keys())
    return {pk: {name: getattr(row, name) for name in fields} for pk, row in found.items()}


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


def article_to_ninjs(
    article: Article, language: str, *, base_url: str = "", links: Links | None = None
) -> dict[str, Any]:
    """The ninjs object of ``article`` in ``language``; ``ValueError`` if the story has no such version.

    ``base_url`` (the site's absolute root) turns image files into rendition
    links when the storage serves them on a relative URL; without it only
    files with an absolute storage URL get a rendition. ``links``: the story's
    ``fetch_links`` entry; by default read from its relations.
    """
    if not has_version(article, language):
        raise ValueError(f"Article {article.pk} has no {language!r} version.")
    if links is None:
        links = Links.of(article)
    fields = {field: getattr(article, column(field, language)) for field in ("title", "lead", "body")}
    names = name_languages(language)
    tagged = _tags_by_property(links.tags, names)
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
        subjects=_topic_subjects(article, links.topics, names) + tagged["subjects"],
        places=tagged["places"],
        organisations=tagged["organisations"],
        people=tagged["people"],
        associations=[
            _image(image, number, [language, article.original_language], base_url)
            for number, image in enumerate(links.images, start=1)
        ],
    )


def has_version(article: Article, language: str) -> bool:
    """Whether ``article`` exists in ``language`` (``Article.languages``): it has a headline there."""
    return language in content_languages() and bool(getattr(article, column("title", language)))


def article_versions(article: Article, *, base_url: str = "", links: Links | None = None) -> list[dict[str, Any]]:
    """One ninjs object per language the story exists in, the original language first."""
    if links is None:
        links = Links.of(article)
    return [article_to_ninjs(article, language, base_url=base_url, links=links) for language in article.languages()]


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


def _topic_fields() -> list[str]:
    return ["slug", "position", *(column("name", language) for language in content_languages())]


def _tag_fields() -> list[str]:
    return ["slug", "kind", *(column("name", language) for language in content_languages())]


def _image_fields() -> list[str]:
    texts = [column(name, language) for name in ("caption", "alt_text") for language in content_languages()]
    return ["pk", "position", "image", "credit", *texts]


def _sorted_topics(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["position"], row["slug"]))


def _sorted_tags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row["slug"])


def _sorted_images(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["position"], row["pk"]))


def _display_name(row: dict[str, Any], names: list[str]) -> str:
    """``languages.display_name`` of a row, ``names`` its ``name_languages``: else its slug (what a topic or tag
    without any name is called)."""
    return translated(row, "name", names) or row["slug"]


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


def _topic_subjects(article: Article, topics: list[dict[str, Any]], names: list[str]) -> list[dict[str, str]]:
    """The primary topic first, then the others by position and slug."""
    primary = article.primary_topic
    rows = [{name: getattr(primary, name, None) for name in _topic_fields()}] if primary else []
    rows += [topic for topic in topics if not (primary and topic["slug"] == primary.slug)]
    return [_present(name=_display_name(topic, names), literal=topic["slug"], rel="about") for topic in rows]


def _tags_by_property(tags: list[dict[str, Any]], names: list[str]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {"subjects": [], "places": [], "organisations": [], "people": []}
    for tag in tags:
        grouped[TAG_PROPERTY[tag["kind"]]].append(
            _present(name=_display_name(tag, names), literal=tag["slug"], rel="mentions")
        )
    return grouped


def _image(image: dict[str, Any], number: int, languages: list[str], base_url: str) -> dict[str, Any]:
    """An association: the schema requires ``name`` and ``uri``, so every image gets its identifier as ``uri``."""
    caption = translated(image, "caption", languages)
    alt_text = translated(image, "alt_text", languages)
    return _present(
        name=f"image-{number}",
        uri=object_uri("image", image["pk"]),
        type="picture",
        by=image["credit"],
        descriptions=[
            *([{"role": "caption", "value": caption}] if caption else []),
            *([{"role": "alt", "value": alt_text}] if alt_text else []),
        ],
        renditions=_renditions(image["image"], base_url),
    )


def _renditions(file_name: str, base_url: str) -> list[dict[str, str]]:
    if not file_name:
        return []
    href = iri_to_uri(urljoin(base_url, ArticleImage._meta.get_field("image").storage.url(file_name)))
    if not _is_uri(href):
        return []
    content_type, _ = mimetypes.guess_type(file_name)
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
