"""The registry's admin: tags with their aliases (and merging duplicates), topics with their keywords, outlets."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from newsroom import cache, search
from newsroom.admin.base import URL_FIELDS, DeskList
from newsroom.languages import column, content_languages
from newsroom.models import Article, Outlet, Tag, TagAlias, Topic, TopicKeyword
from newsroom.text import match_key


@dataclass(frozen=True)
class MergeResult:
    """What merging tags did: tags removed, story links moved to the kept tag, aliases added or skipped."""

    merged: int
    links: int
    aliases: int
    skipped: int


def merge_tags(keep: Tag, others: QuerySet[Tag]) -> MergeResult:
    """Fold ``others`` into ``keep``, atomically.

    Guarantees: every story that carried any of the tags carries ``keep`` (once) and gets a new version (a form
    opened before cannot save the old tags over it); the others' aliases point at ``keep``; each of their names
    becomes an alias of ``keep`` unless that spelling (its folded key) is already an alias of some tag; then the
    others are deleted. A fixed number of queries for the links and aliases.
    """
    through = Article.tags.through
    with transaction.atomic():
        ids = list(others.exclude(pk=keep.pk).values_list("pk", flat=True))
        other_tags = list(Tag.objects.select_for_update().filter(pk__in=ids))
        tagged = set(through.objects.filter(tag=keep).values_list("article", flat=True))
        incoming = set(through.objects.filter(tag__in=other_tags).values_list("article", flat=True))
        through.objects.bulk_create([through(article_id=pk, tag=keep) for pk in sorted(incoming - tagged)])
        TagAlias.objects.filter(tag__in=other_tags).update(tag=keep)
        names = {
            match_key(name): name
            for tag in other_tags
            for name in (getattr(tag, column("name", lang)) or "" for lang in content_languages())
            if name.strip()
        }
        taken = set(TagAlias.objects.filter(key__in=names).values_list("key", flat=True))
        new_aliases = [TagAlias(tag=keep, name=name, key=key) for key, name in names.items() if key not in taken]
        TagAlias.objects.bulk_create(new_aliases)
        Tag.objects.filter(pk__in=[tag.pk for tag in other_tags]).delete()
        Article.objects.filter(pk__in=incoming).touch()
        # The links were written in bulk, without signals: the merged stories' documents gain the aliases here.
        search.schedule(through.objects.filter(tag=keep).values_list("article", flat=True))
        cache.invalidate()  # the links and aliases too
    return MergeResult(len(other_tags), len(incoming - tagged), len(new_aliases), len(names) - len(new_aliases))


class MergeTagsForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        label=_("Tag to keep"),
        help_text=_("The other selected tags are deleted; their stories and aliases move to this one."),
    )

    def __init__(self, *args, tags: QuerySet[Tag], **kwargs) -> None:
        """``tags``: the selected tags, annotated with their number of ``stories``."""
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = tags
        self.fields["keep"].label_from_instance = self.tag_label

    @staticmethod
    def tag_label(tag: Tag) -> str:
        stories = ngettext("%(count)d story", "%(count)d stories", tag.stories) % {"count": tag.stories}
        return f"{tag} ({tag.slug}, {stories})"


@admin.action(description=_("Merge selected tags"), permissions=["merge"])
def merge_selected_tags(model_admin: TagAdmin, request: HttpRequest, queryset: QuerySet[Tag]) -> HttpResponse | None:
    """Ask which of the selected tags to keep, then merge the others into it."""
    if not model_admin.has_merge_permission(request):
        raise PermissionDenied
    tags = queryset.annotate(stories=Count("articles", distinct=True)).order_by("slug")
    if len(tags) < 2:
        model_admin.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
        return None
    form = MergeTagsForm(request.POST if "apply" in request.POST else None, tags=tags)
    if form.is_valid():
        keep = form.cleaned_data["keep"]
        others = queryset.exclude(pk=keep.pk)
        model_admin.log_deletions(request, others)
        result = merge_tags(keep, others)
        counts = {"tag": keep, **asdict(result)}
        merged = ngettext(
            "Merged %(merged)d tag into “%(tag)s”.", "Merged %(merged)d tags into “%(tag)s”.", result.merged
        )
        LogEntry.objects.log_actions(request.user.pk, [keep], CHANGE, merged % counts)
        details = _(
            "Story links moved: %(links)d; aliases added: %(aliases)d; duplicate spellings skipped: %(skipped)d."
        )
        model_admin.message_user(request, f"{merged % counts} {details % counts}", messages.SUCCESS)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Merge tags"),
        "form": form,
        "tags": tags,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/newsroom/tag/merge.html", context)


class TagAliasInline(admin.TabularInline):
    model = TagAlias
    extra = 1
    fields = ["name"]


@admin.register(Tag)
class TagAdmin(DeskList, TabbedTranslationAdmin):
    list_display = ["slug", "name", "kind", "topic", "story_count"]
    list_filter = ["kind", "topic"]
    list_select_related = ["topic"]
    search_fields = ["slug", *(column("name", lang) for lang in content_languages()), "aliases__name"]
    inlines = [TagAliasInline]
    actions = [merge_selected_tags]

    def has_merge_permission(self, request: HttpRequest) -> bool:
        """Merging changes one tag and deletes the others: it needs both permissions."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(stories=Count("articles", distinct=True))

    @admin.display(description=_("stories"), ordering="stories")
    def story_count(self, tag: Tag) -> int:
        return tag.stories


class TopicKeywordInline(admin.TabularInline):
    model = TopicKeyword
    extra = 1


@admin.register(Topic)
class TopicAdmin(DeskList, TabbedTranslationAdmin):
    list_display = ["slug", "name", "position"]
    inlines = [TopicKeywordInline]


@admin.register(Outlet)
class OutletAdmin(DeskList, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "domain", "homepage"]
    search_fields = ["name", "domain"]
