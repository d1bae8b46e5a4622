"""RSS and Atom feeds: well-formed, published stories only, each in the feed's language."""

import html
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation

from newsroom import feeds
from newsroom.languages import content_languages
from newsroom.models import Outlet, Topic
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

FORMATS = ("rss", "atom")


def feed_urls(language: str | None) -> list[str]:
    """The RSS and Atom feeds of a content language and of each topic in it; ``None``: the all-stories feeds."""
    urls = []
    slugs = list(Topic.objects.values_list("slug", flat=True))
    for kind in FORMATS:
        if language is None:
            urls.append(reverse(f"feed-all-{kind}"))
            urls += [reverse(f"topic-all-{kind}", kwargs={"slug": slug}) for slug in slugs]
            continue
        with translation.override(language):
            urls.append(reverse(f"newsroom:feed-{kind}"))
            urls += [reverse(f"newsroom:topic-{kind}", kwargs={"slug": slug}) for slug in slugs]
    return urls


def localized(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return parsed


def absolute(path: str) -> str:
    return f"http://testserver{path}"


@pytest.mark.parametrize("language", [*content_languages(), None])
def test_every_feed_is_well_formed_and_free_of_hidden_stories(client, published_seeds, hidden_stories, language):
    """Every RSS and Atom feed (each language, each topic, all stories) parses without error and never
    holds a draft, a story in review, an archived story or one scheduled for later."""
    urls = feed_urls(language)
    assert len(urls) == 2 * (1 + Topic.objects.count()) == 8
    for url in urls:
        parsed = parse(client, url)
        assert not [entry.title for entry in parsed.entries if "CANARY" in entry.title], url
        assert b"CANARY" not in client.get(url).content, url


@pytest.mark.parametrize("kind", FORMATS)
def test_language_feed_holds_the_stories_in_that_language(client, published_seeds, hidden_stories, kind):
    """/hi/ holds the three Hindi seeds (000, 001, 004), /ja/ the Japanese 002, /en/ the English 003,
    /vi/ nothing; each entry in the feed's language, linking to the story's page in that language."""
    expected = {"hi": [0, 1, 4], "ja": [2], "en": [3], "vi": []}
    for language, numbers in expected.items():
        parsed = parse(client, localized(f"newsroom:feed-{kind}", language))
        stories = [published_seeds[number] for number in numbers]
        assert sorted(entry.link for entry in parsed.entries) == sorted(
            absolute(story.get_absolute_url(language)) for story in stories
        )
        assert sorted(entry.title for entry in parsed.entries) == sorted(story.headline(language) for story in stories)
        assert all(f"/{language}/stories/" in entry.link for entry in parsed.entries)


def test_a_translation_appears_in_its_language_feed_in_that_language(client, published_seeds):
    """A story translated into English joins the English feed with its English headline and page."""
    story = published_seeds[0]
    story.title_en, story.lead_en = "Bac Ninh and Xaisomboun strengthen cooperation", "An English lead."
    story.save()
    entries = parse(client, localized("newsroom:feed-rss", "en")).entries
    entry = next(entry for entry in entries if entry.link == absolute(story.get_absolute_url("en")))
    assert entry.title == "Bac Ninh and Xaisomboun strengthen cooperation"
    assert entry.summary == "An English lead."
    assert "/en/stories/" in entry.link


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_declares_its_language(client, published_seeds, kind):
    """A language feed names its language in BCP 47 (hi, zh-Hans); the all-stories feed, mixing languages,
    declares none."""
    assert parse(client, localized(f"newsroom:feed-{kind}", "hi")).feed.language == "hi"
    assert parse(client, localized(f"newsroom:feed-{kind}", "zh-hans")).feed.language == "zh-Hans"
    assert "language" not in parse(client, reverse(f"feed-all-{kind}")).feed
    assert b"<language>" not in client.get(reverse("feed-all-rss")).content


@pytest.mark.parametrize("kind", FORMATS)
def test_all_stories_feed_holds_every_story_in_its_original_language(client, published_seeds, hidden_stories, kind):
    """/feeds/ holds the five seeds, each with its original headline and a link to its original-language page."""
    parsed = parse(client, reverse(f"feed-all-{kind}"))
    stories = published_seeds.values()
    assert sorted(entry.link for entry in parsed.entries) == sorted(
        absolute(story.get_absolute_url(story.original_language)) for story in stories
    )
    assert sorted(entry.title for entry in parsed.entries) == sorted(
        story.headline(story.original_language) for story in stories
    )


def test_atom_feed_names_an_author_for_stories_without_one(client, published_seeds):
    """Atom requires an author per entry: the feed's (the site) covers seeds 001 and 004, which have none."""
    assert parse(client, reverse("feed-all-atom")).feed.author == settings.NEWSROOM_SITE_NAME


@pytest.mark.parametrize("kind", FORMATS)
def test_topic_feed_holds_only_that_topics_stories(client, published_seeds, hidden_stories, kind):
    """A topic's feed holds the published stories of that topic (in the language, or all of them), no other."""
    seen = 0
    for topic in Topic.objects.all():
        in_topic = [story for story in published_seeds.values() if topic in story.topics.all()]
        parsed = parse(client, reverse(f"topic-all-{kind}", kwargs={"slug": topic.slug}))
        assert sorted(entry.link for entry in parsed.entries) == sorted(
            absolute(story.get_absolute_url(story.original_language)) for story in in_topic
        )
        hindi = [story for story in in_topic if story.title_hi]
        parsed = parse(client, localized(f"newsroom:topic-{kind}", "hi", slug=topic.slug))
        assert sorted(entry.link for entry in parsed.entries) == sorted(
            absolute(story.get_absolute_url("hi")) for story in hindi
        )
        seen += len(in_topic)
    assert seen >= len(published_seeds)


@pytest.mark.parametrize("kind", FORMATS)
def test_unknown_topic_is_404(client, kind):
    """A topic feed for a slug no topic has is a 404, prefixed or not."""
    assert client.get(localized(f"newsroom:topic-{kind}", "hi", slug="no-such-topic")).status_code == 404
    assert client.get(reverse(f"topic-all-{kind}", kwargs={"slug": "no-such-topic"})).status_code == 404


@pytest.mark.parametrize("kind", FORMATS)
def test_markup_in_story_text_comes_out_as_text(client, kind):
    """A headline and lead containing <script> and & are carried as text: no element is injected, and a
    reader that renders the HTML summary shows the lead exactly as written."""
    title = "Bắc Ninh <script>alert(1)</script> & co"
    lead = "A & B <script>alert(2)</script> <b>bold</b> 'quoted'"
    make_story(title, language="vi", lead=lead)
    response = client.get(localized(f"newsroom:feed-{kind}", "vi"))
    assert b"<script" not in response.content and b"<b>" not in response.content
    (entry,) = parse(client, localized(f"newsroom:feed-{kind}", "vi")).entries
    assert entry.title == title
    assert "<script" not in entry.summary
    assert html.unescape(entry.summary) == lead


@pytest.mark.parametrize("kind", FORMATS)
def test_control_characters_cannot_break_the_xml(client, kind):
    """Control characters pasted into a headline, a lead or a byline are left out; the feed stays well-formed."""
    make_story(
        "Ctrl\x01\x08\x0b\x0c\x1b\x1fheadline", language="vi", lead="Lead\x0bwith\x1fcontrols", byline="By\x07line"
    )
    for url in (localized(f"newsroom:feed-{kind}", "vi"), reverse(f"feed-all-{kind}")):
        (entry,) = parse(client, url).entries
        assert entry.title == "Ctrlheadline"
        assert entry.summary == "Leadwithcontrols"
        assert entry.author == "Byline"


@pytest.mark.parametrize("kind", FORMATS)
def test_entry_category_and_author_fall_back(client, kind):
    """An entry's category is its primary topic's name in the feed's language, else in English, else the topic's
    slug; its author is the byline, else the outlet's name."""
    english_only = Topic.objects.create(slug="test-english-only", name_en="Economy")
    nameless = Topic.objects.create(slug="test-nameless")
    outlet = Outlet.objects.create(name="Test Outlet Feeds")
    make_story("Tin một", topics=[english_only], outlet=outlet, published_at=timedelta(minutes=-2))
    make_story("Tin hai", topics=[nameless], outlet=outlet, byline="Phóng viên", published_at=timedelta(minutes=-1))
    make_story("Tin ba")
    entries = parse(client, localized(f"newsroom:feed-{kind}", "vi")).entries
    assert [(entry.title, [tag.term for tag in entry.get("tags", [])]) for entry in entries] == [
        ("Tin ba", []),
        ("Tin hai", ["test-nameless"]),
        ("Tin một", ["Economy"]),
    ]
    assert [entry.author for entry in entries[1:]] == ["Phóng viên", "Test Outlet Feeds"]


@pytest.mark.parametrize("feed_class", [feeds.StoryFeed, feeds.AtomStoryFeed])
def test_feed_is_written_byte_for_byte_as_djangos_writer_writes_it(feed_class):
    """The feeds write their XML into memory and then into the response: the bytes are those Django's writer puts
    straight into a response, a character UTF-8 cannot carry (a lone surrogate) included."""
    generator = feed_class.feed_type(
        title="Tin <b> & 日本", link="http://testserver/vi/", description="Mô tả", language="vi"
    )
    generator.add_item(
        title="Tin \ud800 một",
        link="http://testserver/vi/stories/1/tin/",
        description="&lt;b&gt;",
        pubdate=datetime(2024, 5, 3, tzinfo=UTC),
        categories=["Kinh tế"],
        author_name="Phóng viên",
    )
    ours, djangos = HttpResponse(), HttpResponse()
    generator.write(ours, "utf-8")
    super(feed_class.feed_type, generator).write(djangos, "utf-8")
    assert ours.content == djangos.content
    assert "Tin &#55296; một".encode() in ours.content
