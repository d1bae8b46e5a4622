"""The content languages and their translated column names.

Translated fields are concrete columns (``title_hi``, ``title_zh_hans``):
code that writes or filters on a language names the column explicitly
instead of relying on the active locale.
"""

from collections.abc import Iterable, Mapping
from functools import cache

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname


def content_languages() -> list[str]:
    return list(settings.CONTENT_LANGUAGES)


@cache  # a page of stories names its columns a thousand times
def column(field: str, language: str) -> str:
    """The concrete column of ``field`` in ``language`` (``title``, ``zh-hans`` -> ``title_zh_hans``)."""
    return build_localized_fieldname(field, language)


def translated(obj: object, field: str, languages: Iterable[str]) -> str:
    """The first non-empty value of a translated ``field`` in ``languages``, in order of preference; ``obj`` a model
    instance or a row read as a mapping of its columns."""
    read = obj.get if isinstance(obj, Mapping) else lambda name, default: getattr(obj, name, default)
    return next((value for lang in languages if (value := read(column(field, lang), ""))), "")


def name_languages(language: str) -> list[str]:
    """Where a name is looked for on a ``language`` page: that language, else English, else any that has one."""
    return [language, "en", *content_languages()]


def display_name(obj: object, language: str) -> str:
    """A topic's or tag's name in ``language``, else in English, else in any language that has one."""
    return translated(obj, "name", name_languages(language)) or str(obj)
