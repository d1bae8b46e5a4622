"""Search (newsroom.search): the normaliser, the query parser, both engines' results, the documents kept in step
with stories and tags, and the search page and API.

The suite runs on SQLite (FTS5) and again on PostgreSQL (tsvector): every expectation below is written once and
must hold on whichever engine runs it, so sets of results are asserted, and order only where ranking cannot
disagree.
"""

import hashlib
import json
import math
import re
import unicodedata
from datetime import timedelta
from html import unescape
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import search
from newsroom.admin.registry import merge_tags
from newsroom.models import Article, ArticleImage, Outlet, SearchDocument, Tag, TagAlias, Topic
from newsroom.search import Segment, Term, parse, search_ids, segments, tokens
from tests.conftest import DATA, make_story

VIETNAMESE_SAMPLES = ("search_vi_bac_ninh.txt", "search_vi_da_nang.txt", "search_vi_hai_phong.txt")

# What a reader may type that is not a word: search syntax of both engines, quotes, escapes, control characters.
HOSTILE_QUERIES = [
    "*",
    "bac*",
    "NEAR(",
    "NEAR(bac ninh, 2)",
    '"',
    '"""',
    'bac "ninh',
    "(",
    ")",
    "((bac) OR (ninh",
    "AND OR NOT",
    "bac AND OR NOT ninh",
    "NOT",
    "\\",
    "bac\\ninh\\",
    "'",
    "'bac' 'ninh",
    "document:bac",
    ":",
    "^bac",
    "bac:*",
    "&|!",
    "bac & !ninh | <->",
    "bac <-> ninh",
    "'; DROP TABLE newsroom_article; --",
    "\x00",
    "bac\x00ninh",
    "\x01\x02\x1b[31m\x7f\x85",
    "\u202ebac\u2066ninh\u200b",
    "x" * 10_000,
    "bac " * 2_500,
    "会" * 10_000,
    " ".join(f"w{i}" for i in range(2_000)),
    "😀",
    "😀🇻🇳👍🏽",
    "् ़ ่",
    "%",
    "%00",
    "_",
    "{bac}",
    "-bac +ninh",
]


def allowed_token(token: str) -> bool:
    """Only letters, marks and digits: nothing either engine reads as syntax."""
    return bool(token) and all(unicodedata.category(char)[0] in "LMN" for char in token)


def import_samples(*paths) -> list[Article]:
    """``import_seeds --publish`` on ``paths``; the stories, in the order of the paths."""
    out = StringIO()
    call_command("import_seeds", *[str(path) for path in paths], "--publish", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert [item["status"] for item in report] == ["created"] * len(paths), report
    return [Article.objects.get(pk=item["article"]) for item in report]


def found(query: str, queryset=None) -> set[int]:
    """The ids of the published stories (or of ``queryset``) that ``query`` finds."""
    return set(search_ids(Article.objects.published() if queryset is None else queryset, query))


def search_page(client, query: str, interface: str = "en", **filters) -> str:
    """The search page for ``query`` (and ``filters``) in the ``interface`` language, after checking it answers 200."""
    response = client.get(f"/{interface}/search/?{urlencode({'q': query, **filters})}")
    assert response.status_code == 200, (query[:50], response.status_code)
    return response.content.decode()


def card_ids(page: str) -> list[int]:
    """The stories listed on a page, in order, from their cards' headline links."""
    return [int(pk) for pk in re.findall(r'class="card-title"><a href="/[\w-]+/stories/(\d+)/', page)]


def passages(page: str) -> list[tuple[str, str]]:
    """Each highlighted passage of a page: its ``lang`` and its inner HTML."""
    result = []
    for attributes, inner in re.findall(r"<p ([^>]*\bpassage\b[^>]*)>(.*?)</p>", page, re.S):
        result.append((re.search(r'\blang="([^"]*)"', attributes).group(1), inner))
    return result


def documents(story: Article) -> dict[str, str]:
    """A story's search documents by language."""
    return dict(SearchDocument.objects.filter(article=story).values_list("language", "document"))


def api_ids(client, **params) -> list[int]:
    response = client.get("/api/articles/", params)
    assert response.status_code == 200, (params, response.status_code, response.content[:300])
    return [
        int(re.fullmatch(r"urn:newsroom:article:(\d+):[\w-]+", item["uri"]).group(1))
        for item in response.json()["results"]
    ]


# The normaliser -------------------------------------------------------------------------------


def test_nfkc_and_case_folding():
    """Full-width letters and digits read as ASCII, and case never matters (casefold: ``ß`` is ``ss``)."""
    assert tokens("ＢＡＣ") == ["bac"]
    assert tokens("ＢＡＣ　ＮＩＮＨ　２０２５") == ["bac", "ninh", "2025"]
    assert tokens("STRASSE Straße") == ["strasse", "strasse"]
    assert tokens("ｶﾞｲﾄﾞ") == tokens("ガイド")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đà Nẵng", ["da", "nang"]),
        ("ĐÀ NẴNG", ["da", "nang"]),
        ("đường", ["duong"]),
        ("Bắc Ninh", ["bac", "ninh"]),
        ("Hưng Yên, Quảng Trị", ["hung", "yen", "quang", "tri"]),
        ("Hà Nội, capitale du Viêt Nam, à l'été", ["ha", "noi", "capitale", "du", "viet", "nam", "a", "l", "ete"]),
        ("Ðakao Ç ñ", ["dakao", "c", "n"]),
    ],
)
def test_latin_diacritics_are_folded(text, expected):
    """Latin letters lose their diacritics and ``đ`` becomes ``d``: readers type Vietnamese and French without
    tone marks and still match."""
    assert tokens(text) == expected


def test_decomposed_text_folds_like_composed_text():
    """Text in NFD (base letter plus combining marks) gives the same tokens as the same text in NFC."""
    for text in ("Đà Nẵng", "Bắc Ninh đường", "Viêt Nam"):
        assert tokens(unicodedata.normalize("NFD", text)) == tokens(text)


def test_a_latin_diacritic_left_as_a_combining_mark_is_folded_too():
    """Case folding can leave a Latin letter's diacritic as a combining mark (``İ`` -> ``i`` + U+0307): it is
    folded like every other Latin diacritic, so ``Istanbul`` finds ``İstanbul``."""
    assert tokens("İstanbul") == tokens("Istanbul") == ["istanbul"]


def test_devanagari_words_keep_their_vowel_signs_and_viramas():
    """A Hindi word is one token with its vowel signs, nukta and viramas; nothing is folded away."""
    assert tokens("बाक निन्ह प्रतिनिधिमंडल") == ["बाक", "निन्ह", "प्रतिनिधिमंडल"]
    assert tokens("सड़क, ज़िला।") == ["सड़क", "ज़िला"]
    assert "\u094d" in tokens("निन्ह")[0]


def test_cyrillic_is_kept_and_only_case_folded():
    """Cyrillic letters keep their marks (``й`` is not ``и``); only case is folded."""
    assert tokens("Бакнинь Й й Ё") == ["бакнинь", "й", "й", "ё"]
    assert tokens("й") != tokens("и")


