"""The public pages: home, topic, tag and article pages in every language, their filters and their errors."""

import json
import re
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from newsroom.languages import content_languages
from newsroom.models import Article, ArticleImage, Outlet, Tag, Topic
from newsroom.ninjs import language_tag
from tests.conftest import make_story

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"newsroom:{name}", kwargs=kwargs or None)


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


class Head(HTMLParser):
    """The ``<link>``/``<meta>`` elements and the JSON-LD of a page."""

    def __init__(self, page: str):
        super().__init__()
        self.links: list[dict] = []
        self.metas: list[dict] = []
        self.jsonld: list[dict] = []
        self._in_jsonld = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.metas.append(attrs)
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(json.loads(data))
            self._in_jsonld = False

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if "hreflang" in link}

    def canonical(self) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == "canonical")

    def meta(self, name: str) -> list[str]:
        return [m["content"] for m in self.metas if name in (m.get("property"), m.get("name"))]


@pytest.fixture
def topic():
    return Topic.objects.get(slug="ocop")


# Home ----------------------------------------------------------------------------------------


def test_root_redirects_to_a_language(client):
    """``/`` sends readers to the home page in their browser's language."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 302 and response["Location"] == "/ja/"


@pytest.mark.parametrize("language", ["vi", "en", "hi", "ja", "zh-hans", "ko", "fr", "ru", "lo"])
def test_every_content_language_has_a_home_page(client, language, published_seeds):
    """Each content language has its prefix; the page declares the language."""
    page = html(client, f"/{language}/")
    assert f'<html lang="{language_tag(language)}"' in page


def test_home_lists_the_latest_stories_of_each_topic(client, published_seeds):
    """Each topic has its section with its own stories, in their scripts."""
    page = html(client, "/hi/")
    for slug in ("industrial-promotion", "ocop", "cross-border-cooperation"):
        assert f'id="topic-{slug}"' in page
    sections = re.split(r'<section class="topic-section"', page)[1:]
    cross_border = next(s for s in sections if "topic-cross-border-cooperation" in s)
    assert cross_border.count('class="card"') == 2
    assert published_seeds[0].get_absolute_url("hi") in cross_border


def test_story_text_is_escaped_and_carries_its_language(client, topic):
    """Markup in a headline is shown as text; the card has the story's lang and dir=auto."""
    make_story("Bắc Ninh <script>alert(1)</script>", topics=[topic])
    page = html(client, "/en/")
    assert "Bắc Ninh &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert '<article class="card" lang="vi" dir="auto">' in page


def test_a_story_in_another_language_is_labelled(client, topic):
    """On an English page, a Vietnamese-only story says it is in Vietnamese; an English one does not."""
    make_story("Tin tiếng Việt", topics=[topic])
    make_story("English story", "en", topics=[topic])
    page = html(client, url("topic-detail", slug="ocop"))
    vietnamese, english = (
        page.split(f">{title}<")[1].split("</article>")[0] for title in ("Tin tiếng Việt", "English story")
    )
    assert "In Vietnamese" in vietnamese
    assert "In " not in english.split('class="card-meta"')[1].split("<time")[0]


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_unpublished_stories_are_on_no_listing(client, topic, status):
    """Drafts, stories in review and archived stories are on no home, topic or tag page."""
    place = Tag.objects.get(slug="bac-ninh")
    make_story("Public story", topics=[topic], tags=[place])
    make_story(f"Hidden {status}", status=status, topics=[topic], tags=[place])
    for path in ("/en/", url("topic-detail", slug="ocop"), url("tag-detail", slug="bac-ninh"), url("tag-list")):
        assert "Hidden" not in html(client, path)


def test_scheduled_stories_wait_for_their_time(client, topic):
    """A story published for tomorrow is not public before its time."""
    make_story("Tomorrow's story", topics=[topic], published_at=timezone.now() + timedelta(days=1))
    assert "Tomorrow" not in html(client, url("topic-detail", slug="ocop"))


