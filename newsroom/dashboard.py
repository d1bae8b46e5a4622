"""The desk's figures: translation coverage, stories per topic and language, imports, what needs attention.

Queries only, no HTTP. Every function issues a fixed number of queries, however many stories there are:
per-language figures are conditional aggregates in one query, never a query per topic or language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import ClassVar

from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom.languages import column, content_languages
from newsroom.models import Article, RawDocument, Topic

LATEST_IMPORTS = 10
LATEST_REJECTIONS = 10


class Coverage(models.TextChoices):
    """The state of one story in one language; each has a symbol so that it is never told by colour alone."""

    ORIGINAL = "original", _("original")
    PRESENT = "present", _("present")
    OUTDATED = "outdated", _("outdated")
    MISSING = "missing", _("missing")

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {Coverage.ORIGINAL: "●", Coverage.PRESENT: "✓", Coverage.OUTDATED: "!", Coverage.MISSING: "✗"}


def present(language: str) -> Q:
    """Stories that exist in ``language``: a non-empty headline in its column."""
    title = column("title", language)
    return Q(**{f"{title}__isnull": False}) & ~Q(**{title: ""})


def _version(language: str) -> Coalesce:
    """The version at which the story's text in ``language`` last changed; 0 when it never did."""
    return Coalesce(Cast(KT(f"language_versions__{language}"), IntegerField()), Value(0))


def _original_version() -> Case:
    """The version at which the story's original text last changed."""
    return Case(
        *(When(original_language=lang, then=_version(lang)) for lang in content_languages()),
        default=Value(0),
        output_field=IntegerField(),
    )


def outdated(language: str) -> Q:
    """Stories whose translation into ``language`` is older than their original (as ``Article.outdated_languages``)."""
    return present(language) & ~Q(original_language=language) & Q(LessThan(_version(language), _original_version()))


def any_outdated() -> Q:
    """Stories with at least one outdated translation."""
    return reduce(or_, (outdated(lang) for lang in content_languages()))


def needs_translation(language: str) -> Q:
    """Stories not written in ``language`` whose translation into it is missing or outdated."""
    return ~Q(original_language=language) & (~present(language) | outdated(language))


def coverage_fields() -> list[str]:
    """The columns ``coverage_of`` reads: load stories with ``.only(*coverage_fields())`` to spare a query per row."""
    return ["original_language", "language_versions", *(column("title", lang) for lang in content_languages())]


def coverage_of(article: Article) -> dict[str, Coverage]:
    """The state of ``article`` in every content language, in content-language order."""
    existing = set(article.languages())
    stale = set(article.outdated_languages())
    states = {}
    for lang in content_languages():
        if lang == article.original_language:
            states[lang] = Coverage.ORIGINAL
        elif lang in stale:
            states[lang] = Coverage.OUTDATED
        elif lang in existing:
            states[lang] = Coverage.PRESENT
        else:
            states[lang] = Coverage.MISSING
    return states


def coverage_totals(stories: QuerySet[Article]) -> dict[str, dict[Coverage, int]]:
    """For each content language, how many of ``stories`` are in each state; one query."""
    conditions = {
        Coverage.ORIGINAL: lambda lang: Q(original_language=lang),
        Coverage.PRESENT: lambda lang: present(lang) & ~Q(original_language=lang) & ~outdated(lang),
        Coverage.OUTDATED: outdated,
        Coverage.MISSING: lambda lang: ~present(lang) & ~Q(original_language=lang),
    }
    aggregates = {
        f"c{index}_{state.value}": Count("pk", filter=condition(lang))
        for index, lang in enumerate(content_languages())
        for state, condition in conditions.items()
    }
    counts = stories.order_by().aggregate(**aggregates)
    return {
        lang: {state: counts[f"c{index}_{state.value}"] for state in conditions}
        for index, lang in enumerate(content_languages())
    }


@dataclass(frozen=True)
class TopicRow:
    """Stories in one primary topic (``topic`` None: stories with no topic), in total and per content language."""

    topic: Topic | None
    total: int
    per_language: list[int]


