"""The page cache (newsroom/cache.py): anonymous public pages come from the cache without a query, every change
that can alter a public page is visible on the very next request, nothing unpublished is served, editors'
pages are their own, and conditional GET answers 304 from cached and uncached pages alike.

Every test runs twice: on this process's memory (the generation in a file) and on the machine's Redis
(a dedicated database, a key prefix per test, removed afterwards). Under CI=true Redis must be reachable."""

import ast
import logging
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom import cache, revisions
from newsroom.models import Article, ArticleImage, PendingInvalidation, Tag, TagAlias, Topic
from tests.conftest import make_story, seed_path
from tests.test_admin_workflow import form_data
from tests.test_deploy import free_port, production_env, run

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("NEWSROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HEADLINE = "Zebra crossing opens in Bac Ninh"


def redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is not reachable: {error}"
    return None


def require_redis() -> None:
    """Skip the test when the machine's Redis does not answer; under CI, fail it."""
    if problem := redis_problem():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(problem)
        pytest.skip(problem)


def delete_keys(prefix: str) -> None:
    """Delete the keys a test stored in the machine's Redis under ``prefix``."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def redis_cache(location: str, prefix: str = "newsroom") -> dict:
    """``CACHES`` for a Redis at ``location``, with the site's timeouts (config/settings.py)."""
    return {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings, tmp_path):
    """The page cache on for this test, in local memory or in Redis; empty at the start."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    if request.param == "locmem":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
        }
        settings.NEWSROOM_PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")
        yield request.param
        return
    require_redis()
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    settings.CACHES = redis_cache(REDIS_URL, prefix)
    yield request.param
    delete_keys(prefix)


@pytest.fixture
def ocop(db) -> Topic:
    return Topic.objects.get(slug="ocop")


@pytest.fixture
def bac_ninh(db) -> Tag:
    return Tag.objects.get(slug="bac-ninh")


@pytest.fixture
def zebra(ocop, bac_ninh) -> Article:
    """A published English story in the OCOP topic, tagged Bac Ninh."""
    return make_story(HEADLINE, "en", lead="Lead about zebras", topics=[ocop], tags=[bac_ninh])


# The pages that list every English story of the OCOP topic tagged Bac Ninh: listings, feeds, sitemap, API.
LISTINGS = [
    "/en/",
    "/en/topics/ocop/",
    "/en/tags/bac-ninh/",
    "/en/rss/",
    "/feeds/atom/",
    "/sitemap-news.xml",
    "/api/articles/",
]


def pages(article: Article) -> list[str]:
    """The public pages that show ``article`` (English reader, feeds, sitemaps, search, API), its own last."""
    return [*LISTINGS, "/en/search/?q=zebra", f"/api/articles/{article.pk}/", article.get_absolute_url("en")]


def fetch(client: Client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304, 404), (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


def warm(client: Client, urls: list[str]) -> None:
    """Fetch every URL until it comes from the cache."""
    for url in urls:
        fetch(client, url)
        response = fetch(client, url)
        assert response.status_code == 200 and response["X-Cache"] == "hit", url


def assert_everywhere(client: Client, urls: list[str], present: str = "", absent: str = "") -> None:
    for url in urls:
        response = fetch(client, url)
        if response.status_code == 404:
            assert not present, f"{url} is a 404, yet should show {present!r}"
            continue
        body = text(response)
        assert response["X-Cache"] == "miss", url
        if present:
            assert present in body, (url, present)
        if absent:
            assert absent not in body, (url, absent)


def admin_save(client: Client, url: str, **changes) -> None:
    """Post an admin change form back as a browser would, with ``changes``."""
    data = {key: _unlisted(value) for key, value in form_data(client.get(url)).items()}
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors


def _unlisted(value):
    """``form_data`` writes a single-choice select's value as ``str(["2"])``: the value itself."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        items = ast.literal_eval(value)
        return str(items[0]) if items else ""
    return value


def article_admin(article: Article) -> str:
    return reverse("admin:newsroom_article_change", args=[article.pk])


def changelist_action(client: Client, action: str, articles: list[Article], **extra) -> None:
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    assert client.post(reverse("admin:newsroom_article_changelist"), data).status_code == 302


# Hits --------------------------------------------------------------------------------------------------------


def test_a_second_anonymous_request_is_a_hit_without_any_query(backend, client, zebra, django_assert_num_queries):
    """Every kind of public page is stored on the first anonymous request and served from the cache on the next,
    with no SQL query, the same body and the same ETag."""
    urls = [
        *pages(zebra),
        "/en/tags/",
        "/en/topics/ocop/atom/",
        "/feeds/topics/ocop/rss/",
        "/sitemap.xml",
        "/sitemap-stories.xml",
        "/robots.txt",
        "/api/",
        "/api/topics/",
        "/api/tags/",
        "/api/outlets/",
        "/api/openapi.json",
    ]
    for url in urls:
        first = fetch(client, url)
        assert (first.status_code, first["X-Cache"]) == (200, "miss"), url
        with django_assert_num_queries(0):
            second = fetch(client, url)
        assert (second.status_code, second["X-Cache"]) == (200, "hit"), url
        assert second.content == first.content and second["ETag"] == first["ETag"], url
        assert second["Content-Type"] == first["Content-Type"], url
        assert second["Cache-Control"] == "max-age=0, must-revalidate", url
    assert HEADLINE in text(fetch(client, "/en/"))


@pytest.mark.parametrize("backend", ["redis"], indirect=True)  # in memory the generation is in a file
def test_a_hit_reads_the_generation_and_the_page_in_one_round_trip(backend, client, zebra):
    """A hit asks Redis once, for the generation and the page together; after a change the page is built anew
    and replaces the stale one under the same key."""
    warm(client, ["/en/"])
    shared = cache._cache()
    with (
        mock.patch.object(shared, "get_many", wraps=shared.get_many) as together,
        mock.patch.object(shared, "get", wraps=shared.get) as alone,
    ):
        assert fetch(client, "/en/")["X-Cache"] == "hit"
    assert together.call_count == 1 and alone.call_count == 0
    stored = redis.Redis.from_url(REDIS_URL).keys(f"{shared.key_prefix}:*:newsroom:pages:page:*")
    assert len(stored) == 1
    cache.invalidate()
    assert fetch(client, "/en/")["X-Cache"] == "miss"
    assert fetch(client, "/en/")["X-Cache"] == "hit"
    assert redis.Redis.from_url(REDIS_URL).keys(f"{shared.key_prefix}:*:newsroom:pages:page:*") == stored


def test_query_strings_are_separate_entries(backend, client, zebra, ocop):
    """A page with another query string is another entry: each answer is its own, and each is cached."""
    make_story("Second zebra", "en", topics=[ocop])
    one, two = fetch(client, "/api/articles/?page_size=1"), fetch(client, "/api/articles/?page_size=2")
    assert (one["X-Cache"], two["X-Cache"]) == ("miss", "miss")
    assert (len(one.json()["results"]), len(two.json()["results"])) == (1, 2)
    again_one, again_two = fetch(client, "/api/articles/?page_size=1"), fetch(client, "/api/articles/?page_size=2")
    assert (again_one["X-Cache"], again_two["X-Cache"]) == ("hit", "hit")
    assert (len(again_one.json()["results"]), len(again_two.json()["results"])) == (1, 2)


def test_tracking_parameters_share_the_page_s_entry(backend, client, zebra):
    """A link with campaign or click parameters (each Facebook click has its own ``fbclid``) is served the entry of
    the page without them, body and ETag alike; any other parameter is another page."""
    story = zebra.get_absolute_url("en")
    tracked = {
        "/en/": "/en/?utm_source=newsletter&utm_medium=email&utm_campaign=december",
        story: f"{story}?fbclid=IwAR2F4kp0QhP",
        "/en/search/?q=zebra": "/en/search/?gclid=Cj0KCQiA&q=zebra&_gl=1*abc*_ga*MTA",
        "/api/articles/?page_size=1": "/api/articles/?utm_source=partner&page_size=1",
    }
    warm(client, list(tracked))
    for plain, url in tracked.items():
        response, original = fetch(client, url), fetch(client, plain)
        assert response["X-Cache"] == "hit", url
        assert response.content == original.content and response["ETag"] == original["ETag"], url
    for url in ["/en/?ref=newsletter", "/en/?utm=newsletter", f"{story}?source_utm_=x", "/en/?UTM_SOURCE=x"]:
        assert fetch(client, url)["X-Cache"] == "miss", url


def test_head_is_served_from_the_get_entry(backend, client, zebra):
    """HEAD of a cached page comes from the GET entry (same headers, no body); a HEAD miss stores nothing."""
    head = client.head("/en/")
    assert (head.status_code, head["X-Cache"], head.content) == (200, "miss", b"")
    assert fetch(client, "/en/")["X-Cache"] == "miss"
    get = fetch(client, "/en/")
    head = client.head("/en/")
    assert (head.status_code, head["X-Cache"], head.content) == (200, "hit", b"")
    assert head["ETag"] == get["ETag"] and head["Content-Type"] == get["Content-Type"]


def test_the_language_chosen_for_unprefixed_urls_is_part_of_the_key(backend, client, zebra):
    """An unprefixed URL (the API, feeds, sitemaps) is answered in the language Accept-Language asks for (it says
    Vary: Accept-Language): each language is its own entry."""
    first = fetch(client, "/api/", **{"accept-language": "vi"})
    assert first["X-Cache"] == "miss" and "Accept-Language" in first["Vary"]
    assert fetch(client, "/api/", **{"accept-language": "vi"})["X-Cache"] == "hit"
    assert fetch(client, "/api/", **{"accept-language": "ja"})["X-Cache"] == "miss"
    assert fetch(client, "/api/", **{"accept-language": "ja"})["X-Cache"] == "hit"


def test_the_cache_can_be_turned_off(backend, settings, client, zebra):
    """NEWSROOM_PAGE_CACHE_SECONDS=0: every request builds its page."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = fetch(client, "/en/")
        assert "X-Cache" not in response and HEADLINE in text(response) and len(queries) > 0
        assert response["Cache-Control"] == "max-age=0, must-revalidate"


# What is never cached ---------------------------------------------------------------------------------------


def test_the_admin_is_never_cached(backend, client, editor_client):
    """Nothing under /admin/ goes through the page cache, logged in or not."""
    for c in (client, editor_client):
        for _ in range(2):
            response = c.get("/admin/login/" if c is client else "/admin/")
            assert response.status_code == 200 and "X-Cache" not in response
            assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_an_editor_never_gets_a_cached_page_and_never_fills_the_cache(backend, client, editor_client, zebra):
    """A logged-in editor's request neither reads nor writes the cache (their answer is private); the page an
    editor fetched is never served to an anonymous reader."""
    url = zebra.get_absolute_url("en")
    response = editor_client.get(url)
    assert response.status_code == 200 and "X-Cache" not in response
    assert "private" in response["Cache-Control"]
    # A change that bypasses the signals: only a page built after it can show it.
    Article.objects.filter(pk=zebra.pk).update(lead_en="A lead changed behind the cache's back")
    anonymous = fetch(client, url)
    assert anonymous["X-Cache"] == "miss" and "behind the cache" in text(anonymous)
    assert fetch(client, url)["X-Cache"] == "hit"
    Article.objects.filter(pk=zebra.pk).update(lead_en="A second silent change")
    assert "behind the cache" in text(fetch(client, url))  # the anonymous reader's cached page
    mine = editor_client.get(url)
    assert "X-Cache" not in mine and "A second silent change" in text(mine)


def test_an_authorization_header_bypasses_the_cache(backend, client, zebra):
    fetch(client, "/api/articles/")
    response = client.get("/api/articles/", headers={"authorization": "Bearer something"})
    assert "X-Cache" not in response and "private" in response["Cache-Control"]


def test_only_plain_public_200_answers_are_stored(backend, rf: RequestFactory):
    """An answer that sets a cookie, is private or no-store, streams, is not a 200 or varies on a header the key
    does not cover is never stored: the view runs again."""
    candidates = {
        "cookie": lambda: _with_cookie(HttpResponse("x")),
        "private": lambda: _with_header(HttpResponse("x"), "Cache-Control", "private"),
        "no-store": lambda: _with_header(HttpResponse("x"), "Cache-Control", "no-store"),
        "vary": lambda: _with_header(HttpResponse("x"), "Vary", "User-Agent"),
        "404": lambda: HttpResponse("x", status=404),
    }
    for name, make in candidates.items():
        calls = []

        def view(request, make=make, calls=calls):
            calls.append(request)
            return make()

        middleware = cache.PageCacheMiddleware(view)
        for _ in range(2):
            middleware(rf.get("/robots.txt"))
        assert len(calls) == 2, name
    calls = []
    middleware = cache.PageCacheMiddleware(lambda request: calls.append(request) or HttpResponse("plain"))
    assert [middleware(rf.get("/robots.txt"))["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    assert len(calls) == 1


def _with_cookie(response: HttpResponse) -> HttpResponse:
    response.set_cookie("hello", "there")
    return response


def _with_header(response: HttpResponse, name: str, value: str) -> HttpResponse:
    response[name] = value
    return response


def test_non_public_paths_and_unsafe_methods_bypass_the_cache(backend, client, zebra):
    """Only whitelisted public views are cached; a POST neither reads nor writes the cache."""
    assert "X-Cache" not in client.get("/no-such-page/")
    for _ in range(2):  # a 404 of a public view is never stored
        response = client.get("/en/stories/999999/whatever/")
        assert (response.status_code, response["X-Cache"]) == (404, "miss")
    fetch(client, "/api/articles/")
    response = client.post("/api/articles/")
    assert response.status_code == 405 and "X-Cache" not in response


# Conditional GET --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/en/", "/en/rss/", "/feeds/atom/", "/sitemap.xml", "/api/articles/"])
def test_if_none_match_answers_304_on_a_miss_and_on_a_hit(backend, client, zebra, url, django_assert_num_queries):
    """The ETag of a page is its content's: a request carrying it gets 304, whether the page is built (queries) or
    comes from the cache (none)."""
    first = fetch(client, url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["X-Cache"] == "miss"
    cache.invalidate()
    with CaptureQueriesContext(connection) as queries:
        miss = fetch(client, url, **{"if-none-match": etag})
    assert (miss.status_code, miss["ETag"], miss.content) == (304, etag, b"") and len(queries) > 0
    with django_assert_num_queries(0):
        hit = fetch(client, url, **{"if-none-match": etag})
    assert (hit.status_code, hit["ETag"], hit.content) == (304, etag, b"")
    assert hit["Cache-Control"] == "max-age=0, must-revalidate"
    other = fetch(client, url, **{"if-none-match": '"something-else"'})
    assert (other.status_code, other["X-Cache"], other.content) == (200, "hit", first.content)


def test_feeds_answer_if_modified_since(backend, client, zebra):
    """Feeds carry Last-Modified (their newest story); a reader that has it gets 304, cached or not."""
    first = fetch(client, "/en/rss/")
    last_modified = first["Last-Modified"]
    assert fetch(client, "/en/rss/", **{"if-modified-since": last_modified}).status_code == 304
    cache.invalidate()
    assert fetch(client, "/en/rss/", **{"if-modified-since": last_modified}).status_code == 304


def test_an_edit_changes_the_etag(backend, client, editor_client, zebra):
    """After a change the ETag a reader holds no longer matches: the new page is sent."""
    etag = fetch(client, "/en/")["ETag"]
    admin_save(editor_client, article_admin(zebra), title_en="Zebra crossing closes")
    response = fetch(client, "/en/", **{"if-none-match": etag})
    assert response.status_code == 200 and "Zebra crossing closes" in text(response)


# Invalidation: every change is visible on the next request ---------------------------------------------------


def test_publishing_shows_the_story_everywhere_at_once(backend, client, editor_client, zebra, ocop, bac_ninh):
    """Publishing in the admin (the bulk action): the story is on every listing, feed, sitemap, search and API
    answer on the next request, and its own pages exist."""
    draft = make_story("Quokka draft goes live", "en", status="draft", topics=[ocop], tags=[bac_ninh])
    own = [draft.get_absolute_url("en"), f"/api/articles/{draft.pk}/"]
    urls = [*LISTINGS, "/en/search/?q=quokka"]
    warm(client, urls)
    for url in urls:
        assert "Quokka draft" not in text(fetch(client, url)), url
    for url in own:
        assert fetch(client, url).status_code == 404
    changelist_action(editor_client, "publish_now", [draft])
    assert_everywhere(client, [*urls, *own], "Quokka draft goes live")


def test_unpublishing_removes_the_story_everywhere_at_once(backend, client, editor_client, zebra):
    """Cache every page that shows a story, unpublish it in the admin: no page, feed, sitemap or API answer
    serves it again, and its own URLs are 404s."""
    urls = pages(zebra)
    warm(client, urls)
    changelist_action(editor_client, "unpublish", [zebra])
    assert_everywhere(client, urls, absent="Zebra crossing")
    assert fetch(client, zebra.get_absolute_url("en")).status_code == 404
    assert fetch(client, f"/api/articles/{zebra.pk}/").status_code == 404


def test_archiving_removes_the_story(backend, client, editor_client, zebra):
    warm(client, ["/en/", "/api/articles/"])
    changelist_action(editor_client, "archive", [zebra])
    assert_everywhere(client, ["/en/", "/api/articles/"], absent="Zebra crossing")


def test_a_draft_is_never_served_from_the_cache(backend, client, editor_client, zebra, ocop, bac_ninh):
    """Walk: every public page of a story in every language cached, the story unpublished, every page again:
    its headline is nowhere."""
    from newsroom.languages import content_languages

    urls = ["/sitemap.xml", "/sitemap-stories.xml", "/sitemap-news.xml", "/feeds/rss/", "/api/articles/"]
    for language in content_languages():
        prefix = f"/{language}"
        urls += [
            f"{prefix}/",
            f"{prefix}/rss/",
            f"{prefix}/topics/ocop/",
            f"{prefix}/tags/bac-ninh/",
            f"{prefix}/tags/",
        ]
    warm(client, urls)
    assert HEADLINE in text(fetch(client, "/vi/topics/ocop/"))  # shown in its original language
    changelist_action(editor_client, "unpublish", [zebra])
    for url in urls:
        response = fetch(client, url)
        assert response["X-Cache"] == "miss", url
        assert HEADLINE not in text(response) and f"/stories/{zebra.pk}/" not in text(response), url


def test_editing_the_headline_in_the_admin(backend, client, editor_client, zebra):
    urls = pages(zebra)
    warm(client, urls)
    admin_save(editor_client, article_admin(zebra), title_en="Zebra crossing renamed")
    zebra.refresh_from_db()
    assert_everywhere(client, [*urls[:-1], zebra.get_absolute_url("en")], "Zebra crossing renamed", HEADLINE)


def test_adding_a_translation(backend, client, editor_client, zebra):
    """A Vietnamese version added in the admin: the Vietnamese pages, feed and API show it at once, and the
    story's Vietnamese URL (slugged from the English headline until now) redirects to its new slug."""
    old_url = zebra.get_absolute_url("vi")
    urls = ["/vi/", "/vi/rss/", f"/api/articles/{zebra.pk}/"]
    warm(client, [*urls, old_url])
    assert HEADLINE in text(fetch(client, old_url))
    admin_save(editor_client, article_admin(zebra), title_vi="Lối qua đường ngựa vằn", lead_vi="Tóm tắt")
    zebra.refresh_from_db()
    assert_everywhere(client, [*urls, zebra.get_absolute_url("vi")], "Lối qua đường ngựa vằn")
    assert client.get(old_url).status_code == 301


def test_renaming_a_tag(backend, client, editor_client, zebra, bac_ninh):
    urls = ["/en/tags/", "/en/tags/bac-ninh/", zebra.get_absolute_url("en"), "/api/tags/"]
    warm(client, urls)
    admin_save(editor_client, reverse("admin:newsroom_tag_change", args=[bac_ninh.pk]), name_en="Bac Ninh Province X")
    assert_everywhere(client, urls, "Bac Ninh Province X")


def test_adding_an_alias(backend, client, editor_client, bac_ninh):
    warm(client, ["/api/tags/"])
    url = reverse("admin:newsroom_tag_change", args=[bac_ninh.pk])
    data = {key: _unlisted(value) for key, value in form_data(editor_client.get(url)).items()}
    total = int(data["aliases-TOTAL_FORMS"])
    data |= {
        "aliases-TOTAL_FORMS": total + 1,
        f"aliases-{total}-tag": bac_ninh.pk,
        f"aliases-{total}-name": "Kinh Bac Zebra",
    }
    assert editor_client.post(url, data).status_code == 302
    assert TagAlias.objects.filter(name="Kinh Bac Zebra").exists()
    assert_everywhere(client, ["/api/tags/"], "Kinh Bac Zebra")


def test_adding_and_removing_a_tag_on_a_story(backend, client, editor_client, zebra):
    """The listing's bulk tag actions (the links, then the stories' versions touched in one UPDATE): the tag's
    page, the tag list, the story's page and the API's tag filter follow at once, both ways."""
    laos = Tag.objects.get(slug="laos")
    story_url = zebra.get_absolute_url("en")
    urls = ["/en/tags/laos/", "/en/tags/", story_url, "/api/articles/?place=laos"]

    def shown() -> list[bool]:
        return [
            HEADLINE in text(fetch(client, "/en/tags/laos/")),
            "/en/tags/laos/" in text(fetch(client, "/en/tags/")),
            "/en/tags/laos/" in text(fetch(client, story_url)),
            fetch(client, "/api/articles/?place=laos").json()["count"] == 1,
        ]

    warm(client, urls)
    assert shown() == [False] * 4
    changelist_action(editor_client, "add_tag", [zebra], apply="yes", tag=laos.pk)
    assert shown() == [True] * 4
    warm(client, urls)
    changelist_action(editor_client, "remove_tag", [zebra], apply="yes", tag=laos.pk)
    assert shown() == [False] * 4


def test_editing_an_image_caption(backend, client, editor_client, zebra):
    ArticleImage.objects.create(article=zebra, position=0, caption_en="A zebra on the road")
    url = zebra.get_absolute_url("en")
    warm(client, [url])
    assert "A zebra on the road" in text(fetch(client, url))
    admin_save(editor_client, article_admin(zebra), **{"images-0-caption_en": "Two zebras at the crossing"})
    assert_everywhere(client, [url], "Two zebras at the crossing", "A zebra on the road")


def test_renaming_a_topic(backend, client, editor_client, zebra, ocop):
    warm(client, ["/en/", "/api/topics/"])
    admin_save(editor_client, reverse("admin:newsroom_topic_change", args=[ocop.pk]), name_en="OCOP renamed")
    assert_everywhere(client, ["/en/", "/api/topics/"], "OCOP renamed")


def test_merging_tags(backend, client, editor_client, zebra, bac_ninh):
    """Merging (links and aliases moved in bulk): the merged tag's page is gone, the kept one lists its stories."""
    laos = Tag.objects.get(slug="laos")
    warm(client, ["/en/tags/bac-ninh/", "/en/tags/", "/api/tags/"])
    data = {
        "action": "merge_selected_tags",
        "_selected_action": [laos.pk, bac_ninh.pk],
        "apply": "yes",
        "keep": laos.pk,
    }
    assert editor_client.post(reverse("admin:newsroom_tag_changelist"), data).status_code == 302
    assert fetch(client, "/en/tags/bac-ninh/").status_code == 404
    assert HEADLINE in text(fetch(client, "/en/tags/laos/"))
    assert_everywhere(client, ["/api/tags/"], absent='"slug": "bac-ninh"')


def test_importing_a_new_file(backend, client):
    """A story imported (and published) by ``import_seeds`` is on the pages at once."""
    call_command("import_seeds", str(seed_path(0)), "--publish", stdout=StringIO())
    first = Article.objects.get()
    urls = ["/feeds/rss/", "/api/articles/", "/sitemap-stories.xml"]
    warm(client, urls)
    call_command("import_seeds", str(seed_path(3)), "--publish", stdout=StringIO())
    new = Article.objects.exclude(pk=first.pk).get()
    assert_everywhere(client, urls[:2], f"urn:newsroom:article:{new.pk}:")
    assert_everywhere(client, urls[2:], f"/stories/{new.pk}/")
    assert new.headline() in text(fetch(client, "/feeds/rss/"))


def test_restoring_a_revision(backend, client, editor_client, zebra):
    revisions.record(zebra, None)
    admin_save(editor_client, article_admin(zebra), title_en="Zebra crossing renamed")
    zebra.refresh_from_db()
    urls = ["/en/", "/api/articles/", f"/api/articles/{zebra.pk}/"]
    warm(client, urls)
    assert "Zebra crossing renamed" in text(fetch(client, "/en/"))
    url = reverse("admin:newsroom_article_revision_restore", args=[zebra.pk, 1])
    assert editor_client.post(url, {"version": str(zebra.version)}).status_code == 302
    assert_everywhere(client, urls, HEADLINE, "Zebra crossing renamed")


def test_deleting_a_story(backend, client, editor_client, zebra):
    urls = pages(zebra)
    warm(client, urls)
    url = reverse("admin:newsroom_article_delete", args=[zebra.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=zebra.pk).exists()
    assert_everywhere(client, urls, absent="Zebra crossing")


# Scheduled stories and races --------------------------------------------------------------------------------


def test_a_scheduled_story_appears_when_its_time_comes(backend, client, zebra, ocop):
    """No write happens when a scheduled story goes public: cached pages are not served past that moment."""
    make_story("Okapi scheduled", "en", published_at=timedelta(hours=1), topics=[ocop])
    urls = ["/en/", "/en/topics/ocop/", "/en/rss/", "/api/articles/"]
    warm(client, urls)
    for url in urls:
        assert "Okapi" not in text(fetch(client, url))
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        for url in urls:
            response = fetch(client, url)
            assert response["X-Cache"] == "miss" and "Okapi scheduled" in text(response), url
        assert fetch(client, "/en/")["X-Cache"] == "hit"


def test_a_change_during_a_view_leaves_its_page_unreachable(backend, rf):
    """A page built while the site changed is stored with the generation read before the view ran: the next
    request does not get it."""
    calls = []

    def view(request):
        calls.append(request)
        if len(calls) == 1:
            cache.invalidate()  # a change committed while this page was being built
        return HttpResponse(f"page {len(calls)}")

    middleware = cache.PageCacheMiddleware(view)
    assert middleware(rf.get("/robots.txt")).content == b"page 1"
    assert middleware(rf.get("/robots.txt")).content == b"page 2"
    assert middleware(rf.get("/robots.txt")).content == b"page 2"
    assert len(calls) == 2


def test_a_transaction_invalidates_after_commit_and_at_once_for_its_own_reader(
    backend, client, ocop, bac_ninh, django_capture_on_commit_callbacks
):
    """A transaction replaces the generation after its commit (one callback, however many rows it writes), and
    at once only when its own thread has read pages since the last replacement (it is the only reader that
    can see the uncommitted data)."""
    assert fetch(client, "/en/").status_code == 200
    before = cache.current_generation()
    with django_capture_on_commit_callbacks() as callbacks:
        story = make_story(HEADLINE, "en", topics=[ocop], tags=[bac_ninh])
        during = cache.current_generation()
        ArticleImage.objects.create(article=story, position=0, caption_en="x")
        assert cache.current_generation() == during  # nobody read a page since
        response = fetch(client, "/en/")
        assert response["X-Cache"] == "miss" and HEADLINE in text(response)
        assert fetch(client, "/en/")["X-Cache"] == "hit"
        story.tags.clear()
        after_read = cache.current_generation()
        assert fetch(client, "/en/")["X-Cache"] == "miss"
    assert len({before, during, after_read}) == 3
    assert callbacks == [cache._bump_after_commit]
    callbacks[0]()
    assert cache.current_generation() != after_read


@pytest.mark.parametrize("backend", ["locmem"], indirect=True)  # Redis is one store for every process
def test_another_process_invalidates_this_ones_memory(backend, client, zebra):
    """Without Redis each process caches in its own memory; a change made in another process (a second worker,
    ``manage.py import_seeds``) still makes this one's pages stale at once."""
    warm(client, ["/en/"])
    code = "import django; django.setup(); from newsroom.cache import invalidate; invalidate()"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "NEWSROOM_PAGE_CACHE_GENERATION_FILE": str(django_settings.NEWSROOM_PAGE_CACHE_GENERATION_FILE),
        "NEWSROOM_PAGE_CACHE_SECONDS": "600",
        "REDIS_URL": "",
        "SECRET_KEY": "test-only-not-a-secret",
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=django_settings.BASE_DIR)
    assert fetch(client, "/en/")["X-Cache"] == "miss"


def test_a_remembered_value_is_read_once_per_process(backend):
    """A value ``remember`` computed (a listing's ids) is served from the process's own copy afterwards: the
    shared cache is asked only for the generation, never again for the value."""
    computed = []
    assert cache.remember("ids:test", lambda: computed.append(1) or [3, 2, 1]) == [3, 2, 1]
    shared = cache._cache()
    with mock.patch.object(shared, "get", wraps=shared.get) as reads:
        assert cache.remember("ids:test", lambda: computed.append(1) or [9]) == [3, 2, 1]
    assert computed == [1]
    assert [call.args[0] for call in reads.call_args_list] == (
        [] if backend == "locmem" else [cache.GENERATION_KEY]  # in memory the generation is in a file
    )


@pytest.mark.parametrize("backend", ["redis"], indirect=True)  # local memory is no process's but its own
def test_a_process_reads_what_another_remembered(backend):
    """A process without a copy of its own (another worker) takes the value from the shared cache when there is
    one, without computing it."""
    cache.remember("ids:test", lambda: [3, 2, 1])
    cache.forget_process_memos()
    assert cache.remember("ids:test", lambda: pytest.fail("computed again")) == [3, 2, 1]


def test_a_generation_replaced_by_another_process_makes_remembered_values_stale(backend):
    """The process's copies are keyed by the generation: when another process replaces it (an editor's save in
    another worker, an import), the next read computes the value again."""
    assert cache.remember("ids:test", lambda: [1]) == [1]
    if backend == "locmem":
        cache._write_generation_file(cache._generation_file(), "0" * 32)
    else:
        cache._cache().set(cache.GENERATION_KEY, "0" * 32, timeout=None)
    assert cache.remember("ids:test", lambda: [2, 1]) == [2, 1]


def test_a_page_reads_the_generation_once(backend, settings, client, zebra):
    """A page remembers several things (its topics, tags, list, filters' options) but asks for the generation once:
    it is built from one state of the site, at the price of one round trip to the shared cache."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the page is built every time
    story_page = zebra.get_absolute_url("en")
    for path in (story_page, "/en/topics/ocop/", "/en/search/?q=zebra"):
        assert fetch(client, path).status_code == 200
        with mock.patch.object(cache, "current_generation", wraps=cache.current_generation) as reads:
            assert fetch(client, path).status_code == 200
        assert reads.call_count == 1, path


def test_the_next_request_sees_another_process_replace_the_generation(backend, settings, client, zebra):
    """Reading the generation once per request does not keep it past the request: a story another process
    links to a topic (an import, another worker) is on that topic's page at the next request."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the page is built every time, from the topic's remembered list
    assert HEADLINE not in text(fetch(client, "/en/topics/cross-border-cooperation/"))
    other = Topic.objects.get(slug="cross-border-cooperation")
    zebra.topics.through.objects.create(article=zebra, topic=other)  # no signal: as seen from another process
    if backend == "locmem":
        cache._write_generation_file(cache._generation_file(), "0" * 32)
    else:
        cache._cache().set(cache.GENERATION_KEY, "0" * 32, timeout=None)
    assert HEADLINE in text(fetch(client, "/en/topics/cross-border-cooperation/"))


# Redis down ----------------------------------------------------------------------------------------------------


def refusing_redis() -> dict:
    """``CACHES`` for a Redis that refuses every connection: nothing listens on its port."""
    return redis_cache(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def redis_down(settings):
    """The page cache on, in a Redis that refuses every connection, with the sessions the site uses with Redis
    (no failure of the shared cache is noted before a test: tests/conftest.py)."""
    working = settings.CACHES
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.CACHES = refusing_redis()
    settings.SESSION_ENGINE = "newsroom.sessions"
    yield
    settings.CACHES = working  # for the fixtures that empty the cache after each test


def cache_failures(caplog) -> int:
    return sum("The shared cache could not be" in record.getMessage() for record in caplog.records)


def test_the_public_site_is_built_from_the_database_while_redis_is_down(
    redis_down, settings, monkeypatch, client, zebra, ocop, bac_ninh, caplog
):
    """With Redis refusing connections every public page still answers, from the database and uncached: the
    story on every page that lists it, a draft on none. The failure is logged once, then Redis is left alone for
    a few seconds; once it answers again, pages are cached again."""
    make_story("Quokka draft", "en", status="draft", topics=[ocop], tags=[bac_ninh])
    monkeypatch.setattr(cache, "_unavailable_until", 0.0)  # no pause left from making the stories
    with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
        for url in pages(zebra):
            response = fetch(client, url)
            assert response.status_code == 200 and "X-Cache" not in response, url
            assert HEADLINE in text(response) and "Quokka" not in text(response), url
        assert cache_failures(caplog) == 1
        monkeypatch.setattr(cache, "_unavailable_until", 0.0)  # the pause is over: Redis is tried again
        assert fetch(client, "/en/").status_code == 200
        assert cache_failures(caplog) == 2
    if problem := redis_problem():
        pytest.skip(problem)
    monkeypatch.setattr(cache, "_unavailable_until", 0.0)
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    settings.CACHES = redis_cache(REDIS_URL, prefix)  # Redis is back
    try:
        assert [fetch(client, "/en/")["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    finally:
        client_redis = redis.Redis.from_url(REDIS_URL)
        if keys := list(client_redis.scan_iter(match=f"{prefix}:*")):
            client_redis.delete(*keys)


def test_editors_log_in_and_work_while_redis_is_down(redis_down, zebra):
    """With Redis refusing connections, sessions live in the database alone: an editor logs in, edits a story (the
    change is on the public page at once) and logs out, without an error."""
    editor = User.objects.create_user("nguyen", password="a long pass phrase for the desk", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    desk = Client()
    login = desk.post(reverse("admin:login"), {"username": "nguyen", "password": "a long pass phrase for the desk"})
    assert login.status_code == 302, login.content.decode()[:500]
    assert desk.get(reverse("admin:newsroom_article_changelist")).status_code == 200
    admin_save(desk, article_admin(zebra), title_en="Zebra crossing reopens")
    zebra.refresh_from_db()
    assert "Zebra crossing reopens" in text(fetch(Client(), zebra.get_absolute_url("en")))
    assert desk.post(reverse("admin:logout")).status_code == 200
    assert desk.get(reverse("admin:newsroom_article_changelist")).status_code == 302  # logged out
    assert Session.objects.count() == 0


def unpublished_while_redis_is_down(settings, client, zebra, caplog) -> list[str]:
    """The pages that showed ``zebra``, stored in Redis; then the story unpublished while Redis refuses
    connections, and Redis back with those pages in it (the invalidation owed)."""
    urls = pages(zebra)[:-1]  # its own page is a 404 once it is unpublished
    warm(client, urls)
    working = settings.CACHES
    settings.CACHES = refusing_redis()
    with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
        zebra.status = Article.Status.DRAFT
        zebra.save()
        assert cache.settle(attempts=1) is False  # still out of reach
    assert [record.getMessage() for record in caplog.records] == [
        "The shared cache could not be invalidated; left alone for 5.0 s"
    ]
    settings.CACHES = working
    return urls


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_an_invalidation_redis_missed_is_made_before_its_pages_are_served_again(
    backend, settings, monkeypatch, client, zebra, caplog
):
    """A story unpublished while Redis cannot be reached: its stored pages are not served when Redis answers
    again, as this process first replaces the generation it could not replace then."""
    urls = unpublished_while_redis_is_down(settings, client, zebra, caplog)
    monkeypatch.setattr(cache, "_unavailable_until", 0.0)
    assert_everywhere(client, urls, absent=HEADLINE)


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_a_process_makes_the_invalidation_redis_missed_before_it_exits(backend, settings, client, zebra, caplog):
    """A command (an import) has no next request to make an invalidation it owes: it makes it when it exits, as
    ``settle`` does here, trying again a second apart while Redis restarts."""
    urls = unpublished_while_redis_is_down(settings, client, zebra, caplog)
    with mock.patch.object(cache.time, "sleep") as sleep:
        assert cache.settle() is True
    sleep.assert_not_called()  # made at the first attempt of this call
    assert cache.settle() is True  # nothing owed: nothing done
    cache.forget_failures()  # the failure's pause, not the invalidation, which is made
    assert_everywhere(client, urls, absent=HEADLINE)


@pytest.mark.django_db(transaction=True)  # each file's invalidation made as its transaction commits
def test_an_import_while_redis_is_down_tries_to_invalidate_once_a_pause(redis_down, settings, monkeypatch, caplog):
    """Each imported file invalidates the pages. With Redis down, the first failure is logged and owed; the files
    after it in the same pause add to what is owed, without a failure (or, with a Redis that does not answer, a
    timeout) each. The next invalidation after the pause tries Redis again."""
    with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
        call_command("import_seeds", str(seed_path(0).parent), "--json", "--publish", stdout=StringIO())
        assert Article.objects.published().count() == 5
        assert cache_failures(caplog) == 1
        monkeypatch.setattr(cache, "_unavailable_until", 0.0)  # the pause over
        Article.objects.first().save()
    assert cache_failures(caplog) == 2
    assert cache.settle(attempts=1) is False  # still owed, for the process's exit


def test_a_process_that_cannot_reach_redis_says_so_when_it_exits():
    """A process that changed the site while Redis was out of reach, and still cannot reach it when it exits,
    says which pages may be stale for how long, and what to run; ``invalidate_cache`` says it could do nothing,
    once, and fails."""
    refused = production_env(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="sqlite://:memory:",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens on it
        NEWSROOM_PAGE_CACHE_SECONDS="300",
    )
    changed = run(["-c", "import django; django.setup(); from newsroom import cache; cache.invalidate()"], refused)
    assert changed.returncode == 0, changed.stderr
    assert changed.stderr.count("The shared cache could not be invalidated") == 1
    assert (
        "The public pages were not invalidated: the shared cache did not answer. Pages stored before this process's "
        "changes may be served for 300 s more; run `manage.py invalidate_cache` once it answers." in changed.stderr
    )
    command = run(["manage.py", "invalidate_cache"], refused)
    assert command.returncode == 1
    assert "CommandError: The shared cache did not answer: nothing was invalidated." in command.stderr
    assert "The public pages were not invalidated" not in command.stderr


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_an_invalidation_redis_missed_is_made_by_any_process_that_reaches_it(backend, settings, client, zebra, caplog):
    """A story unpublished by a process that cannot reach Redis (an instance cut off from it, a command that exits
    first): the invalidation it owes is recorded in the database, and another process that reaches Redis makes it
    when it next looks (``NEWSROOM_PENDING_CHECK_SECONDS``), then deletes the record. Until it looks, that process
    serves the stale pages."""
    urls = unpublished_while_redis_is_down(settings, client, zebra, caplog)
    assert PendingInvalidation.objects.count() == 1
    cache.forget_failures()  # from here on, another process: it owes nothing and reaches Redis
    stale = fetch(client, urls[0])
    assert stale["X-Cache"] == "hit" and HEADLINE in text(stale)  # it does not look (tests/conftest.py)
    settings.NEWSROOM_PENDING_CHECK_SECONDS = 5
    assert_everywhere(client, urls, absent=HEADLINE)
    assert not PendingInvalidation.objects.exists()


@pytest.mark.django_db(transaction=True)  # no test transaction: the look's query is not in a savepoint
@pytest.mark.parametrize("backend", ["locmem", "redis"], indirect=True)
def test_a_process_looks_for_recorded_invalidations_once_every_few_seconds(
    backend, settings, monkeypatch, client, django_assert_num_queries
):
    """Looking costs a hit one query, once every ``NEWSROOM_PENDING_CHECK_SECONDS``; a hit in between costs none."""
    settings.NEWSROOM_PENDING_CHECK_SECONDS = 5
    url = make_story(HEADLINE, "en").get_absolute_url("en")
    warm(client, [url])
    with django_assert_num_queries(0):
        assert fetch(client, url)["X-Cache"] == "hit"
    looked = cache.time.monotonic()
    monkeypatch.setattr(cache, "_next_pending_check", 0.0)  # the interval is over
    with django_assert_num_queries(1):  # nothing recorded: nothing invalidated
        assert fetch(client, url)["X-Cache"] == "hit"
    assert looked + 5 <= cache._next_pending_check <= cache.time.monotonic() + 5
    with django_assert_num_queries(0):
        assert fetch(client, url)["X-Cache"] == "hit"


def test_a_command_that_cannot_reach_redis_leaves_its_invalidation_to_the_next_process(child_database):
    """A command that changed the site while Redis was out of reach, and still cannot reach it when it exits,
    records the invalidation in the database and says that the next process to reach Redis makes it
    (``invalidate_cache`` too, which fails); the next process that reaches Redis does, and deletes the records."""
    require_redis()
    database = child_database("pending")
    common = {"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database.env["DATABASE_URL"]}
    refused = production_env(**common, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    changed = run(["-c", "import django; django.setup(); from newsroom import cache; cache.invalidate()"], refused)
    assert changed.returncode == 0, changed.stderr
    assert (
        "The public pages were not invalidated: the shared cache did not answer. The invalidation is recorded in the "
        "database: the first process that reaches the cache makes it, within 5 s of reaching it." in changed.stderr
    )
    assert database.rows("newsroom_pendinginvalidation") == 1
    unlooked = run(["manage.py", "invalidate_cache"], {**refused, "NEWSROOM_PENDING_CHECK_SECONDS": "0"})
    assert "nothing was invalidated. Run this again once it does." in unlooked.stderr  # nobody looks for the record
    command = run(["manage.py", "invalidate_cache"], refused)
    assert command.returncode == 1
    assert (
        "CommandError: The shared cache did not answer: nothing was invalidated yet. The invalidation is recorded in "
        "the database: the first process that reaches the cache makes it." in command.stderr
    )
    assert "The public pages were not invalidated" not in command.stderr
    assert database.rows("newsroom_pendinginvalidation") == 3
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    reaching = production_env(**common, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    try:
        looked = run(
            ["-c", "import django; django.setup(); from newsroom import cache; print(cache.cache_available())"],
            reaching,
        )
    finally:
        delete_keys(prefix)
    assert looked.stdout.strip() == "True", looked.stderr
    assert database.rows("newsroom_pendinginvalidation") == 0


def test_invalidate_cache_makes_every_stored_page_a_miss(backend, client, zebra):
    urls = pages(zebra)
    warm(client, urls)
    out = StringIO()
    call_command("invalidate_cache", stdout=out)
    assert out.getvalue() == "Every public page stored so far will be built again.\n"
    for url in urls:
        assert fetch(client, url)["X-Cache"] == "miss", url
