"""Drafts never leak: a story that is not public (a draft, one in review, an archived one, one scheduled for tomorrow)
is on no public page, feed, sitemap or API answer, in any language, through any filter, page or search, with the
page cache on or off, and its URLs answer exactly like URLs that never existed.

Each hidden story carries its own canary token in every field a reader could see (headline and lead in three
languages, body, image caption, alt text and credit, byline) and is linked to everything that lists stories: every
topic, a public place tag, an outlet, and a tag that only hidden stories carry (its names and alias are canaries
too). Published stories around them (the seeds and enough fillers for a second page) make every listing real.
``pytest -s`` prints the figures.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, unquote_plus, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from newsroom.filters import ArticleFilter
from newsroom.languages import content_languages
from newsroom.models import Article, ArticleImage, Outlet, Tag, TagAlias, Topic
from tests.conftest import HIDDEN, make_story
from tests.test_admin_workflow import change_url
from tests.test_cache import admin_save, changelist_action
from tests.test_public_surfaces import public_urls

pytestmark = pytest.mark.django_db

CANARY = "kanari"  # every token starts so: one search of a page finds any of them
STORY_FIELDS = ("headline", "lead", "body", "caption", "alt", "credit", "byline")
FILLERS = 22  # published stories in the OCOP topic, tagged Bac Ninh: with the seeds, two pages of it
NEVER_USED = 987654  # an id no story has
HIDDEN_TAG = "kanari-hidden-only"
MISSING_TAG = "kanari-never-made"
HIDDEN_OUTLET, MISSING_OUTLET = 970_001, 970_002


def token(state: str, name: str) -> str:
    """The canary of one field of one hidden story: letters only, so search reads it as one word."""
    return f"{CANARY}{state.replace('_', '')}{name}"


@dataclass
class Canaries:
    stories: dict[str, Article]
    tag: Tag
    outlet: Outlet

    def tokens(self, *names: str) -> list[str]:
        return [token(state, name) for state in self.stories for name in names]


def hide(state: str, story_status: str, offset: timedelta, tag: Tag, outlet: Outlet) -> Article:
    """A story in ``story_status``, dated ``offset`` from now, with a canary in every field a reader could see."""
    head, lead = token(state, "headline"), token(state, "lead")
    story = make_story(
        f"{head} बाक निन्ह मेला",
        "hi",
        lead=f"{lead} बाक निन्ह में मेला।",
        status=story_status,
        published_at=offset,
        topics=list(Topic.objects.all()),
        tags=[tag, Tag.objects.get(slug="bac-ninh")],
        title_en=f"{head} Bac Ninh fair",
        lead_en=f"{lead} A fair in Bac Ninh.",
        title_ja=f"{head}バクニン見本市",
        lead_ja=f"{lead}バクニンで見本市。",
        body_hi=f"पहला अनुच्छेद।\n{token(state, 'body')} दूसरा अनुच्छेद।",
        body_en=f"First paragraph.\n{token(state, 'body')} second paragraph.",
        byline=token(state, "byline"),
        outlet=outlet,
        source_url=f"https://hidden-outlet.example/{state}",
        original_published_on=timezone.now().date(),
    )
    ArticleImage.objects.create(
        article=story,
        caption_hi=f"{token(state, 'caption')} मेला",
        caption_en=f"{token(state, 'caption')} the fair",
        alt_text_en=token(state, "alt"),
        credit=token(state, "credit"),
    )
    return story


@pytest.fixture
def canaries(published_seeds) -> Canaries:
    """The seeds and fillers, published; then the four hidden stories, their tag and their outlet. The fillers are
    older than the hidden stories: a hidden story that got into a list would be on its first page."""
    ocop, bac_ninh = Topic.objects.get(slug="ocop"), Tag.objects.get(slug="bac-ninh")
    for number in range(FILLERS):
        make_story(
            f"Filler {number} OCOP fair",
            "en",
            published_at=timedelta(days=-2, hours=-number),
            topics=[ocop],
            tags=[bac_ninh],
        )
    tag = Tag.objects.create(
        slug=HIDDEN_TAG,
        kind=Tag.Kind.PLACE,
        name_vi=token("tag", "tagname"),
        name_en=token("tag", "tagname"),
        name_hi=token("tag", "tagname"),
    )
    TagAlias.objects.create(tag=tag, name=token("tag", "tagalias"))
    # A number no other outlet or page has, so that answers can be compared apart from it (MISSING_OUTLET).
    outlet = Outlet.objects.create(pk=HIDDEN_OUTLET, name="Hidden outlet", domain="hidden-outlet.example")
    stories = {state: hide(state, status, offset, tag, outlet) for state, (status, offset) in HIDDEN.items()}
    return Canaries(stories, tag, outlet)


def story_tokens(canaries: Canaries) -> list[str]:
    """The tokens of the hidden stories' own text, and of their tag's alias."""
    return [*canaries.tokens(*STORY_FIELDS), token("tag", "tagalias")]


# The URLs ---------------------------------------------------------------------------------------------------------


def filter_values(language: str) -> dict[str, list[str]]:
    """Every value the filter form offers that selects some story, by field: topics, places, tags, outlets,
    languages, the checkbox, and dates on both sides of the hidden stories' (yesterday, and tomorrow for the
    scheduled one). The tag that only hidden stories carry is left to test_listings_do_not_offer_a_hidden_only_tag."""
    form = ArticleFilter({}, queryset=Article.objects.none(), language=language).form
    linked = set(Tag.objects.filter(articles__isnull=False).exclude(slug=HIDDEN_TAG).values_list("slug", flat=True))
    values = {
        name: [
            str(value)
            for value, _label in form.fields[name].choices
            if value and (value in linked or name not in ("place", "tag"))
        ]
        for name in ("topic", "place", "tag", "outlet", "language")
    }
    today = timezone.localdate()
    dates = [str(today + timedelta(days=days)) for days in (-2, -1, 0, 1, 2)]
    return {**values, "translated": ["on"], "published_after": dates, "published_before": dates}


def listing_urls(base: str, values: dict[str, list[str]]) -> list[str]:
    """``base``, its second page, and ``base`` with each of ``values`` (filter name -> values)."""
    return [
        base,
        f"{base}?page=2",
        *(f"{base}?{urlencode({name: value})}" for name, options in values.items() for value in options),
    ]


def combinations(base: str, **fixed: str) -> list[str]:
    """``base`` with every combination of the filters that can select a hidden story: a topic it is in (two: each
    hidden story is in every topic), its place, its language, the checkbox, and a date window around it (or none of
    each); ``fixed`` parameters in each. (Its outlet, alone, is one of ``filter_values``.)"""
    today = timezone.localdate()
    axes = [
        [{}, {"topic": "ocop"}, {"topic": "cross-border-cooperation"}],
        [{}, {"place": "bac-ninh"}],
        [{}, {"language": "hi"}],
        [{}, {"translated": "on"}],
        [{}, {"published_after": str(today - timedelta(days=1)), "published_before": str(today + timedelta(days=1))}],
    ]
    queries = ({key: value for part in parts for key, value in part.items()} for parts in itertools.product(*axes))
    return [f"{base}?{urlencode({**fixed, **query})}" for query in queries if query]


def walk_urls(client: Client, canaries: Canaries) -> list[str]:
    """Every public URL (``public_urls``: the sitemaps' pages, every language's listings, feeds, sitemaps, the API);
    the search page and the API through every value of every filter and every combination that can select a hidden
    story; the topic and tag pages through the filters that can; second pages; a search for every canary; every
    topic's feeds."""
    # Tag and topic pages in the languages the hidden stories are written in and in the desk's own, where they would
    # be shown in their original (the other languages differ from it only in the interface's words); the rest of
    # every public URL as public_urls lists it.
    urls = [
        url
        for url in public_urls(client)
        if not url.startswith(
            tuple(f"/{code}/{kind}/" for code in ("fr", "ko", "ru", "lo", "zh-hans") for kind in ("tags", "topics"))
        )
    ]
    everything = filter_values("en")
    today = timezone.localdate()
    relevant = {
        "place": ["bac-ninh"],
        "language": ["hi"],
        "translated": ["on"],
        "published_after": [str(today - timedelta(days=1))],
        "published_before": [str(today + timedelta(days=1))],
    }
    searched = story_tokens(canaries)  # the hidden-only tag's name: test_listings_do_not_offer_a_hidden_only_tag
    for language in ("en", "hi"):
        with translation.override(language):
            search = reverse("newsroom:search")
            topic = reverse("newsroom:topic-detail", args=["ocop"])
            tag = reverse("newsroom:tag-detail", args=["bac-ninh"])
        urls += listing_urls(search, everything if language == "en" else relevant)
        urls += listing_urls(topic, relevant) + listing_urls(tag, {**relevant, "place": []})
        # Every canary from the English page and the API; the headlines and leads (in Hindi) from the Hindi page.
        urls += [
            f"{search}?{urlencode({'q': word})}"
            for word in searched
            if language == "en" or "head" in word or "lead" in word
        ]
        urls += [f"{search}?{urlencode({'q': f'fair {word}', 'topic': 'ocop'})}" for word in searched[:1]]
    urls += combinations("/en/search/")
    urls += listing_urls("/api/articles/", {**relevant, "topic": everything["topic"], "translated": []})
    urls += combinations("/api/articles/", lang="hi")
    urls += [f"/api/articles/?{urlencode({'q': word})}" for word in searched]
    urls += [f"/api/articles/?lang={language}&page_size=100" for language in content_languages()]
    urls += ["/api/articles/?page=2&page_size=10"]
    for slug in Topic.objects.values_list("slug", flat=True):
        urls += [reverse(f"topic-all-{kind}", args=[slug]) for kind in ("rss", "atom")]
        with translation.override("hi"):
            urls += [reverse(f"newsroom:topic-{kind}", args=[slug]) for kind in ("rss", "atom")]
    return list(dict.fromkeys(urls))


