"""The content languages and their translated column names.

Translated fields are concrete columns (``title_hi``, ``title_zh_hans``):
code that writes or filters on a language names the column explicitly
instead of relying on the active locale.
"""

from collections.abc import Iterable

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname


def content_languages() -> list[str]:
    return list(settings.CONTENT_LANGUAGES)


def column(field: str, language: str) -> str:
    """The concrete column of ``field`` in ``language`` (``title``, ``zh-hans`` -> ``title_zh_hans``)."""
    return build_localized_fieldname(field, language)


def translated(obj: object, field: str, languages: Iterable[str]) -> str:
    """The first non-empty value of a translated ``field`` in ``languages``, in order of preference."""
    return next((value for lang in languages if (value := getattr(obj, column(field, lang), ""))), "")


def display_name(obj: object, language: str) -> str:
    """A topic's or tag's name in ``language``, else in English, else in any language that has one."""
    return translated(obj, "name", [language, "en", *content_languages()]) or str(obj)