# Topic pages and filters -----------------------------------------------------------------------


def titles(page: str) -> list[str]:
    return re.findall(r'<h[23] class="card-title"><a href="[^"]*">([^<]*)</a>', page)


@pytest.fixture
def stories(topic):
    """Four OCOP stories with different places, outlets, languages and dates, newest first."""
    now = timezone.now()
    bac_ninh, lang_son = Tag.objects.get(slug="bac-ninh"), Tag.objects.get(slug="lang-son")
    outlet = Outlet.objects.get(domain="baobacninhtv.vn")
    return [
        make_story("Story A", "vi", topics=[topic], tags=[bac_ninh], outlet=outlet, published_at=now),
        make_story("Story B", "en", topics=[topic], tags=[lang_son], published_at=now - timedelta(days=10)),
        make_story("Story C", "hi", topics=[topic], tags=[bac_ninh], published_at=now - timedelta(days=40)),
        make_story(
            "Story D", "vi", topics=[topic], title_en="Story D in English", published_at=now - timedelta(days=400)
        ),
    ]


def test_topic_page_lists_newest_first(client, stories):
    """A topic page lists its stories, newest first."""
    assert titles(html(client, url("topic-detail", slug="ocop"))) == [
        "Story A",
        "Story B",
        "Story C",
        "Story D in English",
    ]


def test_topic_page_lists_only_its_topic(client, stories):
    """A story of another topic is not on the topic's page."""
    make_story("Elsewhere", topics=[Topic.objects.get(slug="cross-border-cooperation")])
    assert "Elsewhere" not in html(client, url("topic-detail", slug="ocop"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("place=bac-ninh", ["Story A", "Story C"]),
        ("place=lang-son", ["Story B"]),
        ("outlet={outlet}", ["Story A"]),
        ("language=vi", ["Story A", "Story D in English"]),
        ("translated=on", ["Story B", "Story D in English"]),
        ("published_after={days_ago_15}", ["Story A", "Story B"]),
        ("published_before={days_ago_15}", ["Story C", "Story D in English"]),
        ("place=bac-ninh&language=hi", ["Story C"]),
    ],
)
def test_topic_page_filters(client, stories, query, expected):
    """Each filter (place, outlet, story language, only-in-my-language, date range) narrows the list."""
    query = query.format(
        outlet=stories[0].outlet_id, days_ago_15=(timezone.localdate() - timedelta(days=15)).isoformat()
    )
    assert titles(html(client, url("topic-detail", slug="ocop") + "?" + query)) == expected


def selects(page: str) -> dict[str, str]:
    """Each ``<select>`` of a page's filter form by name: its options, from the first to the last."""
    return dict(re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S))


def test_filter_selects_keep_the_readers_choice(client, stories):
    """The chosen place and outlet stay chosen in the form (and nothing else is), the other selects rest on
    their empty option, and the options are Django's own ``Select`` markup."""
    from django import forms

    from newsroom.filters import ArticleFilter

    outlet = stories[0].outlet_id
    page = html(client, url("topic-detail", slug="ocop") + f"?place=lang-son&outlet={outlet}")
    found = selects(page)
    assert re.findall(r'<option value="([^"]*)" selected>', found["place"]) == ["lang-son"]
    assert re.findall(r'<option value="([^"]*)" selected>', found["outlet"]) == [str(outlet)]
    assert re.findall(r'<option value="([^"]*)" selected>', found["language"]) == [""]
    with translation.override("en"):
        choices = ArticleFilter(queryset=Article.objects.all(), language="en").form.fields["place"].choices
        django_markup = forms.Select(choices=choices).render("place", "lang-son")
    assert found["place"] == "".join(re.findall(r"<option.*?</option>", django_markup))


