"""Template helpers of the public site: which language a story is shown in, and how languages are named."""

import json
from dataclasses import dataclass

from django import template
from django.conf.locale import LANG_INFO
from django.utils.formats import date_format
from django.utils.html import _json_script_escapes, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from newsroom import seo
from newsroom.languages import display_name
from newsroom.models import Article
from newsroom.ninjs import language_tag as bcp47
from newsroom.text import shortened

register = template.Library()


@dataclass(frozen=True)
class StoryVersion:
    """What a reader of ``page_language`` is shown of a story."""

    language: str
    title: str
    lead: str
    url: str
    other_language: bool  # the story has no version in the page's language: its original is shown


def version(article: Article, page_language: str) -> StoryVersion:
    """What a card shows of ``article`` on a ``page_language`` page."""
    shown = article.shown_language(page_language)
    return StoryVersion(
        language=shown,
        title=article.headline(shown),
        lead=article.summary(shown),
        url=article.get_absolute_url(shown),
        other_language=shown != page_language,
    )


CARD_HEADINGS = ("h2", "h3")


@register.simple_tag(takes_context=True)
def story_card(context, article: Article, heading: str = "h3") -> SafeString:
    """A story's card in a list: its headline linked, its lead (or, in search results, the passage that matched),
    date and outlet, in the page's language or labelled as in its original. Written out in Python: a listing shows
    twenty, and as a template they cost most of the page."""
    if heading not in CARD_HEADINGS:
        raise template.TemplateSyntaxError(f"story_card heading must be one of {CARD_HEADINGS}, not {heading!r}")
    page_language = context["LANGUAGE_CODE"]
    story = version(article, page_language)
    passage = getattr(article, "passage", None)
    if passage:
        lead = format_html('<p class="card-lead passage" lang="{}" dir="auto">{}</p>', bcp47(passage[0]), passage[1])
    elif story.lead:
        lead = format_html('<p class="card-lead">{}</p>', shortened(story.lead, 220))
    else:
        lead = ""
    label = ""
    if story.other_language:
        label = format_html(
            '<span class="language-label">{}</span>',
            gettext("In %(language)s") % {"language": language_name(story.language)},
        )
    outlet = format_html('<span class="outlet">{}</span>', article.outlet.name) if article.outlet_id else ""
    published = article.published_at
    return format_html(
        '<article class="card" lang="{}" dir="auto">\n'
        '  <{} class="card-title"><a href="{}">{}</a></{}>\n'
        "  {}\n"
        '  <p class="card-meta" lang="{}">{} <time datetime="{}">{}</time> {}</p>\n'
        "</article>\n",
        bcp47(story.language),
        heading,
        story.url,
        shortened(story.title, 150),
        heading,
        lead,
        bcp47(page_language),
        label,
        machine_time(published),
        date_format(localtime(published), "DATE_FORMAT") if published else "",
        outlet,
    )


@register.simple_tag
def filter_fields(form) -> SafeString:
    """A listing's filter form's fields, each in a ``div`` with its label (after the box for a checkbox) and its
    errors; written out in Python, as Django's templates for labels and inputs would, at a tenth of their cost."""
    fields = []
    for field in form:
        label = field.label
        suffix = form.label_suffix if field.field.label_suffix is None else field.field.label_suffix
        if suffix and label and label[-1] not in gettext(":?.!"):
            label = format_html("{}{}", label, suffix)
        label = format_html('<label for="{}">{}</label>', field.id_for_label, label)
        checkbox = field.name == "translated"
        errors = format_html('<div class="field-error" id="{}-error">{}</div>', field.auto_id, field.errors)
        fields.append(
            format_html(
                '<div class="field{}{}">{} {}{}</div>',
                " has-error" if field.errors else "",
                " checkbox" if checkbox else "",
                *((field.as_widget(), label) if checkbox else (label, field.as_widget())),
                errors if field.errors else "",
            )
        )
    return format_html_join("\n", "{}", ((field,) for field in fields))


@register.filter
def language_tag(code: str) -> str:
    """``zh-hans`` -> ``zh-Hans``, for ``lang`` and ``hreflang`` attributes."""
    return bcp47(code)


@register.filter
def language_name(code: str) -> str:
    """The language's name in the interface language (``Hindi``, ``ヒンディー語``)."""
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


@register.filter
def language_local_name(code: str) -> str:
    """The language's name in itself (``हिन्दी``), for language switchers."""
    info = LANG_INFO.get(code)
    return info["name_local"] if info else code


@register.filter
def name_in(obj, language: str) -> str:
    """A topic's or tag's name in ``language``, falling back to English."""
    return display_name(obj, language)


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[tuple[str, str]]:
    """This page in every content language: ``(code, path)`` pairs, filters kept."""
    request = context["request"]
    query = "".join(request.get_full_path().partition("?")[1:])
    return [(code, path + query) for code, path in seo.paths_in_languages(request).items()]


@register.filter
def jsonld(data) -> str:
    """``data`` as a JSON-LD ``<script>`` body: ``<``, ``>`` and ``&`` escaped so story text cannot end the
    script element."""
    # Safe: JSON with <, > and & escaped as \u003C etc. (as Django's json_script does) cannot close the script.
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_json_script_escapes))  # noqa: S308  # nosec B308, B703


@register.filter
def machine_time(moment) -> str:
    """A ``<time datetime>`` value in the active time zone: HTML allows at most milliseconds, so none."""
    return localtime(moment).replace(microsecond=0).isoformat() if moment else ""
