"""Related-story suggestions with their reasons, and merging two stories as translations of one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from newsroom import revisions
from newsroom.admin.base import language_name, story_or_404, whole_number
from newsroom.admin.workflow import editable_fields, unrelatable
from newsroom.languages import column, content_languages
from newsroom.models import Article, ArticleImage, RawDocument
from newsroom.suggestions import display_fields, related_suggestions

TEXT_FIELDS = ("title", "lead", "body")
IMAGE_TEXT_FIELDS = ("caption", "alt_text")


def languages_to_merge(article: Article, other: Article) -> list[str]:
    """The languages ``other`` has and ``article`` lacks; empty when ``other``'s original is one ``article`` has."""
    present = set(article.languages())
    if other.original_language in present:
        return []
    return [language for language in other.languages() if language not in present]


@dataclass(frozen=True)
class StoryRow:
    """A story on the Related page, with the languages a merge would bring."""

    story: Article
    merge_languages: list[str]
    reasons: tuple[str, ...] = ()


def merge_as_translations(article: Article, other: Article) -> list[str]:
    """Fold ``other`` into ``article`` as its translations, then delete ``other``; the languages copied.

    In one transaction: the texts of every language ``article`` lacks; their image captions and
    alt texts by position (images created when missing); tags, topics and related stories united;
    ``other``'s ledger rows re-pointed to ``article``; ``other``'s source URL taken when ``article``
    has none. ``article`` is saved once (its version raised). Writes nothing when there is no
    language to take.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        other = Article.objects.select_for_update().get(pk=other.pk)
        languages = languages_to_merge(article, other)
        if not languages:
            return []
        for language in languages:
            for field in TEXT_FIELDS:
                setattr(article, column(field, language), getattr(other, column(field, language)))
        _merge_images(article, other, languages)
        article.tags.add(*other.tags.all())
        article.topics.add(*other.topics.all())
        article.related.add(*other.related.exclude(pk=article.pk))
        article.primary_topic_id = article.primary_topic_id or other.primary_topic_id
        RawDocument.objects.filter(article=other).update(article=article)
        if not article.source_url and other.source_url:
            article.source_url = other.source_url
            Article.objects.filter(pk=other.pk).update(source_url=None)  # the URL is unique: free it first
        other.delete()
        article.save()
    return languages


def _merge_images(article: Article, other: Article, languages: list[str]) -> None:
    """``other``'s captions and alt texts in ``languages`` onto ``article``'s images at the same position."""
    mine = {image.position: image for image in article.images.all()}
    names = [column(field, language) for field in IMAGE_TEXT_FIELDS for language in languages]
    blank = {column(field, language): "" for field in IMAGE_TEXT_FIELDS for language in content_languages()}
    for image in other.images.all():
        target = mine.get(image.position)
        if target is None:
            ArticleImage.objects.create(
                article=article,
                position=image.position,
                image=image.image.name,
                source_name=image.source_name,
                credit=image.credit,
                **(blank | {name: getattr(image, name) or "" for name in names}),
            )
            continue
        changed = [name for name in names if getattr(image, name) and not getattr(target, name)]
        for name in changed:
            setattr(target, name, getattr(image, name))
        if changed:
            target.save(update_fields=changed)


class LinkingMixin:
    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/related/",
                self.admin_site.admin_view(self.related_view),
                name="newsroom_article_related",
            ),
            path(
                "<path:object_id>/related/add/",
                self.admin_site.admin_view(require_POST(self.related_add_view)),
                name="newsroom_article_related_add",
            ),
            path(
                "<path:object_id>/related/remove/",
                self.admin_site.admin_view(require_POST(self.related_remove_view)),
                name="newsroom_article_related_remove",
            ),
            path(
                "<path:object_id>/related/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="newsroom_article_merge",
            ),
        ]
        return urls + super().get_urls()

    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        return [
            *super().get_tool_links(request, obj),
            (_("Related"), reverse("admin:newsroom_article_related", args=[obj.pk])),
        ]

    def _other_story(self, request: HttpRequest, article: Article) -> Article:
        """The story named by the request's ``other`` (its id), never ``article`` itself, or 404."""
        pk = whole_number((request.POST if request.method == "POST" else request.GET).get("other", "").strip())
        if pk is None or pk == article.pk:
            raise Http404
        try:
            return Article.objects.get(pk=pk)
        except Article.DoesNotExist:
            raise Http404 from None

    def _may_relate(self, request: HttpRequest, article: Article) -> bool:
        """Whether the user may change the story's related stories (a Translator may change only translations)."""
        return self.has_change_permission(request, article) and "related" in editable_fields(request.user, article)

    def _link(self, request: HttpRequest, object_id: str, *, add: bool) -> HttpResponse:
        """Relate (``add``) or unrelate the POST's ``other`` story, both ways. 403 unless the user may change the
        story's links; refused with a message when they may not change the other story's (a published story
        for a Reporter)."""
        article = story_or_404(self, request, object_id, change=True)
        if not self._may_relate(request, article):
            raise PermissionDenied
        other = self._other_story(request, article)
        linked = set(article.related.values_list("pk", flat=True))
        if unrelatable(request.user, linked, linked ^ {other.pk}):
            self.message_user(
                request,
                _("You may not change the links of “%(story)s”: nothing was changed.") % {"story": other},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._related_url(article))
        if add:
            article.related.add(other)
            message = _("“%(story)s” is now related.")
        else:
            article.related.remove(other)
            message = _("“%(story)s” is no longer related.")
        revisions.record_change([article, other], request.user, _("related stories changed"))
        self.message_user(request, message % {"story": other}, messages.SUCCESS)
        return HttpResponseRedirect(self._related_url(article))

    def _related_url(self, article: Article) -> str:
        return reverse("admin:newsroom_article_related", args=[article.pk])

    def related_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The story's related stories (remove in one click) and suggestions with reasons (add in one click)."""
        article = story_or_404(self, request, object_id, change=False)
        related = [
            StoryRow(story, languages_to_merge(article, story))
            for story in article.related.only(*display_fields()).order_by("-pk")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Related stories"),
            "related": related,
            "suggestions": [
                StoryRow(s.article, languages_to_merge(article, s.article), tuple(s.reasons))
                for s in related_suggestions(article)
            ],
            "can_change": self._may_relate(request, article),
            "can_merge": self.has_change_permission(request, article) and self.has_delete_permission(request),
        }
        return TemplateResponse(request, "admin/newsroom/article/related.html", context)

    def related_add_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Relate another story to this one, both ways (POST)."""
        return self._link(request, object_id, add=True)

    def related_remove_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Unrelate another story from this one, both ways (POST)."""
        return self._link(request, object_id, add=False)

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: what merging ``other`` into this story as translations would do; POST: do it.

        Refused, with a message, when the user may not delete stories or when ``other``'s original
        language is one this story already has.
        """
        article = story_or_404(self, request, object_id, change=True)
        other = self._other_story(request, article)
        if not self.has_delete_permission(request, other):
            self.message_user(
                request, _("Merging deletes the other story: you are not allowed to delete stories."), messages.ERROR
            )
            return HttpResponseRedirect(self._related_url(article))
        languages = languages_to_merge(article, other)
        if not languages:
            self.message_user(
                request,
                _("Both stories are in %(language)s: only a story in another language can be merged as a translation.")
                % {"language": language_name(other.original_language)},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._related_url(article))
        if request.method == "POST":
            with transaction.atomic():
                merged = merge_as_translations(article, other)
                if merged:
                    article.refresh_from_db()
                    note = _("merged as translations: %(languages)s") % {"languages": ", ".join(merged)}
                    revisions.record(article, request.user, note=note)
            self.message_user(
                request,
                _("Merged as translations: %(languages)s. The other story was deleted.")
                % {"languages": ", ".join(language_name(language) for language in merged)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "other": other,
            "title": _("Merge as translations"),
            "languages": [(language, language_name(language)) for language in languages],
            "documents": other.raw_documents.count(),
            "images": other.images.count(),
        }
        return TemplateResponse(request, "admin/newsroom/article/merge.html", context)