def test_cjk_runs_are_bigrams_in_order_then_each_character_once():
    """A run of Han or kana gives its overlapping bigrams in order (a one-character run, itself); after all of
    them, each character of every run once (so one-character queries match)."""
    assert tokens("バクニン省") == ["バク", "クニ", "ニン", "ン省", "バ", "ク", "ニ", "ン", "省"]
    assert tokens("会議 bac 会議、省") == ["会議", "bac", "会議", "省", "会", "議", "省"]
    assert tokens("박닌성") == ["박닌", "닌성", "박", "닌", "성"]


def test_lao_and_thai_clusters_keep_their_marks():
    """Lao and Thai are cut into clusters of a letter and its marks; no token starts with a bare mark."""
    assert tokens("ບັກນິງ") == ["ບັກ", "ກນິ", "ນິງ", "ບັ", "ກ", "ນິ", "ງ"]
    assert tokens("สวัสดี") == ["สวั", "วัส", "สดี", "ส", "วั", "ดี"]
    for token in tokens("ແຂວງບັກນິງ สวัสดีครับ"):
        assert unicodedata.category(token[0])[0] != "M", token


def test_segments_say_which_runs_are_unspaced():
    """Words of spaced scripts are single-token segments; runs of unspaced scripts keep their clusters."""
    assert segments("Bắc Ninh バクニン省") == [
        Segment(("bac",), unspaced=False),
        Segment(("ninh",), unspaced=False),
        Segment(("バ", "ク", "ニ", "ン", "省"), unspaced=True),
    ]


def test_tokens_are_capped_at_64_characters():
    """A longer word is cut to its first 64 characters, in a document and in a query alike."""
    assert tokens("a" * 100) == ["a" * 64]
    assert tokens("क" * 100) == ["क" * 64]
    assert parse("a" * 100) == [Term(("a" * 64,), phrase=False)]


def test_documents_are_capped_at_16000_tokens():
    """A document stops at 16,000 tokens (PostgreSQL keeps positions only up to 16,383); the unspaced
    characters added at the end count towards the cap."""
    assert len(tokens("word " * 20_000)) == 16_000
    assert len(tokens("x " * 15_999 + "会議")) == 16_000
    assert tokens("x " * 15_990 + "会議")[-3:] == ["会議", "会", "議"]


def test_punctuation_controls_underscores_and_emoji_are_separators():
    """Anything that is not a letter, mark or digit separates words."""
    text = "snake_case,a.b;c!d?e\x00f\x07g\u200bh😀i—j«k»l\tm\nn/o\\p'q\"r*s(t)u"
    assert tokens(text) == ["snake", "case", *"abcdefghijklmnopqrstu"]
    assert tokens("😀 🇻🇳 ___ ... \x00") == []
    assert search.fold("Đà Nẵng, 2025!") == "da nang  2025 "


# The query parser -----------------------------------------------------------------------------


def test_words_are_separate_terms_and_quoted_parts_are_phrases():
    """Unquoted words must each appear; a quoted part must appear as written, its words adjacent and in order."""
    assert parse("industrial promotion") == [
        Term(("industrial",), phrase=False),
        Term(("promotion",), phrase=False),
    ]
    assert parse('"industrial promotion"') == [Term(("industrial", "promotion"), phrase=True)]
    assert parse('bac "Đà Nẵng" ninh') == [
        Term(("bac",), phrase=False),
        Term(("da", "nang"), phrase=True),
        Term(("ninh",), phrase=False),
    ]


def test_an_unbalanced_quote_quotes_the_rest_of_the_query():
    """A quote without its pair makes the rest of the query one phrase; empty quotes are nothing."""
    assert parse('bac "ninh province') == [Term(("bac",), phrase=False), Term(("ninh", "province"), phrase=True)]
    assert parse('"') == parse('""') == parse('"  "') == []


def test_cjk_runs_need_all_their_bigrams_and_quoted_runs_are_phrases():
    """A run of three or more characters needs all its bigrams, anywhere (quoted, in order and adjacent); two
    characters are one bigram; one character is itself (matched by the characters at the end of documents), a
    fragment."""
    assert parse("バクニン省") == [Term(("バク", "クニ", "ニン", "ン省"), phrase=False)]
    assert parse('"バクニン省"') == [Term(("バク", "クニ", "ニン", "ン省"), phrase=True)]
    assert parse("会議") == [Term(("会議",), phrase=False)]
    assert parse("省") == [Term(("省",), phrase=False, fragment=True)]
    assert parse('"省"') == [Term(("省",), phrase=False, fragment=True)]
    assert parse('"会議"') == [Term(("会議",), phrase=False)]


def test_repeated_terms_count_once_and_at_most_16_are_kept():
    """The same term typed twice is one term; only the first 16 distinct terms are searched."""
    assert parse("bac BAC Bắc") == [Term(("bac",), phrase=False)]
    words = [f"w{i}" for i in range(40)]
    assert parse(" ".join(words)) == [Term((word,), phrase=False) for word in words[:16]]


def test_the_query_is_cut_at_500_characters():
    """Only the first 500 characters of a query are read."""
    assert parse("x " * 249 + "zebra") == [Term(("x",), phrase=False), Term(("ze",), phrase=False)]
    assert parse("x " * 250 + "zebra") == [Term(("x",), phrase=False)]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_parse_to_plain_tokens(query):
    """Search syntax, quotes, escapes and control characters never raise: they parse to at most 16 terms of
    letters, marks and digits only, or to nothing."""
    terms = parse(query)
    assert len(terms) <= search.MAX_QUERY_TERMS
    assert all(term.tokens and all(allowed_token(token) for token in term.tokens) for term in terms)


def test_queries_without_letters_or_digits_are_unsearchable():
    """Emoji, punctuation and control characters alone give no terms."""
    for query in ("", "   ", "😀😀", "*", "&|!", "\x00", '"""', "()", "---", "_"):
        assert parse(query) == [], query


# The five real seeds, end to end --------------------------------------------------------------

# Query -> the seeds it finds (by seed number), identical on both engines. Tags contribute their names and
# aliases in every script, so a story is also found by the names of what it is tagged with.
SEED_RESULTS = {
    "バクニン省": {0, 2, 3},
    "バクニン": {0, 2, 3},
    "裾野産業": {2},
    "会議": {2},
    "科学技術": {2},
    "省": {2},  # alone, a character names no tag: only the Japanese story has it
    "निन्ह": {0, 2, 3, 4},
    "बाक निन्ह": {0, 2, 3},
    "प्रतिनिधिमंडल": {0, 4},
    "सहयोग": {0, 4},
    "industrial promotion": {0, 2, 3},
    '"industrial promotion"': {0, 3},
    "bac ninh": {0, 2, 3},
    "Bắc Ninh": {0, 2, 3},
    "ocop": {0, 1},
    "xaisomboun": {0},
    "2025": {0, 2, 3, 4},
    "delegation": set(),
    "hưng yên": set(),
}


@pytest.mark.parametrize(("query", "expected"), SEED_RESULTS.items())
def test_seed_results(published_seeds, query, expected):
    """Each query finds exactly these seeds, on either engine."""
    seed_of = {article.pk: number for number, article in published_seeds.items()}
    assert {seed_of[pk] for pk in found(query)} == expected


