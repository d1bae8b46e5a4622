"""Readable URL slugs in every script.

``django.utils.text.slugify(allow_unicode=True)`` drops combining marks, so
Hindi loses its vowel signs (``बाक निन्ह`` becomes ``बक-ननह``) and Vietnamese
tone marks written as combining characters vanish. Here a slug keeps every
letter, mark and digit of the headline, lower-cased, and turns everything
else into single hyphens: ``बाक-निन्ह``, ``バクニン省``, ``bắc-ninh``.

The slug is decoration: stories are found by their number, and a URL with an
out-of-date or mangled slug redirects to the current one, so links survive
headline edits.
"""

import unicodedata

SLUG_MAX_CHARS = 60


class _SlugCharacters(dict):
    """A ``str.translate`` table: a letter, mark or digit stays, anything else becomes a space. Filled as
    characters are met, so a headline is translated in one pass of C instead of a Python loop."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = kept = char if unicodedata.category(char)[0] in "LMN" else " "
        return kept


_SLUG_CHARACTERS = _SlugCharacters()


def headline_slug(text: str, max_chars: int = SLUG_MAX_CHARS) -> str:
    """The slug of a headline: letters, marks and digits of any script, hyphen-separated, at most ``max_chars``.

    Cut at a hyphen when one falls in the second half, so words stay whole.
    """
    slug = "-".join(unicodedata.normalize("NFC", text).lower().translate(_SLUG_CHARACTERS).split())
    if len(slug) > max_chars:
        slug = slug[:max_chars]
        cut = slug.rfind("-")
        slug = slug[:cut] if cut > max_chars // 2 else slug
    return slug.strip("-") or "story"
