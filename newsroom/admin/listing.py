"""The story list: columns, language badges, filters, search across every language, bulk tag actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsroom.admin.base import SafeAutocompleteSelect, language_name
from newsroom.admin.workflow import editable_fields
from newsroom.dashboard import Coverage, any_outdated, present
from newsroom.languages import column, content_languages
from newsroom.models import Article, RawDocument, Tag

STORIES_NAMED_ON_ACTION_PAGE = 50


def language_choices() -> list[tuple[str, str]]:
    """The content languages with their names in the interface language, in settings order."""
    return [(code, language_name(code)) for code in content_languages()]


class LanguageFilter(admin.SimpleListFilter):
    """Base of the filters on one content language; an unknown language leaves the list unfiltered."""

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return language_choices()

    def language(self) -> str | None:
        value = self.value()
        return value if value in content_languages() else None


class AvailableInFilter(LanguageFilter):
    title = _("available in")
    parameter_name = "available_in"

    def queryset(self, request, queryset):
        language = self.language()
        return queryset.filter(present(language)) if language else queryset


class MissingInFilter(LanguageFilter):
    title = _("missing in")
    parameter_name = "missing_in"

    def queryset(self, request, queryset):
        language = self.language()
        return queryset.exclude(present(language)) if language else queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Stories an editor should look at; each choice is one condition, computed in SQL."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [
            ("provisional", _("provisional headline")),
            ("conflict", _("import conflict")),
            ("no_topic", _("no topic")),
            ("outdated", _("outdated translation")),
        ]

    def queryset(self, request, queryset):
        conditions = {
            "provisional": lambda: Q(title_provisional=True),
            "conflict": lambda: Exists(RawDocument.objects.filter(article=OuterRef("pk")).exclude(conflicts=[])),
            "no_topic": lambda: Q(
                Q(primary_topic__isnull=True),
                ~Exists(Article.topics.through.objects.filter(article=OuterRef("pk"))),
            ),
            "outdated": any_outdated,
        }
        condition = conditions.get(self.value() or "")
        return queryset.filter(condition()) if condition else queryset


class TagFilter(admin.SimpleListFilter):
    """Tags that at least one story carries, the most used first: not the whole registry."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        tags = Tag.objects.annotate(stories=Count("articles")).filter(stories__gt=0).order_by("-stories", "slug")
        return [(tag.slug, f"{tag} ({tag.stories})") for tag in tags]

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


class TagChoiceForm(forms.Form):
    """Which tag a bulk action adds or removes."""

    def __init__(self, *args, admin_site: admin.AdminSite, **kwargs) -> None:
        """``admin_site`` serves the tag autocomplete (the story admin's ``tags`` field)."""
        super().__init__(*args, **kwargs)
        self.fields["tag"] = forms.ModelChoiceField(
            queryset=Tag.objects.all(),
            label=_("Tag"),
            widget=SafeAutocompleteSelect(Article._meta.get_field("tags"), admin_site),
        )


def _bulk_tag(
    model_admin: ListingMixin, request: HttpRequest, queryset: QuerySet[Article], *, add: bool
) -> HttpResponse | None:
    """Ask which tag, then add it to (or remove it from) every selected story in one transaction.

    Guarantees: nothing changes unless the user may change the tags of every selected story (a Reporter: drafts
    only) and the form names an existing tag; a story never gets the same tag twice; one log entry per story
    changed; the stories opened in a form meanwhile get a new version; a fixed number of queries.
    """
    if not model_admin.has_tag_permission(request):
        raise PermissionDenied
    ids = list(queryset.order_by().values_list("pk", flat=True))
    refused = [
        story
        for story in Article.objects.filter(pk__in=ids).only("status", "original_language", *title_columns())
        if "tags" not in editable_fields(request.user, story)
    ]
    if refused:
        stories = "; ".join(f"«{original_headline(story)}» (#{story.pk})" for story in refused)
        model_admin.message_user(
            request,
            _("No story was changed: you may not change the tags of %(stories)s.") % {"stories": stories},
            messages.ERROR,
        )
        return None
    form = TagChoiceForm(request.POST if "apply" in request.POST else None, admin_site=model_admin.admin_site)
    if form.is_valid():
        tag = form.cleaned_data["tag"]
        with transaction.atomic():
            tagged = set(
                Article.tags.through.objects.filter(tag=tag, article__in=ids).values_list("article", flat=True)
            )
            changed = [pk for pk in ids if (pk in tagged) != add]
            if add:
                tag.articles.add(*changed)
            else:
                tag.articles.remove(*changed)
            Article.objects.filter(pk__in=changed).touch()  # forms opened before must not save over it
            message = _("Added the tag “%(tag)s”.") if add else _("Removed the tag “%(tag)s”.")
            LogEntry.objects.log_actions(
                request.user.pk,
                Article.objects.filter(pk__in=changed).only("original_language", *title_columns()),
                CHANGE,
                str(message % {"tag": tag}),
            )
        counts = {"tag": tag, "changed": len(changed), "unchanged": len(ids) - len(changed)}
        if add:
            done = ngettext(
                "Tag “%(tag)s” added to %(changed)d story.", "Tag “%(tag)s” added to %(changed)d stories.", len(changed)
            )
            left = ngettext(
                "%(unchanged)d story already had it.", "%(unchanged)d stories already had it.", counts["unchanged"]
            )
        else:
            done = ngettext(
                "Tag “%(tag)s” removed from %(changed)d story.",
                "Tag “%(tag)s” removed from %(changed)d stories.",
                len(changed),
            )
            left = ngettext(
                "%(unchanged)d story did not have it.", "%(unchanged)d stories did not have it.", counts["unchanged"]
            )
        model_admin.message_user(request, done % counts, messages.SUCCESS)
        if counts["unchanged"]:
            model_admin.message_user(request, left % counts, messages.INFO)
        return None
    named = Article.objects.filter(pk__in=ids).only("original_language", "title_provisional", *title_columns())[
        :STORIES_NAMED_ON_ACTION_PAGE
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Add a tag to the selected stories") if add else _("Remove a tag from the selected stories"),
        "form": form,
        "media": model_admin.media + form.media,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "ids": ids,
        "stories": [(story, original_headline(story)) for story in named],
        "unnamed": max(len(ids) - STORIES_NAMED_ON_ACTION_PAGE, 0),
        "submit_label": _("Add the tag") if add else _("Remove the tag"),
    }
    return TemplateResponse(request, "admin/newsroom/article/bulk_tag.html", context)