def test_japanese_queries_find_the_japanese_seed_first(published_seeds):
    """``バクニン省`` and ``裾野産業`` find seed 002, whose text is full of them; the others only carry the
    tag alias ``バクニン省``."""
    assert search_ids(Article.objects.published(), "バクニン省")[0] == published_seeds[2].pk
    assert search_ids(Article.objects.published(), "裾野産業") == [published_seeds[2].pk]


def test_image_captions_are_searched(published_seeds):
    """``会議`` appears only in seed 002's image captions, not its headline, lead or body: captions count."""
    story = published_seeds[2]
    assert "会議" not in story.title_ja + story.lead_ja + story.body_ja
    assert any("会議" in image.caption_ja for image in story.images.all())
    assert search_ids(Article.objects.published(), "会議") == [story.pk]


def test_hindi_word_finds_the_hindi_seeds(published_seeds):
    """``निन्ह`` (the Hindi spelling of Ninh, with its virama) finds seed 000 (Bac Ninh) and seed 004 (Quang
    Ninh)."""
    assert {published_seeds[0].pk, published_seeds[4].pk} <= found("निन्ह")


def test_english_words_find_the_english_seed_first(published_seeds):
    """``industrial promotion`` finds seed 003 first: its headline and body are about it; the others only
    carry tags named with these words."""
    assert search_ids(Article.objects.published(), "industrial promotion")[0] == published_seeds[3].pk
    assert search_ids(Article.objects.published(), '"industrial promotion"')[0] == published_seeds[3].pk


def test_a_phrase_needs_its_words_adjacent(published_seeds):
    """Seed 002 has ``industrial`` and ``promotion`` only in different tag names: the words find it, the
    phrase does not."""
    assert published_seeds[2].pk in found("industrial promotion")
    assert published_seeds[2].pk not in found('"industrial promotion"')


def test_every_language_version_is_searched(published_seeds):
    """A story is found by the text of any of its versions, and counted once."""
    story = published_seeds[0]
    story.title_en = "Bac Ninh and Xaisomboun strengthen cooperation"
    story.body_en = "A delegation of the Department of Industry and Trade of Xaisomboun province visited."
    story.save()
    assert found("delegation") == {story.pk}
    assert search_ids(Article.objects.published(), "xaisomboun").count(story.pk) == 1


def test_an_imported_translation_is_searchable(published_seeds):
    """Importing the English version of seed 000 (same source URL) makes the Hindi story findable in English."""
    story = published_seeds[0]
    assert found("delegation") == set()
    out = StringIO()
    call_command("import_seeds", str(DATA / "translation_en_of_000.txt"), "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["article"] == story.pk
    assert found("delegation") == {story.pk}
    assert documents(story).keys() == {"hi", "en"}


# Vietnamese folding on hand-made samples ------------------------------------------------------


@pytest.fixture
def vietnamese(db) -> dict[str, Article]:
    """Three raw Vietnamese stories imported and published: Bắc Ninh and Đà Nẵng with a road (``đường``); Đà
    Nẵng's coastal road; Hải Phòng's energy (``đa dạng`` and ``năng lượng``, but no Đà Nẵng and no road)."""
    bac_ninh, da_nang, hai_phong = import_samples(*(DATA / name for name in VIETNAMESE_SAMPLES))
    assert {bac_ninh.original_language, da_nang.original_language, hai_phong.original_language} == {"vi"}
    return {"bac_ninh": bac_ninh, "da_nang": da_nang, "hai_phong": hai_phong}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bac ninh", {"bac_ninh"}),
        ("Bắc Ninh", {"bac_ninh"}),
        ("BAC NINH", {"bac_ninh"}),
        ('"da nang"', {"bac_ninh", "da_nang"}),
        ('"Đà Nẵng"', {"bac_ninh", "da_nang"}),
        ('"ĐÀ NẴNG"', {"bac_ninh", "da_nang"}),
        # Unquoted words need not be adjacent: Hải Phòng's "đa dạng … năng lượng" has both.
        ("da nang", {"bac_ninh", "da_nang", "hai_phong"}),
        ("Đà Nẵng", {"bac_ninh", "da_nang", "hai_phong"}),
        ("duong", {"bac_ninh", "da_nang"}),
        ("đường", {"bac_ninh", "da_nang"}),
        ("Đường", {"bac_ninh", "da_nang"}),
        ("nang luong", {"hai_phong"}),
        ("hai phong", {"hai_phong"}),
    ],
)
def test_vietnamese_is_found_with_or_without_diacritics(vietnamese, query, expected):
    """Vietnamese stories are found whether the reader types the diacritics or not."""
    names = {article.pk: name for name, article in vietnamese.items()}
    assert {names[pk] for pk in found(query)} == expected


def test_vietnamese_passage_highlights_the_words_with_their_diacritics(client, vietnamese):
    """A folded query highlights the words as written: ``da nang`` marks ``Đà`` and ``Nẵng`` in a passage in
    Vietnamese."""
    page = search_page(client, '"da nang"', "vi")
    story = vietnamese["da_nang"]
    assert set(card_ids(page)) == {vietnamese["bac_ninh"].pk, story.pk}
    assert passages(page)
    for language, passage in passages(page):
        assert language == "vi"
        assert "<mark>Đà</mark> <mark>Nẵng</mark>" in passage


# Aliases --------------------------------------------------------------------------------------


@pytest.fixture
def bac_ninh(db) -> Tag:
    """The Bac Ninh tag the migrations create, with its names and aliases in nine scripts."""
    return Tag.objects.get(slug="bac-ninh")


@pytest.fixture
def hindi_fair(db, bac_ninh) -> Article:
    """A Hindi story tagged Bac Ninh whose text never names the province in any script."""
    story = make_story(
        "व्यापार मेले में हस्तशिल्प की धूम",
        "hi",
        lead="मेले में कई प्रांतों के कारीगरों ने भाग लिया।",
        body_hi="कारीगरों ने लकड़ी और रेशम के उत्पाद दिखाए।",
        tags=[bac_ninh],
    )
    for name in ("बाक निन्ह", "bắc ninh", "バクニン"):
        assert name not in " ".join([story.title_hi, story.lead_hi, story.body_hi]).casefold()
    return story


@pytest.mark.parametrize(
    "query",
    ["Bắc Ninh", "bac ninh", "BẮC NINH", "バクニン", "バクニン省", "北宁", "박닌", "Бакнинь", "ບັກນິງ", "बाक निन्ह"],
)
def test_a_story_is_found_by_its_tags_names_in_every_script(hindi_fair, query):
    """A story tagged Bac Ninh is found by the tag's names and aliases in every script, though its own text
    names the province in none."""
    assert found(query) == {hindi_fair.pk}


def test_one_character_of_an_unspaced_script_names_no_tag(hindi_fair):
    """``省`` (province) is in the Japanese and Chinese name of every province: alone it finds the stories
    whose text has it, not every story tagged with a province; ``北宁`` still finds the tagged story."""
    assert found("省") == set()
    assert found('"省"') == set()
    assert found("北宁") == {hindi_fair.pk}


