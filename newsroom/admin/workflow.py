"""Statuses and scheduling, the roles enforced on the server, safe concurrent editing and revisions.

Statuses go draft -> in review -> published -> archived. Publishing sets ``published_at`` to now unless the
editor set a time: a future time schedules the story (``Article.objects.published()`` hides it until then).
Unpublishing returns a story to draft and clears ``published_at``: a date is only ever the time a story is
or will be public, and the revisions keep the old one.

Roles come from permissions, so the same rules hold for any group (see ``role_of``):
Editor (``publish_article``) may do everything; Translator (``translate_article``) may change only the
title, lead and body of the languages other than the original, and those languages' image captions and alt
texts; Reporter (add/change only) may add drafts and edit stories while they are drafts, submitting them for
review at most. The rules are plain functions (``editable_fields``, ``allowed_statuses``…) used by the form,
the views and the tests alike; a POST changing anything else (an image field, an image row added or deleted
included) is refused with an error and changes nothing. Related stories are linked both ways, so linking
needs the right to change both stories: a Reporter's draft cannot be linked to a published story.

Concurrent edits: the change form carries the version it was loaded at; a save is refused, the editor's
input kept, when the story has been saved since. The check runs under a row lock inside the admin's
transaction, so two saves of the same version cannot both pass. Every other way of changing a story (bulk
actions, the tags and related pages, re-cleaning, restores, merges, tag merges in the registry) raises its
version too.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet, model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from newsroom import revisions
from newsroom.admin.base import whole_number
from newsroom.languages import column, content_languages
from newsroom.models import Article, ArticleImage, Revision

User = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    EDITOR = "editor"
    TRANSLATOR = "translator"
    REPORTER = "reporter"
    READER = "reader"


def role_of(user: User) -> Role:
    """The desk role ``user``'s permissions amount to; the strongest wins."""
    if user.has_perm("newsroom.publish_article"):
        return Role.EDITOR
    if user.has_perm("newsroom.translate_article"):
        return Role.TRANSLATOR
    if user.has_perm("newsroom.change_article") or user.has_perm("newsroom.add_article"):
        return Role.REPORTER
    return Role.READER


def article_form_fields() -> frozenset[str]:
    """Every story field an editor's form may change (every language's column, links included)."""
    originals = set(revisions.TRANSLATED_FIELDS)
    fields = [*Article._meta.concrete_fields, *Article._meta.many_to_many]
    return frozenset(f.name for f in fields if f.editable and not f.primary_key and f.name not in originals) - {
        "version"
    }


def image_form_fields() -> frozenset[str]:
    """Every image field an editor's inline form may change."""
    originals = set(revisions.IMAGE_TRANSLATED_FIELDS)
    return frozenset(
        f.name
        for f in ArticleImage._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in {"article", *originals}
    )


def translation_columns(fields: tuple[str, ...], article: Article) -> frozenset[str]:
    """The columns of ``fields`` in every language but ``article``'s original one."""
    return frozenset(
        column(field, lang) for lang in content_languages() if lang != article.original_language for field in fields
    )


def can_change(user: User, article: Article) -> bool:
    """Whether ``user``'s role lets them change ``article`` at all (permissions aside)."""
    role = role_of(user)
    return role in (Role.EDITOR, Role.TRANSLATOR) or (role is Role.REPORTER and article.status == Article.Status.DRAFT)


def editable_fields(user: User, article: Article | None) -> frozenset[str]:
    """The story fields ``user`` may change on ``article`` (None: a story being added)."""
    role = role_of(user)
    if role is Role.EDITOR:
        return article_form_fields()
    if role is Role.TRANSLATOR:
        return translation_columns(revisions.TRANSLATED_FIELDS, article) if article is not None else frozenset()
    if role is Role.REPORTER:
        if article is None:
            return article_form_fields() - {"status", "published_at"}
        if article.status == Article.Status.DRAFT:
            return article_form_fields() - {"published_at"}
    return frozenset()


def editable_image_fields(user: User, article: Article | None) -> frozenset[str]:
    """The image fields ``user`` may change on ``article``'s images."""
    role = role_of(user)
    if role is Role.EDITOR or (role is Role.REPORTER and (article is None or can_change(user, article))):
        return image_form_fields()
    if role is Role.TRANSLATOR and article is not None:
        return translation_columns(revisions.IMAGE_TRANSLATED_FIELDS, article)
    return frozenset()


