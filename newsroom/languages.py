"""The content languages and their translated column names.

Translated fields are concrete columns (``title_hi``, ``title_zh_hans``):
code that writes or filters on a language names the column explicitly
instead of relying on the active locale.
"""

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname


def content_languages() -> list[str]:
    return list(settings.CONTENT_LANGUAGES)


def column(field: str, language: str) -> str:
    """The concrete column of ``field`` in ``language`` (``title``, ``zh-hans`` -> ``title_zh_hans``)."""
    return build_localized_fieldname(field, language)
