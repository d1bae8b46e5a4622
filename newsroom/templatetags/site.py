"""Template helpers of the public site: which language a story is shown in, and how languages are named."""

import json
from dataclasses import dataclass

from django import template
from django.conf.locale import LANG_INFO
from django.urls import translate_url
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from newsroom.languages import content_languages, display_name
from newsroom.models import Article
from newsroom.ninjs import language_tag as bcp47

register = template.Library()


@dataclass(frozen=True)
class StoryVersion:
    """What a reader of ``page_language`` is shown of a story."""

    language: str
    title: str
    lead: str
    url: str
    other_language: bool  # the story has no version in the page's language: its original is shown


@register.filter
def version(article: Article, page_language: str) -> StoryVersion:
    shown = article.shown_language(page_language)
    return StoryVersion(
        language=shown,
        title=article.headline(shown),
        lead=article.summary(shown),
        url=article.get_absolute_url(shown),
        other_language=shown != page_language,
    )


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
    return [(code, translate_url(request.get_full_path(), code)) for code in content_languages()]


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