def allowed_statuses(user: User, article: Article | None) -> list[str]:
    """The statuses ``user`` may give ``article``: Editors any, Reporters draft or in review, others none."""
    role = role_of(user)
    if role is Role.EDITOR:
        return list(Article.Status.values)
    if role is Role.REPORTER:
        return [Article.Status.DRAFT, Article.Status.IN_REVIEW]
    return []


def unrelatable(user: User, before: set[int], after: set[int]) -> list[Article]:
    """The stories whose link to a story ``user`` is editing would change (related stories are linked both
    ways) although ``user`` may not change theirs: a Reporter's draft cannot be linked to a published story."""
    if role_of(user) is Role.EDITOR or before == after:
        return []
    others = Article.objects.filter(pk__in=before ^ after).order_by("pk")
    return [other for other in others if "related" not in editable_fields(user, other)]


def publish_problem(article: Article) -> str | None:
    """Why ``article`` cannot be published, or None when it can."""
    if not getattr(article, column("title", article.original_language)):
        return gettext("it has no title in its original language (%(language)s)") % {
            "language": article.original_language
        }
    return None


def forbidden_restore(user: User, article: Article, current: dict[str, Any], target: dict[str, Any]) -> list[str]:
    """The snapshot keys ``user`` may not change that restoring ``target`` over ``current`` would change."""
    if role_of(user) is Role.EDITOR:
        return []
    if not can_change(user, article):
        return ["*"]
    allowed = {Article._meta.get_field(name).attname for name in editable_fields(user, article)}
    forbidden = [key for key in revisions.changed_fields(current, target) if key != "images" and key not in allowed]
    if "related" in allowed and unrelatable(user, set(current.get("related", [])), set(target.get("related", []))):
        forbidden.append("related")
    if "status" in allowed and target.get("status") not in allowed_statuses(user, article):
        forbidden.append("status")
    image_allowed = {ArticleImage._meta.get_field(name).attname for name in editable_image_fields(user, article)}
    old, new = current.get("images", []), target.get("images", [])
    if [image["id"] for image in old] != [image["id"] for image in new] and image_allowed != image_form_fields():
        forbidden.append("images")
    else:
        forbidden += [f"images.{key}" for key in _changed_image_keys(old, new) if key not in image_allowed]
    return forbidden


def _changed_image_keys(old: list[dict], new: list[dict]) -> set[str]:
    new_by_id = {image["id"]: image for image in new}
    return {
        key
        for image in old
        for key, value in image.items()
        if image["id"] in new_by_id and new_by_id[image["id"]].get(key) != value
    }


# The change form ---------------------------------------------------------------------------------------------


def forbidden_changes(form: forms.ModelForm) -> list[str]:
    """The labels of ``form.guarded`` fields (those the user may not change) that the POST carries with a value
    other than the instance's: the browser never sends them, so they are forged."""
    guarded = form.guarded
    initial = model_to_dict(form.instance, fields=list(guarded)) if guarded else {}
    refused = []
    for name, field in guarded.items():
        key = form.add_prefix(name)
        if key not in form.data and f"{key}_0" not in form.data and key not in form.files:
            continue
        value = field.widget.value_from_datadict(form.data, form.files, key)
        if field.has_changed(shown(initial.get(name), field), value):
            refused.append(str(field.label or name))
    return refused


def shown(value: Any, field: forms.Field) -> Any:
    """``value`` as the form shows it: without microseconds when its widget has none (as ``BoundField.initial``),
    so that posting back a time exactly as shown is no change."""
    if isinstance(value, datetime.datetime | datetime.time) and not field.widget.supports_microseconds:
        return value.replace(microsecond=0)
    return value


def refusal(fields: list[str]) -> ValidationError:
    return ValidationError(
        gettext("You may not change: %(fields)s. Nothing was saved.") % {"fields": ", ".join(fields)},
        code="forbidden",
    )


class GuardedImageForm(forms.ModelForm):
    """An image row of the story form; ``guarded`` (set per request by ``WorkflowMixin.get_inline_instances``)
    holds the image fields the user may not change: a POST that changes one is refused, the whole story with
    it, instead of the change being dropped silently."""

    guarded: dict[str, forms.Field] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refused = forbidden_changes(self)
        if refused:
            raise refusal(refused)
        return cleaned