def hidden_story_urls(story: Article) -> list[str]:
    """The URLs a hidden story could have: its page in every language with the slug it would have there; in English
    and Hindi also with no slug, an old or a mangled slug, the trailing slash missing; the API's detail, alone and
    in the languages it has."""
    urls = [story.get_absolute_url(language) for language in content_languages()]
    for language in ("en", "hi"):
        right = story.get_absolute_url(language)
        base = right.rsplit("/", 2)[0]
        urls += [f"{base}/", f"{base}/old-headline/", f"{base}/{quote('बाक-निन्ह')}/", right.rstrip("/")]
    return [
        *urls,
        f"/api/articles/{story.pk}/",
        *(f"/api/articles/{story.pk}/?lang={code}" for code in ("hi", "en", "ja")),
    ]


# The walk ---------------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    surfaces: int = 0
    leaks: list[str] = field(default_factory=list)

    def fetch(self, client: Client, url: str, tokens: list[str]):
        """Fetch ``url`` and note any of ``tokens`` in the answer. A search echoes its own words: a search for a
        canary is compared with the same search for a word of the same length that nothing contains instead."""
        response = client.get(url)
        self.surfaces += 1
        content = response.content.decode()
        if response.status_code not in (200, 301, 404):
            self.leaks.append(f"{url}: status {response.status_code}")
        searched = [word for word in tokens if word in unquote_plus(url)]
        if searched:
            stand_in = client.get(url.replace(*swap(searched[0])))
            if content.replace(*swap(searched[0])) != stand_in.content.decode():
                self.leaks.append(f"{url}: answers unlike a search for nothing")
            return response
        found = sorted(set(re.findall(rf"{CANARY}\w*", content)) & set(tokens))
        if found:
            self.leaks.append(f"{url}: {', '.join(found)}")
        return response


