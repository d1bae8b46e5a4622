"""The translation coverage page: stories by languages, missing, present or outdated."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from newsroom.dashboard import Coverage, any_outdated, coverage_fields, coverage_of, coverage_totals, needs_translation
from newsroom.dashboard import outdated as outdated_in
from newsroom.languages import content_languages
from newsroom.models import Article, Topic

STORIES_PER_PAGE = 50


class CoverageFilterForm(forms.Form):
    """The coverage page's filters; a value that does not validate is reported and ignored."""

    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, label=_("Topic"), empty_label=_("All topics")
    )
    language = forms.ChoiceField(
        required=False,
        label=_("Needs translation into"),
        help_text=_("Stories whose translation into this language is missing or outdated."),
    )
    outdated = forms.BooleanField(required=False, label=_("Only outdated translations"))
    status = forms.ChoiceField(required=False, label=_("Status"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]
        self.fields["status"].choices = [("", _("Any status")), *Article.Status.choices]

    def filter(self, stories: QuerySet[Article]) -> QuerySet[Article]:
        """``stories`` narrowed by every filter that validated."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("topic"):
            stories = stories.in_topic(data["topic"])
        if data.get("status"):
            stories = stories.filter(status=data["status"])
        language = data.get("language")
        if data.get("outdated"):
            stories = stories.filter(outdated_in(language) if language else any_outdated())
        elif language:
            stories = stories.filter(needs_translation(language))
        return stories


def language_choices() -> list[tuple[str, str]]:
    """The content languages with their names in the interface language, in settings order."""
    return [(code, get_language_info(code)["name_translated"]) for code in content_languages()]


class CoverageMixin:
    def get_urls(self):
        urls = [
            path(
                "coverage/",
                self.admin_site.admin_view(self.coverage_view),
                name="newsroom_article_coverage",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        """The story list links to the coverage page."""
        links = [
            *(extra_context or {}).get("changelist_links", []),
            (_("Translation coverage"), reverse("admin:newsroom_article_coverage")),
        ]
        return super().changelist_view(request, {**(extra_context or {}), "changelist_links": links})

    def coverage_view(self, request):
        """Stories (newest first, 50 a page) by content languages, for anyone who may view stories."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CoverageFilterForm(request.GET)
        stories = form.filter(Article.objects.all())
        page = Paginator(
            stories.only("status", "created_at", *coverage_fields()).order_by("-created_at", "-pk"), STORIES_PER_PAGE
        ).get_page(request.GET.get("page"))
        languages = language_choices()
        totals = coverage_totals(stories)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Translation coverage"),
            "form": form,
            "languages": languages,
            "highlighted": form.cleaned_data.get("language"),
            "rows": [CoverageRow.of(story, languages) for story in page],
            "page_obj": page,
            "totals": [(state, [(code, totals[code][state]) for code, _name in languages]) for state in Coverage],
        }
        return TemplateResponse(request, "admin/newsroom/article/coverage.html", context)


@dataclass(frozen=True)
class CoverageCell:
    """One story in one language: its state, and the link to that language's tab of the story's form."""

    language: str
    language_name: str
    state: Coverage
    url: str


@dataclass(frozen=True)
class CoverageRow:
    story: Article
    cells: list[CoverageCell]

    @classmethod
    def of(cls, story: Article, languages: list[tuple[str, str]]) -> CoverageRow:
        """The row of ``story``, loaded with ``coverage_fields()``; no query."""
        change_url = reverse("admin:newsroom_article_change", args=[story.pk])
        states = coverage_of(story)
        cells = [CoverageCell(code, name, states[code], f"{change_url}?tab={code}") for code, name in languages]
        return cls(story, cells)
