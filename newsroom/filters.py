"""The story filters shared by the public listings and the JSON API.

Every filter is validated by its form: an unknown tag, outlet or topic, a
language that is not a content language or a malformed date is a form error
(the listing shows it and no stories), never a server error.

The tags, topics and outlets the filters offer are read once per state of the
site's data and language (``cache.remember``), all together: choices,
validation and filtering share them, and a listing's query count does not
depend on which filters are used.
"""

from array import array
from html import escape  # Django's escape, without its lazy-string wrapper: a page escapes 300 options

import django_filters
from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from newsroom import cache, search
from newsroom.languages import display_name
from newsroom.models import Outlet, Tag, Topic
from newsroom.querysets import listed, registry


def language_choices() -> list[tuple[str, str]]:
    """The content languages, each named in itself (``हिन्दी``, ``日本語``)."""
    return [(code, LANG_INFO[code]["name_local"]) for code, _name in settings.LANGUAGES]


class InputInPython:
    """An ``<input>`` written out in Python, as Django's template for it writes it: a listing's filter form has
    four, each otherwise a template rendering of its own."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, flatatt(widget["attrs"])
        )


class TextInput(InputInPython, forms.TextInput):
    pass


class CheckboxInput(InputInPython, forms.CheckboxInput):
    pass


class QueryField(forms.CharField):
    """A search query: a NUL is a separator like any control character, not a reason to refuse the query."""

    widget = TextInput

    def to_python(self, value):
        return super().to_python(value).replace("\x00", " ")


class QueryFilter(django_filters.CharFilter):
    field_class = QueryField


class DateInput(InputInPython, forms.DateInput):
    input_type = "date"


def option_markup(choices) -> str:
    """The ``<option>`` elements of ``choices``, none of them selected, every value and label escaped."""
    return "".join(f'<option value="{escape(str(key))}">{escape(str(label))}</option>' for key, label in choices)


class Select(forms.Select):
    """A select written out in Python from its choices. Django builds a dictionary per option and renders each
    with a template of its own, which for a registry of a few hundred tags cost more than the rest of a listing
    page. With a ``memo_key`` (what names its choices: the filter and the page's language), the options'
    markup is made once per state of the site (``cache.remember``) and only the chosen one marked."""

    def __init__(self, attrs=None, choices=(), memo_key: str | None = None):
        super().__init__(attrs, choices)
        self.memo_key = memo_key

    def render(self, name, value, attrs=None, renderer=None):
        if self.memo_key is None:
            options = option_markup(self.choices)
        else:
            options = cache.remember(f"select:{self.memo_key}", lambda: option_markup(self.choices))
        for key in dict.fromkeys(self.format_value(value)):
            option = f'<option value="{escape(key)}"'
            options = options.replace(f"{option}>", f"{option} selected>", 1)
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        # Safe: every value and label in the options is escaped.
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe(options))  # noqa: S308  # nosec B308, B703


def tag_options(language: str) -> dict[str, dict[str, tuple[int, str]]]:
    """The ``place`` and ``tag`` filters' options, alphabetical in ``language``; not the tags only hidden stories
    carry (``listed``)."""
    tags = list(listed(Tag.objects.all()))

    def labelled(rows) -> dict[str, tuple[int, str]]:
        options = [(tag.slug, (tag.pk, display_name(tag, language))) for tag in rows]
        return dict(sorted(options, key=lambda option: option[1][1].casefold()))

    return {
        "place": labelled(tag for tag in tags if tag.kind == Tag.Kind.PLACE),
        "tag": labelled(tag for tag in tags if tag.kind != Tag.Kind.PLACE),
    }


def topic_options(language: str) -> dict[str, dict[str, tuple[int, str]]]:
    topics = registry(Topic).values()
    return {"topic": {topic.slug: (topic.pk, display_name(topic, language)) for topic in topics}}


def outlet_options(language: str) -> dict[str, dict[str, tuple[int, str]]]:
    """Not the outlets only hidden stories come from (``listed``)."""
    return {"outlet": {str(outlet.pk): (outlet.pk, outlet.name) for outlet in listed(Outlet.objects.order_by("name"))}}


# filter name -> what reads its options, ``{filter: {value: (pk, label)}}``, for it and the filters it shares rows with
OPTIONS = {"place": tag_options, "tag": tag_options, "topic": topic_options, "outlet": outlet_options}


def remembered_options(name: str, language: str) -> dict[str, dict[str, tuple[int, str]]]:
    """What ``OPTIONS[name]`` reads in ``language``, read once per state of the site's data (``cache.remember``)."""
    read = OPTIONS[name]
    return cache.remember(f"filter-options:{read.__name__}:{language}", lambda: read(language))


def related_filter(label: str, empty_label: str) -> django_filters.ChoiceFilter:
    """A filter on one of the rows a story is linked to (``ArticleFilter.RELATED``)."""
    return django_filters.ChoiceFilter(label=label, method="filter_related", widget=Select, empty_label=empty_label)


class ArticleFilter(django_filters.FilterSet):
    place = related_filter(_("Place"), _("Any place"))
    tag = related_filter(_("Tag"), _("Any tag"))
    topic = related_filter(_("Topic"), _("Any topic"))
    outlet = related_filter(_("Outlet"), _("Any outlet"))
    language = django_filters.ChoiceFilter(
        label=_("Written in"),
        field_name="original_language",
        choices=language_choices,
        widget=Select,
        empty_label=_("Any language"),
    )
    translated = django_filters.BooleanFilter(
        label=_("Only stories in this page's language"), method="filter_translated", widget=CheckboxInput
    )
    published_after = django_filters.DateFilter(
        label=_("Published from"), field_name="published_at", lookup_expr="date__gte", widget=DateInput
    )
    published_before = django_filters.DateFilter(
        label=_("Published until"), field_name="published_at", lookup_expr="date__lte", widget=DateInput
    )
    # Last, so that it searches what the other filters kept.
    q = QueryFilter(label=_("Search"), method="filter_search")

    # filter name -> (the article relation it filters on, the rows it offers, keyed by their URL value)
    RELATED = {"place": "tags", "tag": "tags", "topic": "topics", "outlet": "outlet"}

    def __init__(self, *args, language: str | None = None, key: str | None = None, **kwargs):
        """``key`` names the list the filters make (``pagination.listing_key``: the page, the filters): with one, a
        search's ranking is remembered per state of the site, as a listing's ids are."""
        super().__init__(*args, **kwargs)
        self.language = language or get_language()
        self.key = key
        self._options: dict[str, dict[str, tuple[int, str]]] = {}
        for name in self.RELATED:
            # Callable choices are read when the form renders or validates the field, not before.
            self.filters[name].extra["choices"] = lambda name=name: [
                (key, label) for key, (_pk, label) in self.options(name).items()
            ]
            # The rendered options too: they are the same for every reader of the language until the site changes.
            self.filters[name].extra["widget"] = Select(memo_key=f"{name}:{self.language}")

    def options(self, name: str) -> dict[str, tuple[int, str]]:
        """The rows a related filter offers, ``{value: (pk, label)}``, labelled in the reader's language: read when
        a field needs them, once per state of the site's data (``cache.remember``)."""
        if name not in self._options:
            self._options |= remembered_options(name, self.language)
        return self._options[name]

    def filter_related(self, queryset, name, value):
        return queryset.filter(**{self.RELATED[name]: self.options(name)[value][0]}) if value else queryset

    def filter_search(self, queryset, name, value):
        """Ranks the stories the other filters kept by ``value``, best first, into ``ranked_ids``; ``results()``
        gives them in that order. The queryset is returned as it came: narrowing it to a thousand ids would cost
        each request the building of a thousand-value ``IN`` that nothing reads. With a ``key``, the ranking is
        read once per state of the site and search window (``cache.remember``): the later pages of the results, and
        the same search again, run no search."""

        def rank() -> array:  # packed, 8 bytes an id, as the processes keep what they remember
            return array("q", search.search_ids(queryset, value))

        self.ranked_ids = (
            rank() if self.key is None else cache.remember(f"search:{settings.NEWSROOM_SEARCH_WINDOW}:{self.key}", rank)
        )
        return queryset

    def results(self, fetch=None):
        """The filtered stories for a paginator: after a search, its matches in rank order, each page's stories
        read by ``fetch(ids)`` (default: from the filtered queryset); otherwise the filtered queryset. Not ``qs``,
        which after a search is the stories searched among."""
        filtered = self.qs  # runs the filters, the search last
        ids = getattr(self, "ranked_ids", None)
        if ids is None:
            return filtered
        return search.RankedResults(ids, fetch or (lambda page: filtered.filter(pk__in=page).order_by()))

    def filter_translated(self, queryset, name, value):
        return queryset.in_language(self.language) if value else queryset

    @property
    def active(self) -> bool:
        """Whether the reader narrowed the list (a value in any of the filters)."""
        return any(self.data.get(name) for name in self.filters)