def swap(word: str) -> tuple[str, str]:
    """A canary and its stand-in: a word of the same length that nothing contains."""
    return word, "z" * len(word)


def missing_twin(url: str, story: Article) -> str:
    return url.replace(f"/{story.pk}/", f"/{NEVER_USED}/").replace(f"/{story.pk}", f"/{NEVER_USED}")


def same_answer(hidden, missing, hidden_path: str, missing_path: str) -> bool:
    """Whether two answers are the same to a reader: status, type, caching, and body apart from the path."""
    headers = ("Content-Type", "Cache-Control", "Vary", "Content-Language", "Location")

    def seen(response, path: str) -> tuple:
        return (
            response.status_code,
            *(response.get(name, "").replace(path, "") for name in headers),
            response.content.decode().replace(path, ""),
        )

    return seen(hidden, hidden_path) == seen(missing, missing_path)


def compare_with_missing(client: Client, canaries: Canaries, walk: Walk) -> list[str]:
    """Each hidden story's URLs next to the same URLs of an id never used; the differences."""
    differences = []
    for story in canaries.stories.values():
        for url in hidden_story_urls(story):
            twin = missing_twin(url, story)
            hidden = walk.fetch(client, url, story_tokens(canaries))
            missing = client.get(twin)
            if not same_answer(hidden, missing, url.split("?")[0], twin.split("?")[0]):
                differences.append(f"{url} ({hidden.status_code}) differs from {twin} ({missing.status_code})")
    return differences


