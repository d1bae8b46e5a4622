"""Topics and tags from a registry of aliases and keywords, in any script."""

from newsroom.ingest.classify import MIN_TOPIC_SCORE, Registry, classify

REGISTRY = Registry.build(
    tag_names=[
        ("bac-ninh", "Bắc Ninh"),
        ("bac-ninh", "Bac Ninh"),
        ("bac-ninh", "बाक निन्ह"),
        ("bac-ninh", "バクニン"),
        ("bac-ninh", "박닌"),
        ("laos", "Laos"),
        ("laos", "लाओस"),
        ("ocop", "OCOP"),
    ],
    topic_keywords=[
        ("industrial-promotion", "industrial promotion", 3),
        ("industrial-promotion", "औद्योगिक संवर्धन", 3),
        ("ocop", "OCOP", 3),
        ("cross-border-cooperation", "border trade", 3),
    ],
    tag_topics={"laos": "cross-border-cooperation", "ocop": "ocop"},
)


def slugs(mentions):
    return [mention.slug for mention in mentions]


def test_aliases_match_in_every_script():
    """One tag is found through its Vietnamese, English, Hindi, Japanese and Korean names."""
    for text in ["Tỉnh Bắc Ninh", "Bac Ninh province", "बाक निन्ह प्रांत", "バクニン省の会議", "박닌성은"]:
        assert slugs(classify([("body", text)], REGISTRY).tags) == ["bac-ninh"], text


def test_matching_ignores_case_and_width():
    """`BAC NINH` and full-width `ＯＣＯＰ` match their aliases."""
    result = classify([("body", "BAC NINH sells ＯＣＯＰ goods")], REGISTRY)
    assert set(slugs(result.tags)) == {"bac-ninh", "ocop"}


def test_latin_and_devanagari_aliases_match_whole_words_only():
    """`Laos` does not match inside `Laosian`; `लाओस` not inside a longer word."""
    assert classify([("body", "Laosian goods")], REGISTRY).tags == ()
    assert classify([("body", "लाओसी")], REGISTRY).tags == ()


def test_evidence_names_the_alias_and_where():
    """Each tag match keeps the alias that matched and the parts it was found in."""
    result = classify([("title", "Bac Ninh fair"), ("paragraph 2", "Bac Ninh and Laos")], REGISTRY)
    bac_ninh = next(m for m in result.tags if m.slug == "bac-ninh")
    assert bac_ninh.alias == "Bac Ninh"
    assert bac_ninh.where == ("title", "paragraph 2")


def test_topic_from_keywords_in_any_language():
    """A Hindi keyword scores the same topic as its English counterpart."""
    assert classify([("body", "औद्योगिक संवर्धन कार्यक्रम")], REGISTRY).topics == ("industrial-promotion",)


def test_tags_imply_topics():
    """Mentions of a Lao place count towards cross-border cooperation."""
    result = classify([("body", "Laos, Laos and Laos again")], REGISTRY)
    assert result.topics == ("cross-border-cooperation",)


def test_several_topics_primary_first():
    """A story strong on two topics gets both, the stronger first."""
    result = classify(
        [("title", "industrial promotion and OCOP"), ("body", "industrial promotion; industrial promotion; OCOP")],
        REGISTRY,
    )
    assert result.topics == ("industrial-promotion", "ocop")


def test_weak_secondary_topic_is_dropped():
    """A passing mention well below the leading topic's score is not a topic."""
    result = classify([("body", "industrial promotion " * 5 + "border trade")], REGISTRY)
    assert result.topics == ("industrial-promotion",)
    assert result.scores["cross-border-cooperation"] == MIN_TOPIC_SCORE


def test_no_keyword_no_topic():
    """A story that names no keyword gets no topic (editors see it under 'no topic')."""
    assert classify([("body", "The weather was fine.")], REGISTRY).topics == ()


def test_empty_registry():
    """An empty registry classifies nothing and does not fail."""
    empty = Registry.build([], [], {})
    assert classify([("body", "Bac Ninh")], empty).tags == ()