def test_removing_the_tag_removes_its_names(hindi_fair, bac_ninh):
    """A story untagged (from either side of the link, one tag or all) is no longer found by the tag's names;
    tagged again, it is."""
    hindi_fair.tags.remove(bac_ninh)
    assert found("bac ninh") == found("バクニン") == set()
    hindi_fair.tags.add(bac_ninh)
    assert found("bac ninh") == {hindi_fair.pk}
    hindi_fair.tags.clear()
    assert found("Bắc Ninh") == set()
    bac_ninh.articles.add(hindi_fair)
    assert found("バクニン") == {hindi_fair.pk}
    bac_ninh.articles.remove(hindi_fair)
    assert found("バクニン") == set()
    bac_ninh.articles.add(hindi_fair)
    bac_ninh.articles.clear()
    assert found("バクニン") == set()


def test_a_new_alias_makes_the_tags_stories_findable(hindi_fair, bac_ninh):
    """An alias added to a tag is searchable in its stories at once; deleted, it no longer finds them."""
    assert found("kinh bac") == set()
    alias = TagAlias.objects.create(tag=bac_ninh, name="Kinh Bắc")
    assert found("kinh bac") == found('"Kinh Bắc"') == {hindi_fair.pk}
    alias.delete()
    assert found("kinh bac") == set()


def test_renaming_or_deleting_a_tag_updates_its_stories(db):
    """A tag's new name finds its stories and the old one no longer does; a deleted tag's names find nothing."""
    tag = Tag.objects.create(slug="zyxwv-valley", kind=Tag.Kind.PLACE, name_en="Zyxwv Valley")
    story = make_story("Harvest festival", "en", tags=[tag])
    assert found("zyxwv") == {story.pk}
    tag.name_en = "Qwerty Valley"
    tag.save()
    assert (found("zyxwv"), found("qwerty")) == (set(), {story.pk})
    tag.delete()
    assert found("qwerty") == set()
    assert found("harvest") == {story.pk}


def test_merged_tags_keep_their_stories_findable(hindi_fair, bac_ninh):
    """Merging a tag into Bac Ninh: its stories are found by Bac Ninh's names, and every Bac Ninh story by the
    merged tag's names (which became aliases)."""
    kinh_bac = Tag.objects.create(slug="kinh-bac", kind=Tag.Kind.PLACE, name_en="Kinh Bac", name_vi="Kinh Bắc")
    other = make_story("Lantern makers prepare for the festival", "en", tags=[kinh_bac])
    assert (found("kinh bac"), found("バクニン")) == ({other.pk}, {hindi_fair.pk})
    merge_tags(bac_ninh, Tag.objects.filter(slug="kinh-bac"))
    assert found("kinh bac") == found('"Kinh Bắc"') == {other.pk, hindi_fair.pk}
    assert found("バクニン") == found("Bắc Ninh") == {other.pk, hindi_fair.pk}


def test_tags_are_in_documents_as_markers_a_reader_cannot_type(hindi_fair, bac_ninh):
    """A story's documents hold one marker per tag, not the tag's names; a query naming the marker finds
    nothing (the marker's letter is dropped from queries), and a renamed tag rewrites no document."""
    assert documents(hindi_fair)["hi"].split()[0] == f"{search.TAG_MARKER}{bac_ninh.pk}"
    assert "ninh" not in documents(hindi_fair)["hi"]
    marker = f"{search.TAG_MARKER}{bac_ninh.pk}"
    assert parse(marker) == [search.Term((str(bac_ninh.pk),), phrase=False)]
    assert found(marker) == found(f'"{marker}"') == set()
    before = documents(hindi_fair)
    bac_ninh.name_en = "Bac Ninh Province"
    bac_ninh.save()
    assert documents(hindi_fair) == before
    assert found("bac ninh province") == {hindi_fair.pk}


def test_a_tag_term_and_a_text_term_combine(hindi_fair):
    """Each term may match the text or a tag: ``bac ninh`` (the tag) with ``कारीगरों`` (the body) finds the
    story; with a word it does not contain, nothing."""
    assert found("bac ninh कारीगरों") == {hindi_fair.pk}
    assert found("bac ninh zeppelin") == set()


def test_a_tag_that_names_every_term_is_in_the_query_once(hindi_fair, bac_ninh):
    """``bac ninh``: the Bac Ninh tag names both words, so it stands for the whole query, and each engine is
    asked for it once (bm25 counts a named tag's stories over the whole index, each time it is named). Tags that
    name one word each still stand for that word: together they find a story, one alone does not."""
    giang = Tag.objects.create(slug="zz-giang-bac", kind=Tag.Kind.PLACE, name_en="Giang Bac")
    quang = Tag.objects.create(slug="zz-quang-ninh", kind=Tag.Kind.PLACE, name_en="Quang Ninh")
    both = make_story("Lantern makers prepare for the festival", "en", tags=[giang, quang])
    make_story("Lantern makers hire", "en", tags=[giang])
    assert found("bac ninh") == {hindi_fair.pk, both.pk}
    terms = parse("bac ninh")
    tags = search.tag_matches(terms)
    assert all(bac_ninh.pk in ids for ids in tags)
    marker = f"{search.TAG_MARKER}{bac_ninh.pk}"
    for query in (search._fts5_query(terms, tags), search._tsquery(terms, tags), search._rank_tsquery(terms, tags)):
        assert re.findall(f"{marker}(?!\\d)", query) == [marker], query


# Documents kept in step -----------------------------------------------------------------------


def test_a_new_story_has_one_document_per_language(db):
    """Saving a story writes one document for each language it exists in, made of its tokens."""
    story = make_story("Zeppelin works expand", "en", lead="The zeppelin maker hires.", title_ja="飛行船工場")
    assert documents(story).keys() == {"en", "ja"}
    assert documents(story)["en"].split()[:3] == ["zeppelin", "works", "expand"]


def test_editing_a_headline_changes_the_results_at_once(db):
    """The old headline's words stop finding a story and the new ones find it, right after the save."""
    story = make_story("Ornithopter festival opens", "en", lead="Crowds gather.")
    assert found("ornithopter") == {story.pk}
    story.title_en = "Zeppelin festival opens"
    story.save()
    assert (found("ornithopter"), found("zeppelin")) == (set(), {story.pk})
    Article.objects.get(pk=story.pk).save()
    assert found("zeppelin") == {story.pk}


def test_a_translation_is_searchable_and_its_removal_removes_it(db):
    """Adding a Japanese version makes the story findable in Japanese; removing it deletes that document."""
    story = make_story("Zeppelin works expand", "en", lead="The zeppelin maker hires.")
    assert found("飛行船") == set()
    story.title_ja = "飛行船工場が拡大"
    story.lead_ja = "飛行船メーカーが採用を増やす。"
    story.save()
    assert found("飛行船") == {story.pk}
    assert documents(story).keys() == {"en", "ja"}
    story.title_ja = story.lead_ja = ""
    story.save()
    assert documents(story).keys() == {"en"}
    assert found("飛行船") == set()
    assert found("zeppelin") == {story.pk}


