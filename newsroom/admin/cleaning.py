"""Raw text beside the cleaned story, every removed line with its rule, and re-running the cleaner."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from newsroom import revisions
from newsroom.admin.base import language_name, story_or_404
from newsroom.ingest.decode import normalise
from newsroom.ingest.reclean import FieldProposal, Proposal, apply, propose
from newsroom.languages import column
from newsroom.models import Article, ArticleImage, RawDocument
from newsroom.text import blocks

FIELD_LABELS = {
    "title": _("Headline"),
    "lead": _("Lead"),
    "body": _("Body"),
    "byline": _("Byline"),
    "original_published_on": _("Original publication date"),
    "captions": _("Captions"),
}


def translators_only(user) -> bool:
    """A translator who may not publish: the original-language text is not theirs to change."""
    return not user.has_perm("newsroom.publish_article") and user.has_perm("newsroom.translate_article")


@dataclass(frozen=True)
class RawLine:
    number: int
    text: str
    rule: str  # the rule that removed the line, "" when it was kept


@dataclass(frozen=True)
class DocumentView:
    """One ledger row of a story: its raw lines with the rules, and the story's text in its language."""

    document: RawDocument
    language_name: str
    lines: list[RawLine]
    title: str
    lead: str
    body: list[tuple[str, str]]
    captions: list[str]
    latest: bool  # the newest row of its language: the one re-cleaning starts from

    @classmethod
    def of(cls, document: RawDocument, article: Article, images: list[ArticleImage], latest: bool) -> DocumentView:
        """The view of ``document``; no query (``images`` are the story's, loaded once)."""
        rules = {removed["line"]: removed["rule"] for removed in document.removed_lines}
        text = normalise(document.raw_text) if document.raw_text else ""
        lines = [RawLine(number, line, rules.get(number, "")) for number, line in enumerate(text.split("\n"), 1)]
        language = document.language
        caption = column("caption", language)
        return cls(
            document=document,
            language_name=language_name(language),
            lines=lines if text else [],
            title=getattr(article, column("title", language), "") or "",
            lead=getattr(article, column("lead", language), "") or "",
            body=blocks(getattr(article, column("body", language), "") or ""),
            captions=[getattr(image, caption, "") or "" for image in images],
            latest=latest,
        )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FieldChoice:
    """A field the re-clean would change, as the confirmation form shows it."""

    proposal: FieldProposal
    label: str
    language_name: str
    allowed: bool
    diff: list[DiffLine]

    @property
    def ticked(self) -> bool:
        return self.allowed and not self.proposal.edited


def as_lines(name: str, value: object) -> list[str]:
    """A field's value as the lines a diff compares: paragraphs, captions with their credit, or one line."""
    if name == "captions":
        return [f"{text} — {credit}" if credit else text for text, credit in value or []]
    if value is None:
        return []
    return [line.strip() for line in str(value).split("\n") if line.strip()]


def diff(name: str, current: object, proposed: object) -> list[DiffLine]:
    """Every line of both values, each marked kept, removed or added, in order."""
    before, after = as_lines(name, current), as_lines(name, proposed)
    lines = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            lines.extend(DiffLine("same", line) for line in before[a_start:a_end])
            continue
        lines.extend(DiffLine("removed", line) for line in before[a_start:a_end])
        lines.extend(DiffLine("added", line) for line in after[b_start:b_end])
    return lines


class CleaningMixin:
    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/cleaning/",
                self.admin_site.admin_view(self.cleaning_view),
                name="newsroom_article_cleaning",
            ),
            path(
                "<path:object_id>/cleaning/<int:document_id>/reclean/",
                self.admin_site.admin_view(self.reclean_view),
                name="newsroom_article_reclean",
            ),
        ]
        return urls + super().get_urls()

    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        return [
            *super().get_tool_links(request, obj),
            (_("Cleaning"), reverse("admin:newsroom_article_cleaning", args=[obj.pk])),
        ]

    def cleaning_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Each import of the story, newest first: raw lines (removed ones with their rule) beside the story."""
        article = story_or_404(self, request, object_id)
        images = list(article.images.all())
        seen: set[str] = set()
        documents = []
        for document in article.raw_documents.defer("raw_bytes").order_by("-created_at", "-pk"):
            documents.append(DocumentView.of(document, article, images, latest=document.language not in seen))
            seen.add(document.language)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Cleaning"),
            "documents": documents,
            "can_reclean": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/newsroom/article/cleaning.html", context)

    def reclean_view(self, request: HttpRequest, object_id: str, document_id: int) -> HttpResponse:
        """What cleaning the raw text again would change, with a confirmation form; the confirmation
        (a POST with ``confirm``) writes the ticked fields the user may change, nothing else."""
        article = story_or_404(self, request, object_id, change=True)
        document = get_object_or_404(article.raw_documents.defer("raw_bytes"), pk=document_id)
        document.article = article
        proposal = propose(document)
        restricted = translators_only(request.user)
        choices = [
            FieldChoice(
                proposal=field,
                label=FIELD_LABELS[field.field],
                language_name=language_name(field.language) if field.language else "",
                allowed=not (restricted and field.original),
                diff=diff(field.name, field.current, field.proposed),
            )
            for field in proposal.changes
        ]
        cleaning_url = reverse("admin:newsroom_article_cleaning", args=[article.pk])
        if request.method == "POST" and "confirm" in request.POST:
            return self._apply_reclean(request, article, document, choices, cleaning_url)
        return self._reclean_page(request, article, proposal, choices, cleaning_url)

    def _apply_reclean(
        self,
        request: HttpRequest,
        article: Article,
        document: RawDocument,
        choices: list[FieldChoice],
        cleaning_url: str,
    ) -> HttpResponse:
        names = set(request.POST.getlist("field"))
        allowed = {choice.proposal.name for choice in choices if choice.allowed}
        if names - allowed:
            raise PermissionDenied
        with transaction.atomic():
            # Locked until the re-clean is written: a save in between cannot slip past the version check.
            current = Article.objects.select_for_update().filter(pk=article.pk).values_list("version", flat=True)
            if request.POST.get("version") != str(current.first()):
                self.message_user(
                    request,
                    _("The story was saved by someone else meanwhile; review the changes again."),
                    messages.WARNING,
                )
                return HttpResponseRedirect(reverse("admin:newsroom_article_reclean", args=[article.pk, document.pk]))
            written = apply(document, names)
            if written:
                article.refresh_from_db()
                revisions.record(article, request.user, note=_("cleaned again"))
        if written:
            labels = ", ".join(str(choice.label) for choice in choices if choice.proposal.name in written)
            self.message_user(request, _("Cleaned again: %(fields)s.") % {"fields": labels}, messages.SUCCESS)
        else:
            self.message_user(request, _("Nothing was changed."), messages.INFO)
        return HttpResponseRedirect(cleaning_url)

    def _reclean_page(
        self,
        request: HttpRequest,
        article: Article,
        proposal: Proposal,
        choices: list[FieldChoice],
        cleaning_url: str,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Clean again"),
            "proposal": proposal,
            "document": proposal.document,
            "choices": choices,
            "cleaning_url": cleaning_url,
        }
        return TemplateResponse(request, "admin/newsroom/article/cleaning_reclean.html", context)