@pytest.mark.parametrize("cached", [True, False], ids=["page-cache-on", "page-cache-off"])
def test_no_hidden_story_reaches_any_public_url(client, settings, canaries, cached):
    """An anonymous reader walks every public URL (listings through every filter and combination the form offers,
    second pages, searches for each canary, tag pages, the tag list, feeds, sitemaps, the API's lists, filters,
    searches and details), with the page cache on (each URL twice: the second answer comes from the cache) and
    off: no canary of a hidden story's text appears anywhere, a search for one reads exactly like a search for
    nothing, and each hidden story's URLs (every language, any slug, the API) answer exactly like an id that was
    never used."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600 if cached else 0
    walk = Walk()
    urls = walk_urls(client, canaries)
    tokens = story_tokens(canaries)
    not_stored = []
    for url in urls:
        first = walk.fetch(client, url, tokens)
        if cached:  # again, from the cache
            again = walk.fetch(client, url, tokens)
            if first.status_code == 200 and again["X-Cache"] != "hit":
                not_stored.append(url)
    assert not_stored == []
    differences = compare_with_missing(client, canaries, walk)
    print(
        f"\n{walk.surfaces} public surfaces ({len(urls)} URLs, page cache {'on' if cached else 'off'}), "
        f"{len(canaries.stories)} hidden stories with {len(tokens)} canaries, {len(walk.leaks)} leaks, "
        f"{len(differences)} hidden URLs that answer unlike missing ones"
    )
    assert walk.leaks == []
    assert differences == []


def save_in_code(client: Client, story: Article) -> None:
    """Archived by a script (a shell, a command): ``Article.save`` with no admin around it."""
    story = Article.objects.get(pk=story.pk)
    story.status = Article.Status.ARCHIVED
    story.save()


UNPUBLISH = {
    "admin action: unpublish": lambda client, story: changelist_action(client, "unpublish", [story]),
    "change form: in review": lambda client, story: admin_save(client, change_url(story), status="in_review"),
    "change form: scheduled for tomorrow": lambda client, story: admin_save(
        client,
        change_url(story),
        published_at_0=str(timezone.localdate() + timedelta(days=1)),
        published_at_1="08:00:00",
    ),
    "saved in code": save_in_code,
}


def urls_showing(story: Article) -> list[str]:
    """The public URLs that show a published ``story``: its pages and API answers, searches for its canaries, and
    the lists it is on."""
    urls = [story.get_absolute_url(language) for language in story.languages()]
    urls += [
        f"/api/articles/{story.pk}/",
        *(f"/api/articles/{story.pk}/?lang={language}" for language in story.languages()),
    ]
    for language in ("en", "hi", "ja"):
        with translation.override(language):
            urls += [
                reverse("newsroom:home"),
                reverse("newsroom:tag-list"),
                reverse("newsroom:topic-detail", args=["ocop"]),
                reverse("newsroom:tag-detail", args=["bac-ninh"]),
                reverse("newsroom:feed-rss"),
                reverse("newsroom:feed-atom"),
                f"{reverse('newsroom:search')}?{urlencode({'q': token('draft', 'lead')})}",
            ]
    urls += ["/feeds/rss/", "/feeds/atom/", "/sitemap-stories.xml", "/sitemap-news.xml", "/api/articles/"]
    return [*urls, f"/api/articles/?{urlencode({'q': token('draft', 'body')})}"]


@pytest.mark.parametrize("how", UNPUBLISH)
def test_an_unpublished_story_leaves_the_page_cache(client, editor, canaries, how):
    """A story read while published is stored with every page that shows it; once it is unpublished (the bulk
    action, the change form's status or date, a save in code: archiving shares the action's path, a draft the
    form's), every one of those pages, fetched again, no longer has it, and its URLs answer like missing
    ones: no page cached while it was public is served after."""
    story = canaries.stories["draft"]
    story.status, story.published_at = Article.Status.PUBLISHED, timezone.now() - timedelta(hours=1)
    story.save()
    urls = urls_showing(story)
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert response.status_code == 200 and response["X-Cache"] == "hit", url
        # The story itself is on each page (its headline; on the tag list, its tag, which is public now).
        shown = token("tag", "tagname") if url.endswith("/tags/") else token("draft", "headline")
        assert shown in response.content.decode(), url
    desk = Client()
    desk.force_login(editor)
    UNPUBLISH[how](desk, story)
    assert not Article.objects.published().filter(pk=story.pk).exists()
    walk = Walk()
    for url in urls:
        walk.fetch(client, url, story_tokens(canaries))
    differences = compare_with_missing(client, Canaries({"draft": story}, canaries.tag, canaries.outlet), walk)
    print(f"\n{how}: {len(urls)} pages cached while it was public, fetched again: {len(walk.leaks)} leaks")
    assert walk.leaks == [], "\n".join(walk.leaks)
    assert differences == []


def test_no_list_without_a_filter_form_names_a_tag_that_only_hidden_stories_carry(client, canaries):
    """The tag list in every language, the sitemaps and the API's tag list (any kind) leave out the tag that only
    hidden stories carry, names and alias: they are the hidden stories' own words (an editor makes such a tag for
    an embargoed story). The API still lists every other tag of the registry, used or not."""
    urls = ["/sitemap.xml", "/sitemap-tags.xml", "/api/tags/", "/api/tags/?kind=place"]
    for language in content_languages():
        with translation.override(language):
            urls.append(reverse("newsroom:tag-list"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.content.decode(), url
    assert len(client.get("/api/tags/").json()["results"]) == Tag.objects.exclude(slug=HIDDEN_TAG).count()


def test_listings_do_not_offer_a_hidden_only_tag_or_outlet(client, canaries):
    """The filter form of every listing (home excepted: it has none) and of the API does not offer or accept the tag
    that only hidden stories carry, nor the outlet they alone come from: their names are nowhere, filtering by them
    reads like filtering by a tag or an outlet that never existed, and searching for the tag's name like searching
    for nothing. The API's outlet list leaves the outlet out."""
    tag_name = token("tag", "tagname")
    outlet, missing_outlet = str(HIDDEN_OUTLET), str(MISSING_OUTLET)
    for language in ("en", "hi"):
        with translation.override(language):
            pages = [
                reverse("newsroom:search"),
                reverse("newsroom:topic-detail", args=["ocop"]),
                reverse("newsroom:tag-detail", args=["bac-ninh"]),
            ]
        for page in pages:
            content = client.get(page).content.decode()
            assert tag_name not in content, page
            assert canaries.outlet.name not in content, page
            for name, hidden_value, missing_value in (
                ("place", HIDDEN_TAG, MISSING_TAG),
                ("outlet", outlet, missing_outlet),
            ):
                hidden = client.get(f"{page}?{name}={hidden_value}")
                missing = client.get(f"{page}?{name}={missing_value}")
                assert same_answer(hidden, missing, hidden_value, missing_value), (page, name)
    tag_search, stand_in = (client.get(f"/en/search/?q={word}") for word in swap(tag_name))
    assert tag_search.content.decode().replace(*swap(tag_name)) == stand_in.content.decode()
    for name, hidden_value, missing_value in (("place", HIDDEN_TAG, MISSING_TAG), ("outlet", outlet, missing_outlet)):
        hidden = client.get(f"/api/articles/?{name}={hidden_value}")
        missing = client.get(f"/api/articles/?{name}={missing_value}")
        assert (hidden.status_code, hidden.content.decode().replace(hidden_value, missing_value)) == (
            missing.status_code,
            missing.content.decode(),
        )
    assert canaries.outlet.name not in client.get("/api/outlets/").content.decode()


def test_a_hidden_only_tags_page_answers_like_a_missing_one(client, canaries):
    """The page of the tag only hidden stories carry is the same 404 as the page of a tag that never existed, in
    every language."""
    for language in content_languages():
        with translation.override(language):
            hidden_url = reverse("newsroom:tag-detail", args=[HIDDEN_TAG])
            missing_url = reverse("newsroom:tag-detail", args=[MISSING_TAG])
        hidden, missing = client.get(hidden_url), client.get(missing_url)
        assert same_answer(hidden, missing, hidden_url, missing_url), hidden_url
        assert CANARY not in hidden.content.decode()
