"""Slugs keep every script readable: letters, combining marks and digits survive; the rest becomes hyphens."""

import pytest

from newsroom.slugs import headline_slug


@pytest.mark.parametrize(
    ("headline", "slug"),
    [
        ("बाक निन्ह प्रांत", "बाक-निन्ह-प्रांत"),  # vowel signs and viramas kept (slugify drops them)
        ("バクニン省の会議", "バクニン省の会議"),
        ("Bắc Ninh: khuyến công 2025!", "bắc-ninh-khuyến-công-2025"),
        ("Провинция Бакнинь", "провинция-бакнинь"),
        ("ແຂວງ ບັກນິງ", "ແຂວງ-ບັກນິງ"),
        ("  «Quotes» — and/or  slashes  ", "quotes-and-or-slashes"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("!!!", "story"),
        ("", "story"),
    ],
)
def test_headline_slug(headline, slug):
    assert headline_slug(headline) == slug


def test_decomposed_vietnamese_is_composed_first():
    """Tone marks typed as combining characters give the same slug as precomposed ones."""
    assert headline_slug("Bă\u0301c Ninh") == headline_slug("Bắc Ninh") == "bắc-ninh"


def test_long_headlines_are_cut_between_words():
    """A slug is at most 60 characters and ends on a whole word."""
    slug = headline_slug("industrial promotion " * 10)
    assert len(slug) <= 60 and not slug.endswith("-")
    assert slug.split("-")[-1] in {"industrial", "promotion"}


def test_slugs_never_hold_url_syntax():
    """Nothing that could break a path survives: no slash, question mark, hash or space."""
    slug = headline_slug("a/b?c#d e%f")
    assert not set("/?# %") & set(slug)