class GuardedImageFormSet(BaseInlineFormSet):
    """The story's image rows; ``may_add`` and ``may_delete`` (set per request) say whether the user may add or
    delete images. Without the permission the page offers neither, so a POST with an extra row or a deletion
    is forged: refused, where Django would drop it silently and save the rest."""

    may_add = True
    may_delete = True

    def clean(self) -> None:
        super().clean()
        if not self.may_add and self.total_form_count() > self.initial_form_count():
            raise refusal([gettext("new images")])
        if not self.may_delete and any(self.data.get(f"{form.prefix}-DELETE") for form in self.initial_forms):
            raise refusal([gettext("deleted images")])


class WorkflowForm(forms.ModelForm):
    """The story form with the version it was loaded at and the server-side role check.

    ``guarded`` (set per request by ``WorkflowMixin.get_form``) maps each field the user may not change to
    a form field able to read it from a POST: a POST that changes one is refused.
    """

    loaded_version = forms.IntegerField(label=_("Loaded version"), widget=forms.HiddenInput, required=False)
    guarded: dict[str, forms.Field] = {}
    statuses: list[str] | None = None
    user: User | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version if self.instance.pk else None
        if self.statuses is not None and "status" in self.fields:
            field = self.fields["status"]
            field.choices = [(value, label) for value, label in field.choices if value in self.statuses]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refused = forbidden_changes(self)
        if refused:
            raise refusal(refused)
        self._check_related(cleaned)
        if cleaned.get("status") == Article.Status.PUBLISHED:
            if "published_at" in self.fields and not cleaned.get("published_at"):
                cleaned["published_at"] = timezone.now()
            language = cleaned.get("original_language") or self.instance.original_language
            title = column("title", language)
            if not cleaned.get(title, getattr(self.instance, title)):
                story = Article(original_language=language)
                self.add_error(
                    "status", gettext("This story cannot be published: %(why)s.") % {"why": publish_problem(story)}
                )
        if self.instance.pk is not None:
            self._check_version(cleaned.get("loaded_version"))
        return cleaned

    def _check_related(self, cleaned: dict[str, Any]) -> None:
        """Linking is both ways: the user must be allowed to change the other stories' links too."""
        if self.user is None or "related" not in cleaned or "related" in self.guarded:
            return
        if role_of(self.user) is Role.EDITOR:
            return
        before = set(self.instance.related.values_list("pk", flat=True)) if self.instance.pk else set()
        others = unrelatable(self.user, before, {story.pk for story in cleaned["related"]})
        if others:
            self.add_error(
                "related",
                gettext("You may not change the links of: %(stories)s.")
                % {"stories": ", ".join(f"«{story}» (#{story.pk})" for story in others)},
            )

    def _check_version(self, loaded: int | None) -> None:
        """Refuse the save unless the story is still at ``loaded``; locks the row until the transaction ends."""
        current = (
            Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
        )
        if loaded is not None and current == loaded:
            return
        latest = Revision.objects.filter(article_id=self.instance.pk).select_related("author").first()
        who = (latest.author.get_username() if latest and latest.author else "") or gettext("someone")
        when = date_format(timezone.localtime(latest.created_at), "DATETIME_FORMAT") if latest else "?"
        raise ValidationError(
            format_html(
                '{} <a href="{}">{}</a>',
                gettext(
                    "This story was saved by %(who)s at %(when)s (version %(version)s) after you opened it: "
                    "your changes were not saved and are still in the form below."
                )
                % {"who": who, "when": when, "version": current},
                reverse("admin:newsroom_article_change", args=[self.instance.pk]),
                gettext("Reload the story (copy your changes first)."),
            ),
            code="conflict",
        )


# Bulk actions ------------------------------------------------------------------------------------------------


class Transition(StrEnum):
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    ARCHIVE = "archive"


def apply_transition(article: Article, transition: Transition, now: datetime.datetime) -> bool:
    """Move ``article`` (unsaved) through ``transition``; False when it is already there."""
    if transition is Transition.PUBLISH:
        if article.status == Article.Status.PUBLISHED and article.published_at and article.published_at <= now:
            return False
        article.status, article.published_at = Article.Status.PUBLISHED, now
    elif transition is Transition.UNPUBLISH:
        if article.status == Article.Status.DRAFT and article.published_at is None:
            return False
        article.status, article.published_at = Article.Status.DRAFT, None
    else:
        if article.status == Article.Status.ARCHIVED:
            return False
        article.status = Article.Status.ARCHIVED
    return True


