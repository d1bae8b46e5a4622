"""Re-running the cleaner on a story's raw text with the current rules, for the admin's re-clean page.

``propose`` reads and never writes: it says, field by field, what cleaning the
ledger's raw text again would give and whether an editor changed the field since
the import wrote it (the loader's fingerprints in ``RawDocument.written``).
``apply`` writes exactly the fields it is given, in one transaction.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from newsroom.ingest.clean import CleanStory, clean
from newsroom.ingest.decode import Rejected, normalise
from newsroom.ingest.load import (
    TRANSLATED_FIELDS,
    caption_values,
    fingerprint,
    iso_date,
    owned_values,
    set_captions,
)
from newsroom.languages import column
from newsroom.models import Article, RawDocument


@dataclass(frozen=True)
class FieldProposal:
    """One field: its value now, its value after cleaning again, and who changed it last."""

    name: str  # as in ``RawDocument.written``: "title_hi", "byline", "captions"
    field: str  # without the language: "title", "byline", "captions"
    language: str  # the language of a translated field, "" for a shared field
    current: object
    proposed: object
    edited: bool  # an editor changed the value since the import wrote it (or the import never wrote it)
    original: bool  # the original-language text or a shared field, which translators may not change

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


@dataclass(frozen=True)
class Proposal:
    """What re-cleaning one ledger row would write, or why it cannot be re-cleaned."""

    document: RawDocument
    story: CleanStory | None
    fields: tuple[FieldProposal, ...] = ()
    error: str = ""

    @property
    def changes(self) -> list[FieldProposal]:
        return [field for field in self.fields if field.changed]


def propose(document: RawDocument) -> Proposal:
    """Clean ``document.raw_text`` again with the current rules and compare with its story.

    Reads the story and its images; writes nothing. A document without a story or
    language, or whose text the cleaner now rejects, gets a proposal with ``error``.
    """
    article = document.article
    if article is None or not document.language:
        return Proposal(document, None, error="not-imported")
    try:
        story = clean(normalise(document.raw_text))
    except Rejected as rejection:
        return Proposal(document, None, error=rejection.message)
    language = document.language
    current = owned_values(article, language)
    original = language == article.original_language
    texts = (story.title[:400], story.lead, story.body)
    entries = [
        *(
            (field, language, column(field, language), text)
            for field, text in zip(TRANSLATED_FIELDS, texts, strict=True)
        ),
        ("byline", "", "byline", story.byline),
        ("original_published_on", "", "original_published_on", iso_date(story.published_on)),
        ("captions", language, "captions", caption_values(story)),
    ]
    fields = []
    for field, field_language, name, new in entries:
        value = current[name]
        written = document.written.get(name)
        fields.append(
            FieldProposal(
                name=name,
                field=field,
                language=field_language,
                current=value,
                proposed=new,
                edited=bool(value) if written is None else fingerprint(value) != written,
                original=original or not field_language,
            )
        )
    return Proposal(document, story, tuple(fields))


def apply(document: RawDocument, names: set[str]) -> list[str]:
    """Clean ``document`` again and write the fields named in ``names`` that would change.

    One transaction: the story is locked, the fields written, the story saved once
    (its version raised) and the ledger's fingerprints of the written fields updated,
    so a later import sees them as the import's, not an editor's. Returns the names written.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=document.article_id)
        document = RawDocument.objects.select_for_update().get(pk=document.pk)
        document.article = article
        proposal = propose(document)
        chosen = [field for field in proposal.changes if field.name in names]
        if not chosen:
            return []
        for field in chosen:
            if field.name == "captions":
                set_captions(article, proposal.story, document.language, overwrite=True)
            elif field.name == "original_published_on":
                article.original_published_on = date.fromisoformat(field.proposed) if field.proposed else None
            else:
                setattr(article, field.name, field.proposed)
        article.save()
        document.written = {**document.written, **{field.name: fingerprint(field.proposed) for field in chosen}}
        document.save(update_fields=["written", "updated_at"])
    return [field.name for field in chosen]
