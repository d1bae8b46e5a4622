"""Suggested tags with the alias that matched and where, and bulk tag actions on stories."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from newsroom import revisions
from newsroom.admin.base import language_name, story_or_404, whole_number
from newsroom.admin.workflow import editable_fields
from newsroom.ingest.classify import classify
from newsroom.ingest.load import load_registry
from newsroom.languages import column
from newsroom.models import Article, ArticleImage, Tag
from newsroom.text import paragraphs

_NUMBERED_PART = re.compile(r"(paragraph|caption) (\d+)")


def where_label(part: str) -> str:
    """A part of a story as classify names it (``"paragraph 3"``), in the interface language."""
    if part == "title":
        return str(_("headline"))
    if part == "lead":
        return str(_("lead"))
    if match := _NUMBERED_PART.fullmatch(part):
        kind, number = match.groups()
        label = _("paragraph %(number)s") if kind == "paragraph" else _("caption %(number)s")
        return str(label) % {"number": number}
    return part


@dataclass(frozen=True)
class Evidence:
    """Where a tag was found in one language (or in the import ledger) and under which alias."""

    language: str
    language_name: str
    alias: str
    where: list[str]
    count: int
    from_import: bool  # found by an import in the text as it was then, not in the text as it is now


@dataclass(frozen=True)
class TagSuggestion:
    tag: Tag
    count: int  # mentions in every language, headline and lead counting double
    evidence: list[Evidence]


def story_parts(article: Article, language: str, images: list[ArticleImage]) -> list[tuple[str, str]]:
    """The story in ``language`` as the classifier reads it: headline, lead, body paragraphs, captions."""
    caption = column("caption", language)
    return [
        ("title", getattr(article, column("title", language)) or ""),
        ("lead", getattr(article, column("lead", language)) or ""),
        *(
            (f"paragraph {n}", text)
            for n, text in enumerate(paragraphs(getattr(article, column("body", language)) or ""), 1)
        ),
        *((f"caption {n}", getattr(image, caption) or "") for n, image in enumerate(images, 1)),
    ]


def suggested_tags(article: Article) -> list[TagSuggestion]:
    """Tags the story mentions in any of its languages, or that its imports found, that it lacks; the
    most mentioned first. Each with the alias that matched and where. A fixed number of queries."""
    registry = load_registry()
    images = list(article.images.all())
    found: dict[str, list[Evidence]] = defaultdict(list)
    for language in article.languages():
        for mention in classify(story_parts(article, language, images), registry).tags:
            found[mention.slug].append(
                Evidence(
                    language,
                    language_name(language),
                    mention.alias,
                    [where_label(w) for w in mention.where],
                    mention.count,
                    False,
                )
            )
    for language, classification in article.raw_documents.values_list("language", "classification"):
        for mention in (classification or {}).get("tags", []):
            if any(e.language == language for e in found.get(mention["slug"], [])):
                continue
            found[mention["slug"]].append(
                Evidence(
                    language,
                    language_name(language),
                    mention["alias"],
                    [where_label(w) for w in mention.get("where", [])],
                    mention.get("count", 0),
                    True,
                )
            )
    tags = Tag.objects.filter(slug__in=found).exclude(articles=article)
    suggestions = [TagSuggestion(tag, sum(e.count for e in found[tag.slug]), found[tag.slug]) for tag in tags]
    return sorted(suggestions, key=lambda suggestion: (-suggestion.count, suggestion.tag.slug))


def posted_tag(request: HttpRequest) -> Tag:
    """The tag named by the POST's ``tag`` (its id), or 404."""
    pk = whole_number(request.POST.get("tag", ""))
    if pk is None:
        raise Http404
    return get_object_or_404(Tag, pk=pk)


class TaggingMixin:
    tagging_actions: list = []

    def get_urls(self):
        urls = [
            path("<path:object_id>/tags/", self.admin_site.admin_view(self.tags_view), name="newsroom_article_tags"),
            path(
                "<path:object_id>/tags/add/",
                self.admin_site.admin_view(require_POST(self.tag_add_view)),
                name="newsroom_article_tag_add",
            ),
            path(
                "<path:object_id>/tags/remove/",
                self.admin_site.admin_view(require_POST(self.tag_remove_view)),
                name="newsroom_article_tag_remove",
            ),
        ]
        return urls + super().get_urls()

    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        return [
            *super().get_tool_links(request, obj),
            (_("Tags"), reverse("admin:newsroom_article_tags", args=[obj.pk])),
        ]

    def tags_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The story's tags (remove in one click) and the tags it mentions but lacks (accept in one click)."""
        article = story_or_404(self, request, object_id, change=False)
        suggestions = suggested_tags(article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Tags"),
            "tags": list(article.tags.all()),
            "suggestions": suggestions,
            "can_change": self._may_tag(request, article),
        }
        return TemplateResponse(request, "admin/newsroom/article/tags.html", context)

    def _may_tag(self, request: HttpRequest, article: Article) -> bool:
        """Whether the user may change the story's tags (a Translator may change only translations)."""
        return self.has_change_permission(request, article) and "tags" in editable_fields(request.user, article)

    def _taggable_story(self, request: HttpRequest, object_id: str) -> Article:
        article = story_or_404(self, request, object_id, change=True)
        if not self._may_tag(request, article):
            raise PermissionDenied
        return article

    def tag_add_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Add one tag to the story (POST, permission to change its tags)."""
        article = self._taggable_story(request, object_id)
        tag = posted_tag(request)
        article.tags.add(tag)
        revisions.record_change([article], request.user, _("tag “%(tag)s” added") % {"tag": tag})
        self.message_user(request, _("Tag “%(tag)s” added.") % {"tag": tag}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:newsroom_article_tags", args=[article.pk]))

    def tag_remove_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Remove one tag from the story (POST, permission to change its tags)."""
        article = self._taggable_story(request, object_id)
        tag = posted_tag(request)
        article.tags.remove(tag)
        revisions.record_change([article], request.user, _("tag “%(tag)s” removed") % {"tag": tag})
        self.message_user(request, _("Tag “%(tag)s” removed.") % {"tag": tag}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:newsroom_article_tags", args=[article.pk]))