def test_filter_options_follow_the_registry_and_are_escaped(client, stories):
    """A renamed tag is offered under its new name at the next request, its label escaped."""
    place = Tag.objects.get(slug="lang-son")
    before = selects(html(client, url("topic-detail", slug="ocop")))["place"]
    assert f'<option value="lang-son">{place.name_en}</option>' in before
    place.name_en = "Lang <Son> & Co"
    place.save()
    after = selects(html(client, url("topic-detail", slug="ocop")))["place"]
    assert '<option value="lang-son">Lang &lt;Son&gt; &amp; Co</option>' in after
    assert "<Son>" not in after


@pytest.mark.parametrize(
    "query", ["published_after=2025-13-45", "tag=no-such-tag", "place=no-such-place", "outlet=abc", "language=xx"]
)
def test_bad_filter_values_are_form_errors(client, stories, query):
    """A malformed date or an unknown tag, outlet or language is a form error, with no stories listed."""
    page = html(client, url("topic-detail", slug="ocop") + "?" + query)
    assert 'class="field-error"' in page
    assert "Some filters are not valid" in page
    assert titles(page) == []


@pytest.mark.parametrize("page", ["99999", "0", "abc", "-1"])
def test_pages_beyond_the_list_are_not_found(client, stories, page):
    """Page numbers outside the list answer 404, not 500."""
    assert client.get(url("topic-detail", slug="ocop") + f"?page={page}").status_code == 404


def test_unknown_topic_is_not_found(client):
    assert client.get(url("topic-detail", slug="no-such-topic")).status_code == 404


def test_no_results_says_so(client, stories):
    """Filters that match nothing say so and offer the unfiltered list."""
    page = html(client, url("topic-detail", slug="ocop") + "?place=hanoi")
    assert "No stories match these filters." in page
    assert 'href="/en/topics/ocop/">Show all stories' in page


def test_pagination_keeps_the_filters(client, topic):
    """Every page link carries the filters; the second page continues where the first stopped."""
    place = Tag.objects.get(slug="bac-ninh")
    for number in range(25):
        make_story(
            f"Story {number:02d}", topics=[topic], tags=[place], published_at=timezone.now() - timedelta(hours=number)
        )
    first = html(client, url("topic-detail", slug="ocop") + "?place=bac-ninh&language=vi")
    assert titles(first)[0] == "Story 00" and len(titles(first)) == 20
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "place=bac-ninh" in next_link and "language=vi" in next_link and "page=2" in next_link
    second = html(client, url("topic-detail", slug="ocop") + next_link)
    assert titles(second) == [f"Story {number:02d}" for number in range(20, 25)]
    assert "place=bac-ninh" in re.search(r'<a rel="prev" href="([^"]+)"', second).group(1)


def test_links_built_from_the_query_leave_tracking_parameters_out(client, topic):
    """A page reached from a campaign link (``utm_*``, ``fbclid``) keeps its filters in its page links and in its
    other languages' links, but not the tracking parameters: a reader paging on is not a second campaign visit,
    and the page is the same as without them (``newsroom.tracking``)."""
    place = Tag.objects.get(slug="bac-ninh")
    for number in range(25):
        make_story(f"Story {number:02d}", topics=[topic], tags=[place])
    path = url("topic-detail", slug="ocop")
    page = html(client, f"{path}?utm_source=newsletter&place=bac-ninh&fbclid=IwAR0x&utm_campaign=ocop")
    next_link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert next_link == "?place=bac-ninh&page=2"
    in_vietnamese = re.search(r'<a href="([^"]+)"[^>]*hreflang="vi"', page).group(1).replace("&amp;", "&")
    assert in_vietnamese == "/vi/topics/ocop/?place=bac-ninh"
    assert "utm_" not in page and "fbclid" not in page
    assert page == html(client, f"{path}?place=bac-ninh")