def stories_per_topic() -> list[TopicRow]:
    """Every topic in registry order, then "no topic"; a story counts in each language it exists in. Two queries."""
    languages = content_languages()
    grouped = (
        Article.objects.order_by()
        .values("primary_topic")
        .annotate(
            total=Count("pk"),
            **{f"in_{index}": Count("pk", filter=present(lang)) for index, lang in enumerate(languages)},
        )
    )
    by_topic = {row["primary_topic"]: row for row in grouped}
    empty = {"total": 0, **{f"in_{index}": 0 for index in range(len(languages))}}

    def row(topic: Topic | None) -> TopicRow:
        counts = by_topic.get(topic.pk if topic else None, empty)
        return TopicRow(topic, counts["total"], [counts[f"in_{index}"] for index in range(len(languages))])

    return [*(row(topic) for topic in Topic.objects.all()), row(None)]


def stories_per_language(rows: Iterable[TopicRow]) -> list[int]:
    """Stories existing in each content language, summed over ``rows``; no query."""
    return [sum(column_counts) for column_counts in zip(*(row.per_language for row in rows), strict=True)]


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal chart in its coordinates: its label above it, its value after it (text baselines)."""

    label: str
    value: int
    label_y: int
    y: int
    value_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart laid out for a server-rendered SVG, each bar under its label, its value after it.

    ``key`` is unique on the page (the SVG's text alternative is referenced by id).
    """

    key: str
    title: str
    bars: list[Bar]
    height: int

    WIDTH: ClassVar[int] = 440
    BAR_SPACE: ClassVar[int] = 390
    LABEL_HEIGHT: ClassVar[int] = 18
    BAR_HEIGHT: ClassVar[int] = 16
    GAP: ClassVar[int] = 10

    @classmethod
    def of(cls, key: str, title: str, values: Iterable[tuple[str, int]]) -> BarChart:
        """A chart of ``(label, value)`` pairs in the given order; the longest bar fills the bar space."""
        values = list(values)
        largest = max((value for _, value in values), default=0) or 1
        step = cls.LABEL_HEIGHT + cls.BAR_HEIGHT + cls.GAP
        bars = []
        for index, (label, value) in enumerate(values):
            top = index * step
            bar_y = top + cls.LABEL_HEIGHT
            width = round(cls.BAR_SPACE * value / largest)
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    label_y=top + cls.LABEL_HEIGHT - 5,
                    y=bar_y,
                    value_y=bar_y + cls.BAR_HEIGHT - 3,
                    width=width,
                    value_x=width + 6,
                )
            )
        return cls(key=key, title=title, bars=bars, height=max(len(bars) * step - cls.GAP, 0))

    @property
    def description(self) -> str:
        """The chart as text: every label with its value."""
        return ", ".join(f"{bar.label}: {bar.value}" for bar in self.bars)


@dataclass(frozen=True)
class Attention:
    """Counts of stories an editor should look at."""

    provisional_headlines: int
    conflicts: int
    no_topic: int
    outdated: int
    drafts: int
    in_review: int
    scheduled: int


def needs_attention() -> Attention:
    """What is waiting on the desk, counted in one query."""
    conflicting_import = RawDocument.objects.filter(article=OuterRef("pk")).exclude(conflicts=[])
    counts = Article.objects.order_by().aggregate(
        provisional_headlines=Count("pk", filter=Q(title_provisional=True)),
        conflicts=Count("pk", filter=Q(Exists(conflicting_import))),
        no_topic=Count("pk", filter=Q(primary_topic__isnull=True)),
        outdated=Count("pk", filter=any_outdated()),
        drafts=Count("pk", filter=Q(status=Article.Status.DRAFT)),
        in_review=Count("pk", filter=Q(status=Article.Status.IN_REVIEW)),
        scheduled=Count("pk", filter=scheduled()),
    )
    return Attention(**counts)


def scheduled() -> Q:
    """Stories set to be published later."""
    return Q(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())


def latest_imports(limit: int = LATEST_IMPORTS) -> list[RawDocument]:
    """The newest ledger entries, each with the story's original headline loaded; one query."""
    story_fields = [f"article__{name}" for name in coverage_fields()]
    return list(
        RawDocument.objects.select_related("article").only(
            "file_name", "status", "language", "reason", "created_at", *story_fields
        )[:limit]
    )


def latest_rejections(limit: int = LATEST_REJECTIONS) -> list[RawDocument]:
    """The newest rejected files with their reason code and message; one query."""
    return list(
        RawDocument.objects.filter(status=RawDocument.Status.REJECTED).only(
            "file_name", "reason", "message", "created_at"
        )[:limit]
    )
