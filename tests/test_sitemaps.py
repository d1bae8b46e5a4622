"""Sitemaps, the Google News sitemap and robots.txt: published stories only, every language version with
its alternates, in a constant number of queries."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from newsroom.languages import content_languages
from newsroom.models import Article, Tag, Topic
from newsroom.ninjs import language_tag
from newsroom.sitemaps import SITEMAPS, StorySitemap
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def translated(published_seeds) -> Article:
    """Seed 000 (Hindi) translated into English and Simplified Chinese."""
    story = published_seeds[0]
    story.title_en = "Bac Ninh and Xaisomboun strengthen cooperation in industry and trade"
    story.title_zh_hans = "北宁省与赛宋本省加强工贸合作"
    story.save()
    return story


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def fetch(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def section_url(section: str) -> str:
    return reverse("sitemap-section", kwargs={"section": section})


def urlset(client, section: str) -> dict[str, dict]:
    """A section's URLs: ``{loc: {"lastmod": str | None, "alternates": {hreflang: href}}}``; no loc twice."""
    root = fetch(client, section_url(section))
    urls = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc not in urls, loc
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        assert all(link.get("rel") == "alternate" for link in url.findall("xhtml:link", NS))
        urls[loc] = {"lastmod": url.findtext("sm:lastmod", namespaces=NS), "alternates": alternates}
    return urls


def story_url(story: Article, language: str) -> str:
    return absolute(story.get_absolute_url(language))


def expected_alternates(story: Article) -> dict[str, str]:
    alternates = {language_tag(lang): story_url(story, lang) for lang in story.languages()}
    return {**alternates, "x-default": story_url(story, story.original_language)}


def test_index_lists_every_section(client, published_seeds):
    """/sitemap.xml is an index of the home, topic, tag and story sections, each dated."""
    root = fetch(client, reverse("sitemap"))
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    entries = root.findall("sm:sitemap", NS)
    assert [entry.findtext("sm:loc", namespaces=NS) for entry in entries] == [
        absolute(section_url(section)) for section in SITEMAPS
    ]
    assert all(entry.findtext("sm:lastmod", namespaces=NS) for entry in entries)


def test_every_story_version_is_listed_with_its_alternates(client, published_seeds, translated):
    """Each language version of each published story is a <url> with its own slug; its alternates name every
    version in BCP 47 (zh-Hans) and x-default is the original; lastmod is the story's last change."""
    urls = urlset(client, "stories")
    expected = {story_url(story, lang): story for story in published_seeds.values() for lang in story.languages()}
    assert set(urls) == set(expected)
    assert len(urls) == 5 + 2
    for loc, story in expected.items():
        assert urls[loc]["alternates"] == expected_alternates(story)
        lastmod = datetime.fromisoformat(urls[loc]["lastmod"])
        assert lastmod == story.updated_at.replace(microsecond=0)

    alternates = urls[story_url(translated, "en")]["alternates"]
    assert list(alternates) == ["hi", "en", "zh-Hans", "x-default"]
    assert alternates["x-default"] == story_url(translated, "hi")
    assert len(set(alternates.values())) == 3, "each version has its own slug"
    assert "/en/stories/" in alternates["en"] and "/zh-hans/stories/" in alternates["zh-Hans"]


def test_hidden_stories_appear_in_no_sitemap(client, published_seeds, hidden_stories):
    """No draft, story in review, archived or scheduled story (nor a tag only they carry) is in any sitemap."""
    urls = [reverse("sitemap"), reverse("sitemap-news"), *map(section_url, SITEMAPS)]
    for url in urls:
        content = client.get(url).content.decode()
        for story in hidden_stories.values():
            assert f"/stories/{story.pk}/" not in content, url
            assert f"/tags/{story.tags.get().slug}/" not in content, url


@pytest.mark.parametrize(("section", "model"), [("home", None), ("topics", Topic), ("tags", Tag)])
def test_listings_are_listed_in_every_language(client, published_seeds, hidden_stories, section, model):
    """The home page and every topic page exist in every content language, tag pages only for tags with a
    published story; each lists all languages as alternates, x-default being the default language's page."""
    if model is None:
        paths = [lambda: reverse("newsroom:home")]
    elif model is Topic:
        paths = [topic.get_absolute_url for topic in Topic.objects.all()]
    else:
        tags = Tag.objects.filter(articles__in=Article.objects.published()).distinct()
        assert 0 < tags.count() < Tag.objects.count()
        paths = [tag.get_absolute_url for tag in tags]
    urls = urlset(client, section)
    expected = set()
    for path in paths:
        by_language = {}
        for language in content_languages():
            with translation.override(language):
                by_language[language] = absolute(path())
        alternates = {language_tag(lang): url for lang, url in by_language.items()}
        alternates["x-default"] = by_language[settings.LANGUAGE_CODE]
        for url in by_language.values():
            assert urls[url]["alternates"] == alternates
            assert urls[url]["lastmod"]
        expected.update(by_language.values())
    assert set(urls) == expected
    assert any('hreflang="zh-Hans"' in line for line in client.get(section_url(section)).content.decode().split(">"))