@pytest.mark.uncached
def test_topic_page_query_count_does_not_grow_with_the_list(client, topic):
    """A topic page costs the same number of queries for 20 stories as for 200."""
    place = Tag.objects.get(slug="bac-ninh")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            html(client, url("topic-detail", slug="ocop") + "?place=bac-ninh")
        return len(queries)

    for number in range(20):
        make_story(f"Story {number}", topics=[topic], tags=[place])
    twenty = count()
    Article.objects.bulk_create(
        Article(
            original_language="hi",
            title_hi=f"कहानी {n}",
            status="published",
            published_at=timezone.now(),
            primary_topic=topic,
        )
        for n in range(180)
    )
    for article in Article.objects.filter(title_hi__startswith="कहानी"):
        article.topics.add(topic)
        article.tags.add(place)
    assert count() == twenty
    # The topics (page and navigation), tags, outlets (the filter's, and the registry that names each card's), count,
    # the next scheduled publication, page.
    assert twenty == 7


@pytest.mark.uncached
@pytest.mark.parametrize("page", ["topic-detail", "tag-detail"])
def test_listing_pages_read_their_stories_without_bodies(client, topic, page):
    """A listing's cards show headlines and leads: its stories are read without their bodies in every language (on
    PostgreSQL, values fetched from TOAST and most of a page of stories' bytes), and no body is read story by story
    either."""
    place = Tag.objects.get(slug="bac-ninh")
    for number in range(3):
        make_story(f"Story {number}", topics=[topic], tags=[place], body_vi="Thân bài " * 500)
    with CaptureQueriesContext(connection) as queries:
        page_html = html(client, url(page, slug="ocop" if page == "topic-detail" else "bac-ninh"))
    assert titles(page_html)[:3] == ["Story 2", "Story 1", "Story 0"]
    stories = [query["sql"] for query in queries if "newsroom_article" in query["sql"] and '"title_vi"' in query["sql"]]
    assert stories and not any('"body' in sql for sql in stories)
    assert "Thân bài" not in page_html


# Tag pages -------------------------------------------------------------------------------------


def test_tag_page_lists_the_tags_stories_with_filters(client, stories):
    """A place's page lists its stories and offers the other filters, not the place itself."""
    page = html(client, url("tag-detail", slug="bac-ninh"))
    assert titles(page) == ["Story A", "Story C"]
    assert 'name="place"' not in page and 'name="topic"' in page
    assert titles(html(client, url("tag-detail", slug="bac-ninh") + "?language=hi")) == ["Story C"]


def test_tag_list_shows_tags_with_stories_in_the_readers_language(client, stories):
    """The tag index names tags in the page's language and leaves out tags without stories."""
    page = html(client, url("tag-list", "ja"))
    assert ">バクニン<" in page and ">ランソン<" in page
    assert "/ja/tags/hanoi/" not in page


def test_unknown_tag_is_not_found(client):
    assert client.get(url("tag-detail", slug="no-such-tag")).status_code == 404


@pytest.mark.uncached
def test_a_tag_page_finds_its_tag_without_a_query(client, topic):
    """A tag page finds its tag as a topic page finds its topic: in what the site remembers (the tag filters'
    options, the registry), so once those are read a tag page queries no tag; a tag renamed or hidden since is
    found, or not, as it is now."""
    place = Tag.objects.get(slug="bac-ninh")
    story = make_story("Story", topics=[topic], tags=[place])
    html(client, url("tag-detail", slug="bac-ninh"))
    with CaptureQueriesContext(connection) as queries:
        page = html(client, url("tag-detail", slug="bac-ninh"))
    assert titles(page) == ["Story"] and 'name="place"' not in page
    assert not [query["sql"] for query in queries if 'FROM "newsroom_tag"' in query["sql"]]
    place.slug = "bac-ninh-province"
    place.save()
    assert client.get(url("tag-detail", slug="bac-ninh")).status_code == 404
    assert titles(html(client, url("tag-detail", slug="bac-ninh-province"))) == ["Story"]
    story.status = "draft"  # the tag's only story hidden: the tag is named nowhere
    story.save()
    assert client.get(url("tag-detail", slug="bac-ninh-province")).status_code == 404


# Article pages ---------------------------------------------------------------------------------


