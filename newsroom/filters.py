"""The story filters shared by the public listings and the JSON API.

Every filter is validated by its form: an unknown tag, outlet or topic, a
language that is not a content language or a malformed date is a form error
(the listing shows it and no stories), never a server error.
"""

import django_filters
from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from newsroom.languages import column
from newsroom.models import Outlet, Tag, Topic


def language_choices() -> list[tuple[str, str]]:
    """The content languages, each named in itself (``हिन्दी``, ``日本語``)."""
    return [(code, LANG_INFO[code]["name_local"]) for code, _name in settings.LANGUAGES]


class DateInput(forms.DateInput):
    input_type = "date"


class ArticleFilter(django_filters.FilterSet):
    place = django_filters.ModelChoiceFilter(
        label=_("Place"), field_name="tags", to_field_name="slug", queryset=Tag.objects.filter(kind=Tag.Kind.PLACE)
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", to_field_name="slug", queryset=Tag.objects.exclude(kind=Tag.Kind.PLACE)
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"), field_name="topics", to_field_name="slug", queryset=Topic.objects.all()
    )
    outlet = django_filters.ModelChoiceFilter(label=_("Outlet"), queryset=Outlet.objects.order_by("name"))
    language = django_filters.ChoiceFilter(
        label=_("Written in"), field_name="original_language", choices=language_choices, empty_label=_("Any language")
    )
    translated = django_filters.BooleanFilter(
        label=_("Only stories in this page's language"), method="filter_translated", widget=forms.CheckboxInput
    )
    published_after = django_filters.DateFilter(
        label=_("Published from"), field_name="published_at", lookup_expr="date__gte", widget=DateInput
    )
    published_before = django_filters.DateFilter(
        label=_("Published until"), field_name="published_at", lookup_expr="date__lte", widget=DateInput
    )

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language or get_language()
        # Choices named and sorted in the reader's language.
        name = column("name", self.language)
        for field in ("place", "tag", "topic"):
            self.filters[field].queryset = self.filters[field].queryset.order_by(name, "slug")
        for field, label in (("place", _("Any place")), ("tag", _("Any tag")), ("topic", _("Any topic"))):
            self.filters[field].extra["empty_label"] = label
        self.filters["outlet"].extra["empty_label"] = _("Any outlet")

    def filter_translated(self, queryset, name, value):
        return queryset.in_language(self.language) if value else queryset

    @property
    def active(self) -> bool:
        """Whether the reader narrowed the list (a value in any of the filters)."""
        return any(self.data.get(name) for name in self.filters)