def test_deleting_a_story_deletes_its_documents(db):
    """A deleted story leaves no document behind and is found by nothing."""
    story = make_story("Zeppelin works expand", "en", title_ja="飛行船工場")
    keep = make_story("Zeppelin hangar", "en")
    pk = story.pk
    story.delete()
    assert not SearchDocument.objects.filter(article_id=pk).exists()
    assert found("zeppelin") == {keep.pk}
    assert found("zeppelin", Article.objects.all()) == {keep.pk}
    assert found("飛行船", Article.objects.all()) == set()


def test_image_captions_and_alt_texts_are_kept_in_step(db):
    """A new image's caption and alt text are searched; a changed caption replaces the old words; a deleted
    image's words are gone."""
    story = make_story("Harbour news", "en", lead="Ships and cranes.")
    image = ArticleImage.objects.create(article=story, caption_en="A zeppelin over the harbour", alt_text_en="Airship")
    assert found("zeppelin") == found("airship") == {story.pk}
    image.caption_en = "A balloon over the harbour"
    image.save()
    assert (found("zeppelin"), found("balloon")) == (set(), {story.pk})
    image.delete()
    assert found("balloon") == found("airship") == set()


def test_an_import_indexes_its_files_in_batches_and_heals_a_killed_one(db, monkeypatch):
    """An import writes its stories' documents every ``INDEX_BATCH`` files, after their own transactions; the
    stories of an import killed before that (no documents) are indexed by the next import."""
    from newsroom.ingest import load

    monkeypatch.setattr(load, "INDEX_BATCH", 2)
    written = []
    monkeypatch.setattr(search, "reindex", lambda ids, real=search.reindex: written.append(set(ids)) or real(ids))
    first, second, third = import_samples(DATA / "search_vi_bac_ninh.txt", DATA / "story_ru.txt", DATA / "story_zh.txt")
    assert [batch for batch in written if batch] == [{first.pk, second.pk}, {third.pk}]
    assert first.pk in found("bac ninh")
    SearchDocument.objects.filter(article=first).delete()  # as if killed before its batch was indexed
    assert first.pk not in found("bac ninh")
    import_samples(DATA / "search_vi_da_nang.txt")
    assert first.pk in found("bac ninh")


def test_rebuild_command_restores_deleted_documents(published_seeds):
    """``manage.py rebuild_search_index`` writes every story's documents again: the same results as before."""
    queries = ["バクニン省", "会議", "निन्ह", "industrial promotion", "bac ninh", "省"]
    before = {query: found(query) for query in queries}
    expected_documents = sorted((a.pk, lang) for a in published_seeds.values() for lang in a.languages())
    assert sorted(SearchDocument.objects.values_list("article", "language")) == expected_documents
    SearchDocument.objects.all().delete()
    assert all(found(query) == set() for query in queries)
    call_command("rebuild_search_index", verbosity=0)
    assert sorted(SearchDocument.objects.values_list("article", "language")) == expected_documents
    assert {query: found(query) for query in queries} == before


def fts5_segments() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(DISTINCT segid) FROM newsroom_searchindex_idx")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's; PostgreSQL's GIN index has no segments")
def test_rebuild_leaves_sqlite_index_in_one_segment(published_seeds):
    """Each batch of a rebuild writes a segment of the FTS5 index, and a search reads every segment; the rebuild
    ends by merging them into one (``search.optimize``), and every search finds what it found before."""
    queries = ["バクニン省", "निन्ह", "industrial promotion", "bac ninh"]
    before = {query: found(query) for query in queries}
    SearchDocument.objects.all().delete()
    for article in published_seeds.values():  # a batch at a time, as rebuild() writes them
        with transaction.atomic():
            search.reindex([article.pk])
    assert fts5_segments() > 1
    search.rebuild(batch=1)
    assert fts5_segments() == 1
    assert {query: found(query) for query in queries} == before


# Published only, always -----------------------------------------------------------------------


@pytest.fixture
def visible_canary(db) -> Article:
    """A published story the canary query also finds: proof that the query works where hidden ones vanish."""
    return make_story("Canary published", "en", lead="A canary sang.")


def test_hidden_stories_are_indexed_but_never_found(published_seeds, hidden_stories, visible_canary):
    """Drafts, stories in review, archived and scheduled stories have documents, but a search of published
    stories never returns them."""
    hidden = {story.pk for story in hidden_stories.values()}
    assert hidden <= found("canary", Article.objects.all())
    assert found("canary") == {visible_canary.pk}
    assert found("canary", Article.objects.published().filter(pk__in=hidden)) == set()