def test_article_page_shows_the_story_in_the_urls_language(client, published_seeds):
    """Seed 003 on its English page: headline, lead, subheadings, paragraphs, caption and credit, source."""
    article = published_seeds[3]
    page = html(client, article.get_absolute_url("en"))
    assert '<h1 lang="en" dir="auto">Perfecting the coordination mechanism' in page
    assert "<h2>Implement practical and effective industrial promotion projects</h2>" in page
    assert '<span class="credit">Bac Ninh Industrial Promotion Center</span>' in page
    assert (
        'href="https://daibieunhandan.vn/hoan-thien-co-che-phoi-hop-trien-khai-hoat-dong-khuyen-cong-10396827.html"'
        in page
    )
    assert "Báo Đại biểu Nhân dân</a>, originally published Nov. 24, 2025." in page
    assert 'href="/en/topics/industrial-promotion/"' in page and 'href="/en/tags/bac-ninh/"' in page


def test_article_page_falls_back_to_the_original_labelled(client, published_seeds):
    """A Hindi story on a Japanese page is shown in Hindi and says so; its canonical is the Hindi page."""
    article = published_seeds[1]
    page = html(client, article.get_absolute_url("ja"))
    assert '<h1 lang="hi" dir="auto">' in page
    assert 'class="notice"' in page
    assert Head(page).canonical().endswith(article.get_absolute_url("hi"))


def test_article_page_links_its_translations(client, published_seeds):
    """A translated story offers its other language and declares both as hreflang alternates plus x-default."""
    article = published_seeds[3]
    article.title_vi, article.lead_vi, article.body_vi = "Hoàn thiện cơ chế phối hợp", "Tóm tắt", "Nội dung."
    article.save()
    page = html(client, article.get_absolute_url("vi"))
    head = Head(page)
    english, vietnamese = article.get_absolute_url("en"), article.get_absolute_url("vi")
    assert {lang: href.removeprefix("http://testserver") for lang, href in head.alternates().items()} == {
        "en": english,
        "vi": vietnamese,
        "x-default": english,
    }
    assert head.canonical() == "http://testserver" + vietnamese
    assert f'<a href="{english}" hreflang="en" lang="en">English</a>' in page


def test_article_page_has_opengraph_and_newsarticle_data(client, published_seeds):
    """OpenGraph and Twitter tags, and a JSON-LD NewsArticle with language, dates, source and places."""
    article = published_seeds[0]
    head = Head(html(client, article.get_absolute_url("hi")))
    assert head.meta("og:type") == ["article"]
    assert head.meta("og:title") == [article.title_hi]
    assert head.meta("twitter:card") == ["summary"]
    [data] = head.jsonld
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title_hi
    assert data["inLanguage"] == "hi"
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] == article.updated_at.isoformat()
    assert data["isBasedOn"] == article.source_url
    assert data["publisher"]["name"] == "Newsroom"
    assert data["author"]["name"]
    about = {(item["@type"], item["name"]) for item in data["about"]}
    assert ("Thing", "सीमा पार सहयोग") in about
    assert any(kind == "Place" for kind, _ in about)


def test_a_long_lead_is_cut_for_the_description_without_splitting_a_letter(client, topic):
    """The page's description (and Twitter's) is the lead cut at 300 characters with "…", never between a Hindi
    consonant and its vowel sign; a short lead is whole."""
    lead = "बाक निन्ह प्रांत के उद्योग " * 20  # 540 characters, vowel signs throughout
    article = make_story("बाक निन्ह", "hi", lead=lead.strip(), topics=[topic])
    head = Head(html(client, article.get_absolute_url("hi")))
    [description], [twitter] = head.meta("description"), head.meta("twitter:description")
    assert description == twitter and description.endswith("…") and 290 <= len(description) <= 301
    kept = description.removesuffix("…")
    assert lead.startswith(kept) and not unicodedata.category(lead[len(kept)]).startswith("M")
    short = make_story("बाक निन्ह", "hi", lead="उद्योग मेला", topics=[topic])
    assert Head(html(client, short.get_absolute_url("hi"))).meta("description") == ["उद्योग मेला"]