@pytest.mark.parametrize("language", content_languages())
def test_listed_pages_exist(client, published_seeds, translated, language):
    """The URLs the sitemaps list in each language answer 200 (every story version, the first listings of
    each section: they share one view each): a sitemap names no missing page."""
    prefix = absolute(f"/{language}/")
    for section in SITEMAPS:
        listed = [loc for loc in urlset(client, section) if loc.startswith(prefix)]
        assert listed or section == "stories"
        for loc in listed if section == "stories" else listed[:3]:
            assert client.get(loc.removeprefix("http://testserver")).status_code == 200, loc


def test_news_sitemap_holds_the_last_two_days(client, published_seeds, translated, hidden_stories):
    """The news sitemap has one <url> per language version of the stories published in the last 48 hours
    (not one published three days ago), with the site's name, Google's language code (zh-cn for Simplified
    Chinese), the W3C publication date and the headline in that language."""
    old = published_seeds[3]
    Article.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=3))
    root = fetch(client, reverse("sitemap-news"))
    entries = {url.findtext("sm:loc", namespaces=NS): url.find("news:news", NS) for url in root.findall("sm:url", NS)}
    recent = [story for number, story in published_seeds.items() if number != 3]
    expected = {story_url(story, lang): (story, lang) for story in recent for lang in story.languages()}
    assert set(entries) == set(expected)
    assert story_url(old, "en") not in entries
    google = {"hi": "hi", "ja": "ja", "en": "en", "zh-hans": "zh-cn"}
    for loc, (story, lang) in expected.items():
        news = entries[loc]
        assert news.findtext("news:publication/news:name", namespaces=NS) == settings.NEWSROOM_SITE_NAME
        assert news.findtext("news:publication/news:language", namespaces=NS) == google[lang]
        published = datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
        assert published == story.published_at.replace(microsecond=0)
        assert news.findtext("news:title", namespaces=NS) == story.headline(lang)


def test_news_sitemap_escapes_markup_and_drops_control_characters(client):
    """A headline with markup comes out as text and one with control characters still makes well-formed XML."""
    make_story("Bắc Ninh <script>alert(1)</script> & co\x0b\x1b")
    response = client.get(reverse("sitemap-news"))
    assert b"<script" not in response.content
    root = ET.fromstring(response.content)
    assert root.findtext("sm:url/news:news/news:title", namespaces=NS) == "Bắc Ninh <script>alert(1)</script> & co"


def test_robots_txt_allows_all_but_the_admin_and_names_both_sitemaps(client):
    """robots.txt is plain text: every agent may crawl everything except /admin/; both sitemaps are named
    by absolute URL, and both answer."""
    response = client.get(reverse("robots-txt"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Disallow: /admin/"]
    sitemaps = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert sitemaps == ["http://testserver/sitemap.xml", "http://testserver/sitemap-news.xml"]
    for url in sitemaps:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_section_is_paginated_without_repeats_or_gaps(client, published_seeds, translated, monkeypatch):
    """With more versions than fit on a page, the index names each page (?p=2…) and together the pages list
    every version once."""
    monkeypatch.setattr(StorySitemap, "limit", 3)
    index = fetch(client, reverse("sitemap"))
    pages = [entry.findtext("sm:loc", namespaces=NS) for entry in index.findall("sm:sitemap", NS)]
    stories = absolute(section_url("stories"))
    assert [loc for loc in pages if loc.startswith(stories)] == [stories, f"{stories}?p=2", f"{stories}?p=3"]
    seen = []
    for page in (1, 2, 3):
        root = fetch(client, f"{section_url('stories')}?p={page}")
        seen += [url.findtext("sm:loc", namespaces=NS) for url in root.findall("sm:url", NS)]
    assert len(seen) == len(set(seen)) == 7
    assert client.get(f"{section_url('stories')}?p=4").status_code == 404


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.uncached
def test_query_count_does_not_grow_with_the_number_of_stories(client):
    """Each sitemap costs the same number of queries for 3 stories as for 30, translations, topics and tags
    included: one per section, one more per section for the index."""
    tags = list(Tag.objects.order_by("slug")[:30])
    urls = [reverse("sitemap"), reverse("sitemap-news"), *map(section_url, SITEMAPS)]

    def add(count: int) -> None:
        for n in range(count):
            make_story(f"Story {n}", title_en=f"Story {n} en", title_zh_hans=f"故事 {n}", tags=[tags[n]])

    add(3)
    few = {url: count_queries(client, url) for url in urls}
    Article.objects.all().delete()
    add(30)
    many = {url: count_queries(client, url) for url in urls}
    assert many == few
    assert few[section_url("stories")] == 1
    assert few[reverse("sitemap")] == len(SITEMAPS)
    assert len(urlset(client, "stories")) == 90