class TransitionRefused(Exception):
    def __init__(self, problems: list[tuple[Article, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


@transaction.atomic
def transition_stories(ids: list[int], transition: Transition, author: User) -> int:
    """Move every story of ``ids`` through ``transition``, or none: raises TransitionRefused with each story
    that cannot go and why. Each changed story is saved (its version rises) and gets a revision. Returns how
    many changed."""
    stories = list(Article.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if transition is Transition.PUBLISH:
        problems = [(story, problem) for story in stories if (problem := publish_problem(story))]
        if problems:
            raise TransitionRefused(problems)
    now = timezone.now()
    note = {
        Transition.PUBLISH: gettext("published"),
        Transition.UNPUBLISH: gettext("unpublished"),
        Transition.ARCHIVE: gettext("archived"),
    }[transition]
    changed = 0
    for story in stories:
        if apply_transition(story, transition, now):
            story.save()
            revisions.record(story, author, note=note)
            changed += 1
    return changed


def _run_transition(modeladmin: WorkflowMixin, request: HttpRequest, queryset, transition: Transition) -> None:
    try:
        changed = transition_stories(list(queryset.values_list("pk", flat=True)), transition, request.user)
    except TransitionRefused as refused:
        reasons = "; ".join(f"«{story}» (#{story.pk}): {why}" for story, why in refused.problems)
        modeladmin.message_user(
            request, gettext("No story was changed, because %(reasons)s.") % {"reasons": reasons}, messages.ERROR
        )
        return
    modeladmin.message_user(
        request, ngettext("%(count)d story changed.", "%(count)d stories changed.", changed) % {"count": changed}
    )


@admin.action(description=_("Publish now"), permissions=["publish"])
def publish_now(modeladmin: WorkflowMixin, request: HttpRequest, queryset) -> None:
    _run_transition(modeladmin, request, queryset, Transition.PUBLISH)


@admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
def unpublish(modeladmin: WorkflowMixin, request: HttpRequest, queryset) -> None:
    _run_transition(modeladmin, request, queryset, Transition.UNPUBLISH)


@admin.action(description=_("Archive"), permissions=["publish"])
def archive(modeladmin: WorkflowMixin, request: HttpRequest, queryset) -> None:
    _run_transition(modeladmin, request, queryset, Transition.ARCHIVE)


# The admin ---------------------------------------------------------------------------------------------------


class WorkflowMixin:
    form = WorkflowForm
    workflow_actions: list = [publish_now, unpublish, archive]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("newsroom.publish_article")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and role_of(request.user) in (Role.EDITOR, Role.REPORTER)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or can_change(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_delete_permission(request, obj) and role_of(request.user) is Role.EDITOR

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        forbidden = article_form_fields() - editable_fields(request.user, obj)
        return [*super().get_readonly_fields(request, obj), *sorted(forbidden)]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "loaded_version"]})
            for name, options in fieldsets
        ]

    def get_form(self, request: HttpRequest, obj: Article | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        guarded = {
            name: self.formfield_for_dbfield(Article._meta.get_field(name), request=request)
            for name in sorted(article_form_fields() - editable_fields(request.user, obj))
        }
        statuses = allowed_statuses(request.user, obj)
        return type(form.__name__, (form,), {"guarded": guarded, "statuses": statuses, "user": request.user})

    def get_inline_instances(self, request: HttpRequest, obj: Article | None = None):
        inlines = super().get_inline_instances(request, obj)
        forbidden = sorted(image_form_fields() - editable_image_fields(request.user, obj))
        for inline in inlines:
            if inline.model is ArticleImage:
                inline.readonly_fields = [*inline.readonly_fields, *forbidden]
                guarded = {
                    name: inline.formfield_for_dbfield(ArticleImage._meta.get_field(name), request=request)
                    for name in forbidden
                }
                inline.form = type(inline.form.__name__, (inline.form,), {"guarded": guarded})
                inline.formset = type(
                    inline.formset.__name__,
                    (inline.formset,),
                    {
                        "may_add": inline.has_add_permission(request, obj),
                        "may_delete": inline.has_delete_permission(request, obj),
                    },
                )
        return inlines

    def save_model(self, request: HttpRequest, obj: Article, form: forms.ModelForm, change: bool) -> None:
        if role_of(request.user) is not Role.EDITOR and not change:
            obj.status, obj.published_at = Article.Status.DRAFT, None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user, note="" if change else gettext("created"))

    def get_tool_links(self, request: HttpRequest, obj: Article) -> list[tuple[str, str]]:
        url = reverse("admin:newsroom_article_revisions", args=[obj.pk])
        return [*super().get_tool_links(request, obj), (_("Revisions"), url)]

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path("<int:pk>/revisions/", view(self.revisions_view), name="newsroom_article_revisions"),
            path(
                "<int:pk>/revisions/<int:version>/",
                view(self.revision_diff_view),
                name="newsroom_article_revision_diff",
            ),
            path(
                "<int:pk>/revisions/<int:version>/restore/",
                view(self.revision_restore_view),
                name="newsroom_article_revision_restore",
            ),
        ]
        return urls + super().get_urls()

    def _story(self, request: HttpRequest, pk: int) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request: HttpRequest, article: Article, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": title,
            "change_url": reverse("admin:newsroom_article_change", args=[article.pk]),
            "revisions_url": reverse("admin:newsroom_article_revisions", args=[article.pk]),
        }

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Every revision of a story, newest first: version, who, when, what changed, note."""
        article = self._story(request, pk)
        history = Revision.objects.filter(article=article).select_related("author").defer("snapshot")
        context = {
            **self._context(request, article, gettext("Revisions")),
            "revisions": history,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/newsroom/article/revision_list.html", context)

    def revision_diff_view(self, request: HttpRequest, pk: int, version: int) -> HttpResponse:
        """Revision ``version`` against ``?against=N`` (default: the revision before it), field by field."""
        article = self._story(request, pk)
        revision = get_object_or_404(Revision.objects.select_related("author"), article=article, version=version)
        against = request.GET.get("against")
        if against:
            number = whole_number(against)
            if number is None:
                raise Http404
            base = get_object_or_404(Revision.objects.select_related("author"), article=article, version=number)
        else:
            base = revisions.previous_revision(revision)
        context = {
            **self._context(
                request, article, gettext("Changes in version %(version)s") % {"version": revision.version}
            ),
            "revision": revision,
            "base": base,
            "rows": revisions.diff(base.snapshot if base else {}, revision.snapshot, article.original_language),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/newsroom/article/revision_diff.html", context)

    def revision_restore_view(self, request: HttpRequest, pk: int, version: int) -> HttpResponse:
        """GET: what restoring would change, and a button; POST: restore, refused if the story moved on or the
        user may not make every change it implies."""
        article = self._story(request, pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(Revision, article=article, version=version)
        current = revisions.snapshot(article)
        forbidden = forbidden_restore(request.user, article, current, revision.snapshot)
        if request.method == "POST":
            if forbidden:
                raise PermissionDenied
            loaded = whole_number(request.POST.get("version", ""))
            with transaction.atomic():
                locked = Article.objects.select_for_update().filter(pk=article.pk, version=loaded)
                if loaded is None or not locked.exists():
                    self.message_user(
                        request,
                        gettext("The story was saved by someone else meanwhile; nothing was restored."),
                        messages.ERROR,
                    )
                    return HttpResponseRedirect(request.path)
                try:
                    revisions.restore(article, revision, request.user)
                except revisions.RestoreRefused as refused:
                    self.message_user(request, gettext("Nothing was restored: %s") % refused, messages.ERROR)
                    return HttpResponseRedirect(request.path)
            self.message_user(request, gettext("Restored version %(version)s.") % {"version": version})
            return HttpResponseRedirect(reverse("admin:newsroom_article_revisions", args=[article.pk]))
        context = {
            **self._context(request, article, gettext("Restore version %(version)s") % {"version": version}),
            "revision": revision,
            "rows": revisions.diff(current, revision.snapshot, article.original_language),
            "forbidden": forbidden,
        }
        return TemplateResponse(request, "admin/newsroom/article/revision_restore.html", context)