def test_hidden_stories_are_not_on_the_search_page_or_the_api(client, published_seeds, hidden_stories, visible_canary):
    """The search page (in every interface language tried) and the API answer only the published canary."""
    for language in ("en", "hi", "ja"):
        page = search_page(client, "canary", language)
        assert card_ids(page) == [visible_canary.pk]
        assert "CANARY" not in page
    response = client.get("/api/articles/", {"q": "canary"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert "CANARY" not in response.content.decode()
    assert api_ids(client, q="canary") == [visible_canary.pk]


def test_publication_is_read_when_searching(db):
    """A draft is found once published, and a scheduled story once its time has come, without touching the
    documents: searches join them to the published stories when they run."""
    draft = make_story("Zeppelin draft", "en", status="draft")
    scheduled = make_story("Zeppelin scheduled", "en", published_at=timedelta(days=1))
    assert found("zeppelin") == set()
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    draft.save()
    assert found("zeppelin") == {draft.pk}
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert found("zeppelin") == {draft.pk, scheduled.pk}


@pytest.mark.parametrize(
    ("filters", "query", "expected"),
    [
        ({"language": "ja"}, "bac ninh", {2}),
        ({"language": "hi"}, "bac ninh", {0}),
        ({"topic": "industrial-promotion"}, "bac ninh", {2, 3}),
        ({"topic": "ocop"}, "bac ninh", set()),
        ({"place": "bac-giang"}, "bac ninh", {3}),
        ({"topic": "cross-border-cooperation"}, "2025", {0, 4}),
        ({"place": "lang-son"}, "2025", {4}),
        ({"topic": "cross-border-cooperation", "language": "hi", "place": "laos"}, "2025", {0}),
    ],
)
def test_search_within_filters(client, published_seeds, hidden_stories, filters, query, expected):
    """With the listings' filters, a search returns only the matching stories the filters keep, on the page and
    in the API."""
    seed_of = {article.pk: number for number, article in published_seeds.items()}
    page = search_page(client, query, **filters)
    assert {seed_of[pk] for pk in card_ids(page)} == expected
    assert {seed_of[pk] for pk in api_ids(client, q=query, **filters)} == expected


def test_search_ids_searches_only_the_given_stories(published_seeds):
    """``search_ids`` returns only stories of the queryset it is given."""
    japanese = Article.objects.published().filter(original_language="ja")
    assert found("bac ninh", japanese) == {published_seeds[2].pk}
    assert found("bac ninh", Article.objects.published().filter(pk__in=[])) == set()
    assert found("bac ninh", Article.objects.none()) == set()


# The search page and the API ------------------------------------------------------------------


def test_results_show_a_highlighted_passage_in_the_storys_language(client, db):
    """Each result shows a passage of the version that matched, in its language (``lang``), with the matched
    words in ``<mark>``."""
    story = make_story(
        "Zeppelin works expand",
        "en",
        lead="The airship maker hires 200 workers.",
        body_en="Its hangar near Bac Ninh builds airships for tourism.",
        title_ja="飛行船工場が拡大",
        lead_ja="飛行船メーカーが200人を採用する。",
    )
    page = search_page(client, "飛行船", "en")
    assert card_ids(page) == [story.pk]
    [(language, passage)] = passages(page)
    assert language == "ja"
    assert "<mark>飛行船</mark>メーカー" in passage
    page = search_page(client, "airship hangar", "ja")
    [(language, passage)] = passages(page)
    assert language == "en"
    assert "The <mark>airship</mark> maker" in passage
    assert "Its <mark>hangar</mark> near" in passage


def test_hindi_passage_marks_the_whole_word(client, published_seeds):
    """A Hindi word is highlighted whole, vowel signs and virama included, in a passage marked ``lang="hi"``."""
    page = search_page(client, "निन्ह", "en")
    hindi = {published_seeds[0].pk, published_seeds[4].pk}
    assert hindi <= set(card_ids(page))
    marked = [passage for language, passage in passages(page) if language == "hi"]
    assert len(marked) >= 2
    assert all("<mark>निन्ह</mark>" in passage for passage in marked)


@pytest.fixture
def best_and_newer(db) -> tuple[Article, Article]:
    """A story about zeppelins published three days ago, and a newer one that mentions a zeppelin once."""
    best = make_story(
        "Zeppelin zeppelin",
        "en",
        lead="The zeppelin maker builds a zeppelin.",
        published_at=timedelta(days=-3),
    )
    newer = make_story("Harbour news", "en", lead="Ships, cranes and a zeppelin.")
    return best, newer


def test_search_page_lists_results_best_first(client, best_and_newer):
    """The page lists the stories in rank order, not newest first."""
    assert card_ids(search_page(client, "zeppelin")) == [story.pk for story in best_and_newer]


def test_api_lists_results_best_first(client, best_and_newer):
    """``/api/articles/?q=`` lists the stories best first, as documented, not newest first."""
    assert api_ids(client, q="zeppelin") == [story.pk for story in best_and_newer]


def test_pagination_keeps_the_query(client, db):
    """25 matches: 20 on the first page, whose next link keeps ``q``; the other 5 on the second."""
    stories = {make_story(f"Zeppelin {number}", "en").pk for number in range(25)}
    make_story("Harbour news", "en")
    first = search_page(client, "zeppelin")
    assert len(card_ids(first)) == 20
    next_link = unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    assert "q=zeppelin" in next_link and "page=2" in next_link
    response = client.get("/en/search/" + next_link)
    assert response.status_code == 200
    second = response.content.decode()
    assert len(card_ids(second)) == 5
    assert set(card_ids(first)) | set(card_ids(second)) == stories
    assert "q=zeppelin" in unescape(re.search(r'<a rel="prev" href="([^"]+)"', second).group(1))


def searched(client, path: str) -> tuple[str, list[str]]:
    """The page at ``path`` (after checking it answers 200) and the SQL of the searches it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode(), [query["sql"] for query in queries if "searchdocument" in query["sql"]]


@pytest.mark.uncached
def test_a_search_is_ranked_once_per_state_of_the_site(client, db):
    """The results' second page and the same search again run no search; a story published since is found at
    once; another filter, another language or another query is another list, ranked on its own."""
    stories = {make_story(f"Zeppelin {number}", "en").pk for number in range(25)}
    first, searches = searched(client, "/en/search/?q=zeppelin")
    assert len(searches) == 1 and len(card_ids(first)) == 20
    second, searches = searched(client, "/en/search/?q=zeppelin&page=2")
    assert searches == [] and set(card_ids(first)) | set(card_ids(second)) == stories
    again, searches = searched(client, "/en/search/?q=zeppelin")
    assert searches == [] and card_ids(again) == card_ids(first)
    for path in ("/en/search/?q=zeppelin&outlet=", "/vi/search/?q=zeppelin", "/en/search/?q=zeppelins"):
        assert len(searched(client, path)[1]) == 1, path
    newest = make_story("Zeppelin news", "en", lead="A zeppelin zeppelin.")
    page, searches = searched(client, "/en/search/?q=zeppelin")
    assert len(searches) == 1 and card_ids(page)[0] == newest.pk


@pytest.mark.uncached
def test_a_new_search_window_ranks_a_remembered_search_again(client, db, settings):
    """After the window is changed (``NEWSROOM_SEARCH_WINDOW``, read when a worker starts), a search remembered with
    the old one is ranked again with the new one, though nothing on the site changed."""
    about = make_story("Zeppelin zeppelin zeppelin", "en", lead="Zeppelin news.", published_at=timedelta(days=-9))
    newer = [make_story(f"Harbour {number}", "en", lead="A zeppelin passed.") for number in range(3)]
    assert card_ids(searched(client, "/en/search/?q=zeppelin")[0])[0] == about.pk
    settings.NEWSROOM_SEARCH_WINDOW = 3
    page, searches = searched(client, "/en/search/?q=zeppelin")
    assert len(searches) == 1 and sorted(card_ids(page)) == sorted(story.pk for story in newer)


@pytest.mark.uncached
def test_tracking_parameters_do_not_rank_a_search_again(client, db):
    """A search reached from a campaign or a shared link (``utm_*``, ``fbclid``) is the search without them: its
    ranking is remembered for both, in the pages and in the API."""
    for number in range(25):
        make_story(f"Zeppelin {number}", "en")
    first, searches = searched(client, "/en/search/?q=zeppelin")
    assert len(searches) == 1
    for path in ("/en/search/?q=zeppelin&fbclid=IwAR0x", "/en/search/?utm_source=x&q=zeppelin&page=2&gclid=C"):
        assert searched(client, path)[1] == [], path
    assert card_ids(searched(client, "/en/search/?q=zeppelin&utm_medium=social")[0]) == card_ids(first)
    assert len(searched(client, "/api/articles/?q=zeppelin")[1]) == 1
    assert searched(client, "/api/articles/?q=zeppelin&utm_campaign=x&page=2")[1] == []


@pytest.mark.uncached
def test_a_remembered_search_shows_no_story_hidden_since(client, db):
    """A story unpublished after a search was remembered leaves its results, in the page and in the API."""
    stories = [make_story(f"Zeppelin {number}", "en") for number in range(3)]
    assert set(card_ids(search_page(client, "zeppelin"))) == {story.pk for story in stories}
    assert set(api_ids(client, q="zeppelin")) == {story.pk for story in stories}
    Article.objects.filter(pk=stories[0].pk).update(status="draft")  # no signal: the generation stays
    assert set(card_ids(search_page(client, "zeppelin"))) == {stories[1].pk, stories[2].pk}
    assert set(api_ids(client, q="zeppelin")) == {stories[1].pk, stories[2].pk}


@pytest.mark.uncached
def test_the_api_remembers_a_search_as_the_pages_do(client, db):
    """``/api/articles/?q=``: the second page runs no search; ``page_size`` picks a page, not another list."""
    for number in range(25):
        make_story(f"Zeppelin {number}", "en")
    assert len(searched(client, "/api/articles/?q=zeppelin")[1]) == 1
    assert searched(client, "/api/articles/?q=zeppelin&page=2")[1] == []
    assert searched(client, "/api/articles/?q=zeppelin&page_size=5")[1] == []
    assert len(searched(client, "/api/articles/?q=zeppelin&lang=vi")[1]) == 1


@pytest.mark.parametrize("query", ["", "   ", "😀", "***", '""', "\x00"])
def test_empty_or_unsearchable_queries_show_no_error(client, published_seeds, query):
    """An empty or unsearchable query answers 200 without any error message."""
    page = search_page(client, query)
    assert 'role="alert"' not in page
    assert "has-error" not in page


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_answer_200_on_the_page_and_in_the_api(client, published_seeds, query):
    """Whatever is typed, the search page answers 200 (never a server or FTS syntax error), and so does
    ``/api/articles/?q=``, with a list of results."""
    page = search_page(client, query)
    assert "syntax error" not in page.lower()
    assert "fts5" not in page.lower()
    response = client.get("/api/articles/", {"q": query})
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize(
    "query_string", ["q=%", "q=%ZZ", "q=%ED%A0%80", "q=%22NEAR(", "q=*&q=(", "q=%00", "q=bac%00ninh"]
)
def test_hostile_raw_query_strings_answer_200(client, published_seeds, query_string):
    """A broken percent escape, an escaped lone surrogate, a repeated ``q`` or a NUL byte in the URL answer 200
    on the page and in the API."""
    assert client.get(f"/en/search/?{query_string}").status_code == 200
    assert client.get(f"/api/articles/?{query_string}").status_code == 200


def test_markup_in_a_matching_passage_is_escaped(client, db):
    """Story text is text: markup in a body that matches is escaped in the passage, never rendered."""
    make_story(
        "Harbour news",
        "en",
        lead="Ships and cranes.",
        body_en='<script>alert("zeppelin")</script> A <b>zeppelin</b> & a balloon.',
    )
    page = search_page(client, "zeppelin")
    [(language, passage)] = passages(page)
    assert language == "en"
    assert "&lt;script&gt;alert(&quot;<mark>zeppelin</mark>&quot;)&lt;/script&gt;" in passage
    assert "&lt;b&gt;<mark>zeppelin</mark>&lt;/b&gt; &amp; a balloon" in passage
    assert "<script>alert" not in page
    assert "<b>zeppelin" not in page


def test_a_passage_marks_the_words_after_characters_that_fold_to_several(client, db):
    """Characters that fold to more than one (an ellipsis, ``ß``, the ``ﬁ`` ligature) or that stay a mark of
    their own do not shift the highlights: each marked word is the one the reader typed, as written."""
    make_story(
        "Harbour news",
        "en",
        lead="Ships and cranes.",
        body_en="Wait… the Straße by the ﬁre station, e\u0301 ½ – then the zeppelin… and a zeppelin.",
    )
    [(language, passage)] = passages(search_page(client, "zeppelin strasse fire"))
    assert language == "en"
    assert passage == (
        "Ships and cranes.\nWait… the <mark>Straße</mark> by the <mark>ﬁre</mark> station, e\u0301 ½ – then the "
        "<mark>zeppelin</mark>… and a <mark>zeppelin</mark>."
    )


def test_a_passage_comes_from_the_captions_in_the_first_language_that_matches(client, db):
    """Image captions are part of a version's text, after its lead and (here empty) body, in the images' order; a
    story whose page-language captions do not match shows the passage of the version whose captions do."""
    story = make_story("Harbour news", "en", lead="Ships and cranes.", title_ja="港のニュース", lead_ja="船と起重機。")
    ArticleImage.objects.create(article=story, position=2, caption_en="A balloon", caption_ja="飛行船の格納庫")
    ArticleImage.objects.create(article=story, position=1, caption_en="The zeppelin hangar", caption_ja="気球")
    [(language, passage)] = passages(search_page(client, "hangar"))
    assert (language, passage) == ("en", "Ships and cranes.\n\nThe zeppelin <mark>hangar</mark>\nA balloon")
    [(language, passage)] = passages(search_page(client, "格納庫", "en"))
    assert (language, passage) == ("ja", "船と起重機。\n\n気球\n飛行船の<mark>格納庫</mark>")


def test_the_tags_names_are_read_once_per_state_of_the_registry(hindi_fair, bac_ninh):
    """Searches share one reading of the tags' names and aliases until a tag or an alias changes: a second
    search reads neither table, and a new alias is read (and found) at once."""
    assert found("bac ninh") == {hindi_fair.pk}
    with CaptureQueriesContext(connection) as queries:
        assert found("バクニン") == {hindi_fair.pk}
    assert not [query["sql"] for query in queries if re.search(r"newsroom_tag(alias)?\b", query["sql"])]
    TagAlias.objects.create(tag=bac_ninh, name="Kinh Bắc")
    assert found("kinh bac") == {hindi_fair.pk}


# Query counts ---------------------------------------------------------------------------------


def zeppelins(count: int, start: int = 0) -> None:
    outlet = Outlet.objects.get_or_create(name="Báo Zeppelin", domain="zeppelin.example")[0]
    topic = Topic.objects.get(slug="ocop")
    tag = Tag.objects.get(slug="bac-ninh")
    for number in range(start, start + count):
        make_story(
            f"Zeppelin {number}",
            "en",
            body_en=f"The zeppelin number {number} flew over Bac Ninh.",
            title_hi=f"ज़ेपेलिन {number}",
            outlet=outlet,
            topics=[topic],
            tags=[tag],
        )


@pytest.mark.uncached
def test_search_page_query_count_does_not_grow_with_the_matches(client, db, django_assert_num_queries):
    """The search page costs the same number of queries for 20 matches as for 60."""
    zeppelins(20)
    path = "/en/search/?" + urlencode({"q": "zeppelin bac ninh", "topic": "ocop"})
    with CaptureQueriesContext(connection) as small:
        assert len(card_ids(client.get(path).content.decode())) == 20
    zeppelins(40, start=20)
    with django_assert_num_queries(len(small)):
        assert len(card_ids(client.get(path).content.decode())) == 20


@pytest.mark.uncached
def test_search_result_cards_name_their_outlets_without_a_query_each(client, db, django_assert_num_queries):
    """Each card of a page of results names its story's outlet, which comes from the registry: a page of twenty
    cards costs the queries of a page of one."""
    zeppelins(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/en/search/?q=zeppelin").content.decode().count('<span class="outlet">Báo Zeppelin<') == 1
    zeppelins(19, start=1)
    with django_assert_num_queries(len(one)):
        page = client.get("/en/search/?q=zeppelin").content.decode()
    assert len(card_ids(page)) == page.count('<span class="outlet">Báo Zeppelin</span>') == 20


@pytest.mark.uncached
def test_api_query_count_does_not_grow_with_the_matches(client, db, django_assert_num_queries):
    """``/api/articles/?q=`` costs the same number of queries for 20 matches as for 60."""
    zeppelins(20)
    with CaptureQueriesContext(connection) as small:
        assert len(api_ids(client, q="zeppelin")) == 20
    zeppelins(40, start=20)
    with django_assert_num_queries(len(small)):
        assert len(api_ids(client, q="zeppelin")) == 20


# Ranking --------------------------------------------------------------------------------------


def test_a_story_about_the_term_ranks_above_a_passing_mention(db):
    """A story whose headline and body repeat the term ranks above a newer one that mentions it once, on both
    engines (newer and later-created, so only the rank can put the first one ahead)."""
    about = make_story(
        "Zeppelin works expand zeppelin line",
        "en",
        lead="The zeppelin maker will build a new zeppelin.",
        body_en="Zeppelin orders doubled. Each zeppelin takes a year. The zeppelin hangar grows.",
        published_at=timedelta(days=-5),
    )
    mention = make_story(
        "Harbour news",
        "en",
        lead="Ships and cranes filled the harbour this week.",
        body_en="Dock workers unloaded containers, a ferry arrived late and a zeppelin passed over the cranes. "
        "The port authority expects more traffic next month.",
    )
    assert mention.pk > about.pk and mention.published_at > about.published_at
    assert search_ids(Article.objects.published(), "zeppelin") == [about.pk, mention.pk]


def test_results_are_capped(db):
    """``search_ids`` returns at most ``limit`` ids."""
    for number in range(5):
        make_story(f"Zeppelin {number}", "en")
    assert len(search_ids(Article.objects.published(), "zeppelin", limit=3)) == 3


# PostgreSQL searches in one of two shapes, by how many stories the filters keep (``search._postgresql_search``);
# a test that takes ``shape`` runs in both there, whatever its filters keep, and once on SQLite.
SHAPES = ("match by match", "story by story") if connection.vendor == "postgresql" else ("the only one",)


@pytest.fixture(params=SHAPES)
def shape(request, monkeypatch) -> str:
    if request.param == "story by story":
        monkeypatch.setattr(search, "_every_story", lambda: "")  # no search is taken for an unfiltered one
        monkeypatch.setattr(search, "FEW_STORIES", math.inf)
    elif request.param == "match by match":
        monkeypatch.setattr(search, "FEW_STORIES", 0)
    return request.param


def test_only_the_newest_matches_are_ranked(db, settings, shape):
    """Past ``NEWSROOM_SEARCH_WINDOW`` matching documents, the newest are ranked and older ones left out, so a common word
    costs what a rare one does: the best match, written first, is not among the results of a window of 3."""
    about = make_story("Zeppelin zeppelin zeppelin", "en", lead="Zeppelin news.", published_at=timedelta(days=-9))
    newer = [make_story(f"Harbour {number}", "en", lead="A zeppelin passed.") for number in range(3)]
    assert search_ids(Article.objects.published(), "zeppelin")[0] == about.pk
    settings.NEWSROOM_SEARCH_WINDOW = 3
    assert sorted(search_ids(Article.objects.published(), "zeppelin")) == sorted(story.pk for story in newer)
    assert search_ids(Article.objects.published(), "zeppelin news") == [about.pk]


def test_a_phrase_window_holds_the_newest_documents_with_the_phrase(db, settings, shape):
    """A phrase's window is the newest documents that have the phrase, not the newest that have its words:
    newer stories with the words apart neither fill it nor appear; a hidden story with the phrase is passed
    over, not counted."""
    oldest = make_story("Green harbour", "en", lead="The green harbour opened.", published_at=timedelta(days=-9))
    older = make_story("Harbour news", "en", lead="A green harbour again.", published_at=timedelta(days=-8))
    make_story("Hidden", "en", lead="The green harbour, a draft.", status=Article.Status.DRAFT)
    apart = [make_story(f"Harbour {n}", "en", lead="The harbour is green.") for n in range(3)]
    settings.NEWSROOM_SEARCH_WINDOW = 2
    assert sorted(search_ids(Article.objects.published(), '"green harbour"')) == sorted([oldest.pk, older.pk])
    settings.NEWSROOM_SEARCH_WINDOW = 1
    assert search_ids(Article.objects.published(), '"green harbour"') == [older.pk]
    assert set(search_ids(Article.objects.published(), "green harbour")) == {apart[-1].pk}


def test_filters_and_phrases_find_the_same_stories_in_either_shape(db, bac_ninh, shape):
    """Whatever shape a search takes, the filters keep what they keep, a phrase needs its words adjacent, a tag's
    name finds the stories tagged with it, and hidden stories (a draft, one scheduled for tomorrow) stay hidden."""
    ocop = Topic.objects.get(slug="ocop")
    green = make_story("Green harbour", "en", lead="The green harbour opened.", topics=[ocop], tags=[bac_ninh])
    apart = make_story("Harbour news", "en", lead="The harbour is green.", topics=[ocop])
    elsewhere = make_story("Green harbour works", "en", lead="A green harbour in the south.")
    quay = make_story("Bến cảng mới", "vi", lead="Cảng mới của tỉnh.", tags=[bac_ninh])
    make_story("Green harbour draft", "en", lead="The green harbour.", status=Article.Status.DRAFT, tags=[bac_ninh])
    make_story("Green harbour soon", "en", lead="The green harbour.", published_at=timedelta(days=1), topics=[ocop])
    in_ocop = Article.objects.published().in_topic(ocop)
    tagged = Article.objects.published().filter(tags=bac_ninh)
    assert found("green harbour") == {green.pk, apart.pk, elsewhere.pk}
    assert found('"green harbour"') == {green.pk, elsewhere.pk}
    assert found("green harbour", in_ocop) == {green.pk, apart.pk}
    assert found('"green harbour"', in_ocop) == {green.pk}
    assert found("bac ninh") == {green.pk, quay.pk}
    assert found("bac ninh", in_ocop) == found('"green harbour"', tagged) == {green.pk}
    assert found("harbour", tagged) == {green.pk}
    assert search_ids(Article.objects.published(), "green harbour green")[-1] == apart.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_no_statement_of_a_search_is_prepared(db, bac_ninh):
    """However often searches run on one connection, none of their statements is prepared (a plan kept for one
    query would be the plan of every other), while a query the site repeats is prepared after its fifth run."""
    make_story("Green harbour", "en", lead="The green harbour opened.", tags=[bac_ninh])
    tagged = Article.objects.published().filter(tags=bac_ninh)
    for word in ("green", "harbour", "opened", "quay", "green", "harbour", "opened", "quay"):
        for stories in (Article.objects.published(), tagged):
            search_ids(stories, word)
            search_ids(stories, f'"{word} harbour"')
    for _ in range(8):
        assert Article.objects.filter(title_en="Green harbour").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [statement for statement in prepared if "title_en" in statement]
    assert not [statement for statement in prepared if "searchdocument" in statement or "EXPLAIN" in statement]


# Engines agree on limits ----------------------------------------------------------------------


def test_a_document_of_16000_distinct_long_words_is_saved_and_searched(db):
    """A story whose text is 16,000 distinct 64-character words (a dump of checksums pasted into a body) saves
    and is searchable on both engines: the document's size stays within what PostgreSQL's tsvector can hold
    (1 MB)."""
    words = [hashlib.sha256(str(number).encode()).hexdigest() for number in range(16_000)]
    story = make_story("Checksums", "en", lead="A list.", body_en=" ".join(words))
    assert found("checksums") == {story.pk}