def test_json_ld_cannot_be_broken_out_of(client, topic):
    """A headline with ``</script>`` stays inside the JSON-LD string."""
    article = make_story("Bad </script><script>alert(1)</script>", topics=[topic])
    page = html(client, article.get_absolute_url("vi"))
    assert "<script>alert(1)" not in page
    assert Head(page).jsonld[0]["headline"] == "Bad </script><script>alert(1)</script>"


def test_stale_slugs_redirect_to_the_current_one(client, published_seeds):
    """The number finds the story: a mangled or old slug, or none, redirects permanently to the current URL."""
    article = published_seeds[0]
    current = article.get_absolute_url("hi")
    for path in (f"/hi/stories/{article.pk}/", f"/hi/stories/{article.pk}/old-headline/"):
        response = client.get(path)
        assert response.status_code == 301 and response["Location"] == current


def test_hindi_slugs_keep_their_vowel_signs(published_seeds):
    """The URL of a Hindi story is readable Hindi, vowel signs included."""
    article = published_seeds[0]
    first_words = article.title_hi.split()[:2]
    assert first_words[0] == "प्रतिनिधिमंडल"
    assert f"/hi/stories/{article.pk}/{'-'.join(first_words)}-" in unquote(article.get_absolute_url("hi"))


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_a_hidden_story_answers_like_a_missing_one(client, status):
    """A story that is not public has no page: the same 404 as a number that was never used."""
    article = make_story("Hidden", status=status)
    hidden = client.get(f"/en/stories/{article.pk}/hidden/")
    missing = client.get("/en/stories/999999/hidden/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.get(f"/en/stories/{article.pk}/").status_code == 404


def test_related_stories_in_the_readers_language_come_first(client, topic):
    """Related stories are public ones only, those readable in the page's language first."""
    article = make_story("Main", "en", topics=[topic])
    vietnamese = make_story("Related Vietnamese", "vi", published_at=timezone.now())
    english = make_story("Related English", "en", published_at=timezone.now() - timedelta(days=3))
    draft = make_story("Related draft", "en", status="draft")
    article.related.add(vietnamese, english, draft)
    page = html(client, article.get_absolute_url("en"))
    related = page.split('id="related-title"')[1]
    assert related.index("Related English") < related.index("Related Vietnamese")
    assert "Related draft" not in page


def test_published_by_ids_reads_what_the_orm_reads(topic):
    """``published_by_ids``, its SQL compiled once per number of ids and fields, gives the published stories among
    the ids with every field, or only the fields asked for, as ``published().filter(pk__in=...)`` gives it: not
    drafts, not stories scheduled for later, not ids that were never used; the present is read on every call, so a
    scheduled story appears when its time comes."""
    from newsroom.querysets import card_fields, published_by_ids

    outlet = Outlet.objects.get(domain="baobacninhtv.vn")
    shown = [
        make_story("Vietnamese", "vi", outlet=outlet, byline="Lan", source_url="https://example.vn/a"),
        make_story("English", "en", topics=[topic], lead="A lead."),
    ]
    draft = make_story("Draft", "en", status="draft")
    scheduled = make_story("Scheduled", "en", published_at=timedelta(hours=1))
    ids = [story.pk for story in (*shown, draft, scheduled)] + [999_999]
    for asked in (ids, ids[::-1], [*ids, shown[0].pk]):
        found = {story.pk: story for story in published_by_ids(asked)}
        expected = {story.pk: story for story in Article.objects.published().filter(pk__in=asked)}
        assert set(found) == set(expected) == {story.pk for story in shown}
        for pk, story in expected.items():
            fields = [field.attname for field in Article._meta.concrete_fields]
            assert [getattr(found[pk], name) for name in fields] == [getattr(story, name) for name in fields]
    assert published_by_ids([]) == [] and published_by_ids([999_999]) == []
    # With only a card's fields: those as the ORM reads them, every other one deferred (read if used, never stale).
    only = card_fields("outlet")
    cards = {story.pk: story for story in published_by_ids(ids, only)}
    assert set(cards) == {story.pk for story in shown}
    for story in Article.objects.published().filter(pk__in=ids).only(*only):
        assert cards[story.pk].get_deferred_fields() == story.get_deferred_fields()
        assert {"body", "body_vi", "body_en", "byline", "source_url"} <= story.get_deferred_fields()
        kept = [
            field.attname for field in Article._meta.concrete_fields if field.attname not in story.get_deferred_fields()
        ]
        assert [getattr(cards[story.pk], name) for name in kept] == [getattr(story, name) for name in kept]
    assert cards[shown[0].pk].byline == "Lan"  # a deferred field, read when used
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert {story.pk for story in published_by_ids(ids)} == {story.pk for story in shown} | {scheduled.pk}


@pytest.mark.uncached
def test_a_story_page_costs_three_queries_at_most(client, topic):
    """Once the site's topics and tags are remembered, a story page reads the ids of the story's topics, tags,
    related stories and images (one query), then the story with its related stories (one), then its images only
    when it has some; the topics, tags and outlets come from the registry."""
    place = Tag.objects.get(slug="bac-ninh")
    outlet = Outlet.objects.get(domain="baobacninhtv.vn")
    bare = make_story("Bare", "en")
    full = make_story("Full", "en", topics=[topic], tags=[place], outlet=outlet)
    full.related.add(make_story("Related one", "en", outlet=outlet), make_story("Related two", "vi"))
    ArticleImage.objects.create(article=full, caption_en="A kiln in Bat Trang")
    for story, expected in ((bare, 2), (full, 3)):
        page = story.get_absolute_url("en")
        html(client, page)
        with CaptureQueriesContext(connection) as queries:
            shown = html(client, page)
        assert len(queries) == expected, [query["sql"][:150] for query in queries]
        assert not any(
            f'"{model._meta.db_table}"' in query["sql"] for model in (Topic, Tag, Outlet) for query in queries
        )
    assert "Related one" in shown and "Related two" in shown and "A kiln in Bat Trang" in shown
    assert topic.name_en in shown and place.name_en in shown
    assert shown.count(f'<span class="outlet">{outlet.name}</span>') == 1  # the related story's card
    assert f'<span dir="auto">{outlet.name}</span>' in shown or f">{outlet.name}</a>" in shown  # the source line


# Errors ----------------------------------------------------------------------------------------


def test_not_found_page_is_in_the_pages_language(client):
    """The 404 page speaks the language of the URL's prefix."""
    response = client.get("/ja/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ja"' in page and "ページが見つかりません" in page


def test_server_error_page_is_in_the_pages_language(rf):
    """The 500 page renders without a database or request context, in the active language."""
    from django.views.defaults import server_error

    with translation.override("hi"):
        page = server_error(rf.get("/hi/")).content.decode()
    assert '<html lang="hi"' in page and "सर्वर" in page


def test_the_language_menu_links_this_page_in_every_language_with_its_filters(client, topic):
    """The language menu of a listing links the same page, filters and query kept, in every content language;
    a search in Hindi keeps its words."""
    page = html(client, url("topic-detail", slug="ocop") + "?place=bac-ninh&language=hi")
    menu = page.split('class="language-menu"')[1].split("</details>")[0]
    links = re.findall(r'<a href="([^"]*)" hreflang="([^"]*)"', menu)
    assert [tag for _href, tag in links] == ["vi", "en", "hi", "ja", "zh-Hans", "ko", "fr", "ru", "lo"]
    for (href, _tag), code in zip(links, content_languages(), strict=True):
        assert href == url("topic-detail", code, slug="ocop") + "?place=bac-ninh&amp;language=hi"
    search = html(client, url("search", "hi") + "?q=%E0%A4%AC%E0%A4%BE%E0%A4%95")
    menu = search.split('class="language-menu"')[1].split("</details>")[0]
    assert f'href="{url("search", "ja")}?q=%E0%A4%AC%E0%A4%BE%E0%A4%95"' in menu
