"""Revisions of stories: what a story looked like at each version, what changed, and putting it back.

A snapshot is a flat JSON object: every concrete column of the story (each language's column on its own;
foreign keys by attname, ``outlet_id``), the sorted ids of its ``topics``, ``tags`` and ``related`` stories,
and its ``images`` with their captions and alt texts in every language. Two snapshots compare key by key;
restoring writes a snapshot back, links and images included.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Field
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from newsroom import cache, search
from newsroom.languages import column, content_languages
from newsroom.models import Article, ArticleImage, Revision

TRANSLATED_FIELDS = ("title", "lead", "body")
IMAGE_TRANSLATED_FIELDS = ("caption", "alt_text")
LINKS = ("topics", "tags", "related")
# Kept in a snapshot but never a "change" and never written back: save() maintains them.
BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "language_versions"})
# Scripts written without spaces between words: their texts are compared character by character.
UNSPACED_LANGUAGES = frozenset({"ja", "zh-hans", "zh-hant", "lo", "th", "km", "my"})


def _story_fields() -> list[Field]:
    """The concrete fields a snapshot holds: modeltranslation's language-less originals are left out."""
    return [field for field in Article._meta.concrete_fields if field.name not in TRANSLATED_FIELDS]


def _image_fields() -> list[Field]:
    return [
        field for field in ArticleImage._meta.concrete_fields if field.name not in (*IMAGE_TRANSLATED_FIELDS, "article")
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


def snapshot(
    article: Article, *, links: dict[str, list[int]] | None = None, images: list[ArticleImage] | None = None
) -> dict[str, Any]:
    """Everything needed to show and restore ``article`` as it is in the database now (4 queries).

    A caller that has just written the story may pass its ``links`` (ids by relation) and ``images``,
    which then cost no query.
    """
    data = {field.attname: _jsonable(getattr(article, field.attname)) for field in _story_fields()}
    for name in LINKS:
        ids = links[name] if links is not None else getattr(article, name).values_list("pk", flat=True)
        data[name] = sorted(ids)
    if images is None:
        images = ArticleImage.objects.filter(article=article).order_by("position", "pk")
    data["images"] = [
        {field.attname: _jsonable(getattr(image, field.attname)) for field in _image_fields()}
        for image in sorted(images, key=lambda image: (image.position, image.pk))
    ]
    return data


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys whose values differ between two snapshots, bookkeeping left out, in ``after``'s order."""
    keys = [*after, *(key for key in before if key not in after)]
    return [key for key in keys if key not in BOOKKEEPING and before.get(key) != after.get(key)]


def previous_revision(revision: Revision) -> Revision | None:
    """The latest revision of the same story older than ``revision``."""
    return (
        Revision.objects.filter(article_id=revision.article_id, version__lt=revision.version)
        .select_related("author")
        .order_by("-version")
        .first()
    )


def record_change(articles: list[Article], author: AbstractBaseUser | None, note: str) -> None:
    """Links of ``articles`` changed outside their forms (a tag accepted, a story related): raise their
    versions and record a revision of each."""
    Article.objects.filter(pk__in=[article.pk for article in articles]).touch()
    for article in articles:
        article.refresh_from_db(fields=["version", "updated_at"])
        record(article, author, note)


def record_first(article: Article, state: dict[str, Any], note: str = "") -> Revision:
    """The first revision of a story just created (no earlier one can exist), from its snapshot."""
    return Revision.objects.create(
        article=article,
        version=article.version,
        snapshot=state,
        changed=changed_fields({key: value for key, value in state.items() if not value}, state),
        note=str(note)[:300],
    )


def record(article: Article, author: AbstractBaseUser | None, note: str = "") -> Revision:
    """The revision of ``article``'s current version, created from the database's state if there is none yet.

    Idempotent per version: another call for the same version returns the existing revision unchanged.
    ``changed`` lists what differs from the latest earlier revision (for the first one: every field with a value).
    """
    existing = Revision.objects.filter(article=article, version=article.version).first()
    if existing is not None:
        return existing
    state = snapshot(article)
    previous = (
        Revision.objects.filter(article=article, version__lt=article.version)
        .order_by("-version")
        .values_list("snapshot", flat=True)
        .first()
    )
    return Revision.objects.create(
        article=article,
        version=article.version,
        author=author if author is not None and author.is_authenticated else None,
        snapshot=state,
        changed=changed_fields(previous if previous is not None else {k: v for k, v in state.items() if not v}, state),
        note=str(note)[:300],
    )


class RestoreRefused(Exception):
    """A revision cannot be written back as it is; the message says why."""


@transaction.atomic
@search.deferred()  # the story's save, its links and images: indexed once, at the end
def restore(article: Article, revision: Revision, author: AbstractBaseUser | None) -> Revision:
    """Write ``revision``'s snapshot back onto ``article``: every language, links and images.

    The story is saved (its version rises, so editors holding the form open get a conflict) and a new
    revision noted "restored from vN" is recorded. Topics, tags, stories, outlets deleted since are dropped.
    Raises RestoreRefused, changing nothing, when the snapshot's source URL now belongs to another story.
    """
    state = revision.snapshot
    source_url = state.get("source_url")
    if source_url and Article.objects.filter(source_url=source_url).exclude(pk=article.pk).exists():
        raise RestoreRefused(gettext("Its source URL %(url)s now belongs to another story.") % {"url": source_url})
    for field in _story_fields():
        if field.attname in BOOKKEEPING or field.attname not in state:
            continue
        value = state[field.attname]
        if field.is_relation:
            exists = value is not None and field.related_model.objects.filter(pk=value).exists()
            setattr(article, field.attname, value if exists else None)
        else:
            setattr(article, field.attname, None if value is None else field.to_python(value))
    article.save()
    for name in LINKS:
        model = Article._meta.get_field(name).related_model
        getattr(article, name).set(list(model.objects.filter(pk__in=state.get(name, [])).values_list("pk", flat=True)))
    ArticleImage.objects.filter(article=article).delete()
    ArticleImage.objects.bulk_create(ArticleImage(article=article, **image) for image in state.get("images", []))
    search.schedule([article.pk])  # the images were written in bulk, without signals
    cache.invalidate()
    return record(article, author, note=gettext("restored from v%(version)s") % {"version": revision.version})


# Diffs --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One changed value: its label, the language its text is in (for lang=), and the marked-up difference."""

    key: str
    label: str
    language: str
    html: SafeString


def text_columns() -> dict[str, str]:
    """Every translated column of a story or an image, mapped to its language."""
    fields = (*TRANSLATED_FIELDS, *IMAGE_TRANSLATED_FIELDS)
    return {column(field, lang): lang for lang in content_languages() for field in fields}


def _tokens(text: str, language: str) -> list[str]:
    if language in UNSPACED_LANGUAGES:
        return list(text)
    return re.findall(r"\s+|\S+", text)


# The most pairs of tokens one changed passage is compared by (SequenceMatcher is quadratic at worst): past it, the
# passage is shown as removed and rewritten whole.
DIFF_BUDGET = 1_000_000


def _opcodes(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """``SequenceMatcher``'s opcodes from ``a`` to ``b``, their common start and end set aside first, so that one
    change in a 100,000-character run compares one character; a middle too large to compare is one replacement."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a_end, b_end = len(a) - end, len(b) - end
    if (a_end - start) * (b_end - start) <= DIFF_BUDGET:
        middle = SequenceMatcher(None, a[start:a_end], b[start:b_end], autojunk=False).get_opcodes()
    else:
        middle = [("replace", 0, a_end - start, 0, b_end - start)]
    opcodes = [("equal", 0, start, 0, start)] if start else []
    opcodes += [(op, i1 + start, i2 + start, j1 + start, j2 + start) for op, i1, i2, j1, j2 in middle]
    return opcodes + ([("equal", a_end, len(a), b_end, len(b))] if end else [])


def _marked(a: list[str], b: list[str]) -> list[SafeString]:
    """Tokens ``b`` marked against tokens ``a``, escaped: what was removed in ``<del>``, what came in ``<ins>``."""
    parts = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op == "equal":
            parts.append(format_html("{}", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return parts


def diff_html(old: str, new: str, language: str) -> SafeString:
    """``new`` marked against ``old``: paragraph by paragraph, then word by word (character by character in
    unspaced scripts) within the paragraphs that changed, escaped."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts: list[SafeString] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op == "equal":
            parts.append(format_html("{}", "".join(a[i1:i2])))
        else:
            parts += _marked(_tokens("".join(a[i1:i2]), language), _tokens("".join(b[j1:j2]), language))
    return format_html_join("", "{}", ((part,) for part in parts))


def _value_html(old: Any, new: Any) -> SafeString:
    empty = gettext("(empty)")
    return format_html(
        "<del>{}</del> → <ins>{}</ins>",
        empty if old in (None, "", []) else old,
        empty if new in (None, "", []) else new,
    )


def _label(key: str) -> str:
    if key == "images":
        return str(_("images"))
    field = next((f for f in Article._meta.get_fields() if getattr(f, "attname", f.name) == key), None)
    return str(field.verbose_name) if field is not None else key


def diff(before: dict[str, Any], after: dict[str, Any], original_language: str) -> list[DiffRow]:
    """What changed from ``before`` to ``after``, field by field, each text in its language, images caption by
    caption; values outside any language (byline, ids) are shown old → new in the story's original language."""
    languages = text_columns()
    rows: list[DiffRow] = []
    for key in changed_fields(before, after):
        if key == "images":
            rows.extend(_image_rows(before.get("images") or [], after.get("images") or [], original_language))
        elif key in languages:
            html = diff_html(before.get(key) or "", after.get(key) or "", languages[key])
            rows.append(DiffRow(key, _label(key), languages[key], html))
        else:
            rows.append(DiffRow(key, _label(key), original_language, _value_html(before.get(key), after.get(key))))
    return rows


def _image_rows(before: list[dict], after: list[dict], original_language: str) -> list[DiffRow]:
    languages = text_columns()
    old_by_id = {image["id"]: image for image in before}
    new_by_id = {image["id"]: image for image in after}
    rows = []
    for number, image_id in enumerate(dict.fromkeys([*new_by_id, *old_by_id]), 1):
        old, new = old_by_id.get(image_id, {}), new_by_id.get(image_id, {})
        for key in dict.fromkeys([*new, *old]):
            if key == "id" or old.get(key) == new.get(key):
                continue
            label = gettext("image %(number)s: %(field)s") % {
                "number": number,
                "field": str(ArticleImage._meta.get_field(key).verbose_name),
            }
            if key in languages:
                html = diff_html(old.get(key) or "", new.get(key) or "", languages[key])
                rows.append(DiffRow(f"images.{key}", label, languages[key], html))
            else:
                rows.append(DiffRow(f"images.{key}", label, original_language, _value_html(old.get(key), new.get(key))))
    return rows
