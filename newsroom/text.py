"""Small text functions shared by the models, the import and the pages."""

import re
import unicodedata

# Characters that end a sentence in the default languages.
SENTENCE_ENDINGS = ".!?…।॥。！？"
HEADING_MAX_CHARS = 200


def match_key(text: str) -> str:
    """The form names are compared in: NFKC (full-width to ASCII), case-folded, single-spaced.

    ``"Bắc Ninh"`` and ``"BẮC  NINH"`` share a key; ``"Bac Ninh"`` does not, so an
    unaccented spelling needs an alias of its own.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def shortened(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending in "…" when cut, marks kept with their letter (a Hindi
    vowel sign is not cut from its consonant). Django's ``truncatechars`` reads every character to count them,
    which twenty cards a page felt."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut < len(text) and unicodedata.category(text[cut]).startswith("M"):
        cut += 1
    return text[:cut].rstrip() + "…"


def looks_like_heading(line: str) -> bool:
    """A short line that does not end a sentence: a headline or a subheading.

    Needs two words, or four characters in scripts written without spaces.
    """
    line = line.strip()
    if not line or len(line) > HEADING_MAX_CHARS or line[-1] in SENTENCE_ENDINGS + ":：;,|":
        return False
    if not any(char.isalpha() for char in line):
        return False
    return len(line.split()) >= 2 or (len(line) >= 4 and not line.isascii())


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a stored body: every line is a paragraph."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def blocks(text: str) -> list[tuple[str, str]]:
    """A stored body as ``("heading" | "paragraph", text)`` pairs.

    A heading is a heading-shaped paragraph followed by another paragraph, so
    the body stays plain text that editors can write without markup.
    """
    items = paragraphs(text)
    return [
        ("heading" if index + 1 < len(items) and looks_like_heading(item) else "paragraph", item)
        for index, item in enumerate(items)
    ]


# XML 1.0 cannot carry C0 controls (Django's feed writer raises on them) nor lone surrogates; imports
# strip them, but an editor can paste one into the admin.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text or "")