@admin.action(description=_("Add tag…"), permissions=["tag"])
def add_tag(model_admin, request: HttpRequest, queryset: QuerySet[Article]) -> HttpResponse | None:
    return _bulk_tag(model_admin, request, queryset, add=True)


@admin.action(description=_("Remove tag…"), permissions=["tag"])
def remove_tag(model_admin, request: HttpRequest, queryset: QuerySet[Article]) -> HttpResponse | None:
    return _bulk_tag(model_admin, request, queryset, add=False)


def title_columns() -> list[str]:
    return [column("title", lang) for lang in content_languages()]


def original_headline(story: Article) -> str:
    """The headline in the story's original language; another language's when that one is empty."""
    return getattr(story, column("title", story.original_language), "") or story.headline() or str(story)


def original_headline_expression() -> Case:
    """The headline in the story's original language, in SQL: for sorting the list."""
    # The output field said outright: modeltranslation's column types differ per language, which Django
    # refuses to mix on its own (sorting by the headline column was a server error).
    return Case(
        *(When(original_language=lang, then=F(column("title", lang))) for lang in content_languages()),
        output_field=models.CharField(),
    )


def search_columns() -> list[str]:
    """Every language column of headline, lead and body."""
    return [column(field, lang) for field in ("title", "lead", "body") for lang in content_languages()]


class ListingMixin:
    listing_actions: list = [add_tag, remove_tag]
    list_display = [
        "headline_column",
        "original_language",
        "languages_column",
        "status",
        "primary_topic",
        "outlet",
        "published_column",
        "updated_at",
    ]
    list_filter = [
        "status",
        "topics",
        TagFilter,
        "outlet",
        AvailableInFilter,
        MissingInFilter,
        NeedsAttentionFilter,
    ]
    list_select_related = ["primary_topic", "outlet"]
    search_fields = [*search_columns(), "source_url", "byline", "tags__aliases__name"]
    date_hierarchy = "published_at"
    change_list_template = "admin/newsroom/article/change_list.html"

    def has_tag_permission(self, request: HttpRequest) -> bool:
        """Whether the bulk tag actions are offered: to those who may tag a story of their own (not Translators)."""
        return self.has_change_permission(request) and "tags" in editable_fields(request.user, None)

    @property
    def media(self) -> forms.Media:
        return super().media + forms.Media(
            js=["modeltranslation/js/tabbed_translation_fields.js", "newsroom/admin/tabs.js"],
            css={"all": ["newsroom/admin/desk.css"]},
        )

    @admin.display(description=_("headline"), ordering=original_headline_expression())
    def headline_column(self, story: Article) -> SafeString:
        """The headline in the original language, tagged with that language; flagged when provisional."""
        headline = format_html(
            '<span lang="{}" dir="auto">{}</span>', story.original_language, original_headline(story)
        )
        if not story.title_provisional:
            return headline
        return format_html('{} <span class="desk-provisional">{}</span>', headline, _("provisional"))

    @admin.display(description=_("languages"))
    def languages_column(self, story: Article) -> SafeString:
        """A badge per language the story exists in, the original first; outdated ones say so in words."""
        outdated = set(story.outdated_languages())
        badges = []
        for lang in story.languages():
            if lang == story.original_language:
                state = Coverage.ORIGINAL
            elif lang in outdated:
                state = Coverage.OUTDATED
            else:
                state = Coverage.PRESENT
            label = f"{language_name(lang)}: {state.label}"
            marker = f" {state.symbol}" if state != Coverage.PRESENT else ""
            badges.append((state.value, label, lang, marker, label))
        return format_html_join(
            " ",
            '<span class="desk-lang desk-lang-{}" title="{}">{}{}<span class="visually-hidden"> ({})</span></span>',
            badges,
        )

    @admin.display(description=_("published"), ordering="published_at")
    def published_column(self, story: Article) -> str:
        """The publication time, or "scheduled" and the time when it lies in the future."""
        if story.published_at is None:
            return "—"
        when = date_format(timezone.localtime(story.published_at), "SHORT_DATETIME_FORMAT")
        if story.published_at > timezone.now():
            return str(_("scheduled: %(when)s") % {"when": when})
        return when

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        links = list((extra_context or {}).get("changelist_links", []))
        if any(request.user.has_perm(f"newsroom.{action}_rawdocument") for action in ("view", "change")):
            rejected = reverse("admin:newsroom_rawdocument_changelist") + "?status__exact=rejected"
            links.append((_("Rejected import files"), rejected))
        return super().changelist_view(request, {**(extra_context or {}), "changelist_links": links})
