"""Hostile input never breaks a page: every public URL and the desk's admin views answer hostile query
parameters and ids with a normal page or a 4xx, never a 500, and no redirect leads off the site.

Hostile means: page numbers that are huge, negative, not numbers or not ASCII digits (``²``); unknown
ordering fields; impossible and malformed dates; several values where one goes; 10 KB values; NUL, control,
bidi-override and undecodable bytes; and, for the redirects, ``next`` and paths pointing at another site.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from newsroom import revisions
from newsroom.models import Article, Tag, Topic
from tests.conftest import SEEDS
from tests.test_admin_workflow import change_url, form_data, make_user
from tests.test_permissions import FAST_HASHER, PASSWORD

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"
KB10 = "a" * 10240
# Page numbers (the listings' and the API's page, the sitemaps' p), percent-encoded as they travel.
PAGE_NUMBERS = ["", BIG, "-1", "0", "1.5", "abc", quote("²"), "9" * 10240, "1%00", "last"]
# Values for any other parameter.
HOSTILE_VALUES = [
    KB10,
    "%00",
    "%01%1F%7F%C2%85",
    quote("\u202eevil"),
    "%ff%fe",
    "%zz",
    BIG,
    "-1",
    quote("²"),
    "2024-13-45",
    "0000-00-00",
    quote("<script>alert(1)</script>"),
    "__class__",
]
# The filters of the listings and the API (newsroom/filters.py, newsroom/api.py), orderings, and the dates in
# other APIs' spelling.
FILTER_PARAMETERS = [
    "q",
    "place",
    "tag",
    "topic",
    "outlet",
    "language",
    "translated",
    "published_after",
    "published_before",
    "date_after",
    "date_before",
    "page_size",
    "lang",
    "kind",
    "ordering",
    "o",
]
# A few of them, for pages that cost much to build.
SOME_VALUES = [KB10, "%00", "%ff%fe", BIG, quote("²"), "__class__"]
# Several values where one goes, and odd shapes.
ODD_QUERIES = [
    "page=1&page=2",
    "p=1&p=2",
    "topic=a&topic=b",
    "topic=industrial-promotion&topic=ocop",
    "tag=laos&tag=ocop&place=laos&place=bac-ninh",
    "q=a&q=b",
    "language=vi&language=hi",
    "published_after=2024-01-01&published_after=2025-01-01",
    "page[]=1",
    "topic[]=ocop",
    "page=1;page=2",
    "=",
    "&&&",
    "%00=1",
    f"{KB10}=1",
    "&".join(f"p{n}=1" for n in range(500)),
]


def queries(parameters: list[str], values: list[str] = HOSTILE_VALUES) -> list[str]:
    return [f"{name}={value}" for name in parameters for value in values]


# What every page gets (most read no parameter at all), and what the listings and the API's list get.
GENERIC = [
    *queries(["page", "p"], [BIG, "-1", "abc", quote("²")]),
    *queries(["ordering", "x"], ["-nonexistent", "%00", KB10, "%ff%fe"]),
    "page=1&page=2",
    "%00=1",
    f"{KB10}=1",
]
LISTING = [*queries(["page", "p"], PAGE_NUMBERS), *queries(FILTER_PARAMETERS), *ODD_QUERIES]
# Every kind of public URL (built from the site's stories), with the query strings tried on it.
PAGES = {
    "home": (lambda s: "/en/?", GENERIC),
    "topic": (lambda s: f"/en/topics/{s['topic'].slug}/?", LISTING),
    "tag list": (lambda s: "/hi/tags/?", GENERIC),
    "tag": (lambda s: f"/en/tags/{s['tag'].slug}/?", LISTING),
    "search": (lambda s: "/ja/search/?q=bac+ninh&", LISTING),
    "article": (lambda s: s["article"].get_absolute_url("en") + "?", GENERIC),
    "article without slug": (lambda s: f"/en/stories/{s['article'].pk}/?", GENERIC),
    "rss": (lambda s: "/en/rss/?", GENERIC),
    "atom": (lambda s: "/vi/atom/?", GENERIC),
    "topic rss": (lambda s: f"/en/topics/{s['topic'].slug}/rss/?", GENERIC),
    "topic atom": (lambda s: f"/hi/topics/{s['topic'].slug}/atom/?", GENERIC),
    "all rss": (lambda s: "/feeds/rss/?", GENERIC),
    "all atom": (lambda s: "/feeds/atom/?", GENERIC),
    "all topic rss": (lambda s: f"/feeds/topics/{s['topic'].slug}/rss/?", GENERIC),
    "all topic atom": (lambda s: f"/feeds/topics/{s['topic'].slug}/atom/?", GENERIC),
    "sitemap index": (lambda s: "/sitemap.xml?", GENERIC),
    "news sitemap": (lambda s: "/sitemap-news.xml?", GENERIC),
    "stories sitemap": (lambda s: "/sitemap-stories.xml?", GENERIC),
    "tags sitemap": (lambda s: "/sitemap-tags.xml?", GENERIC),
    "robots.txt": (lambda s: "/robots.txt?", GENERIC),
    "api index": (lambda s: "/api/?", GENERIC),
    "api articles": (lambda s: "/api/articles/?", LISTING),
    "api article": (lambda s: f"/api/articles/{s['article'].pk}/?", GENERIC + queries(["lang"])),
    "api topics": (lambda s: "/api/topics/?", GENERIC),
    "api tags": (lambda s: "/api/tags/?", GENERIC + queries(["kind"])),
    "api outlets": (lambda s: "/api/outlets/?", GENERIC),
    "api openapi": (lambda s: "/api/openapi.json?", GENERIC),
}


# Paths with hostile ids and slugs.
HOSTILE_PATHS = [
    f"/en/stories/{BIG}/",
    f"/en/stories/{BIG}/slug/",
    "/en/stories/0/x/",
    f"/en/stories/1/{KB10}/",
    "/en/stories/1/%00/",
    "/en/stories/1/%ff/",
    f"/en/topics/{KB10}/",
    "/en/topics/%00/",
    f"/en/tags/{KB10}/",
    "/en/tags/%C2%B2/",
    "/en/topics/nope/rss/",
    "/feeds/topics/nope/atom/",
    f"/api/articles/{BIG}/",
    "/api/articles/-1/",
    "/api/articles/abc/",
    "/sitemap-nope.xml",
    f"/sitemap-{KB10}.xml",
    "/zz/",
    "/en/%00/",
    f"/{KB10}/",
]


def on_site(location: str) -> bool:
    """Whether a redirect stays on this site, read as a browser reads it: leading spaces and control characters
    dropped, tabs and newlines dropped anywhere, a backslash taken for a slash."""
    seen = location.lstrip("".join(map(chr, range(33)))).translate({9: None, 10: None, 13: None}).replace("\\", "/")
    parts = urlsplit(seen)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver") and not seen.startswith("//")


def broken(client: Client, url: str, method: str = "get", **kwargs) -> str | None:
    """What is wrong with the answer to ``url``: a 5xx, an exception, or a redirect off the site."""
    try:
        response = getattr(client, method)(url, **kwargs)
    except Exception as error:  # any exception is the finding
        return f"{type(error).__name__}: {error}"[:300]
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if response.status_code in (301, 302, 303, 307, 308) and not on_site(response["Location"]):
        return f"redirects off the site to {response['Location']}"
    return None


@pytest.fixture(scope="class")
def site(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The five seeds imported and published, once for a class of tests (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_seeds", str(SEEDS), "--publish", stdout=StringIO())
        article = Article.objects.published().order_by("pk").first()
        yield {
            "article": article,
            "topic": Topic.objects.filter(articles__isnull=False).first(),
            "tag": Tag.objects.filter(articles__isnull=False).order_by("slug").first(),
        }
        transaction.set_rollback(True)


class TestPublicPages:
    @pytest.mark.parametrize("kind", PAGES)
    def test_hostile_query_parameters_never_break_a_page(self, site, kind):
        """Each public URL answers every hostile query string with a page or a 4xx, never a 500, and never
        redirects off the site."""
        page, tried = PAGES[kind]
        client = Client(raise_request_exception=False)
        failures = {query[:80]: why for query in tried if (why := broken(client, page(site) + query))}
        assert failures == {}

    def test_hostile_paths_are_4xx_not_500(self, site):
        """Ids that are huge or not numbers, 10 KB and undecodable slugs, unknown sections: a 4xx (or the
        canonical redirect), never a 500."""
        client = Client(raise_request_exception=False)
        assert {path[:80]: why for path in HOSTILE_PATHS if (why := broken(client, path))} == {}


HOSTILE_REQUESTS = sum(len(tried) for _page, tried in PAGES.values()) + len(HOSTILE_PATHS)


# Open redirects --------------------------------------------------------------------------------------------

EVIL_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    " //evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "https://evil.example\\@testserver/",
]


@pytest.fixture
def desk_user(db, settings) -> User:
    settings.PASSWORD_HASHERS = FAST_HASHER
    return User.objects.create_user("writer", password=PASSWORD, is_staff=True)


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_admin_login_never_redirects_off_the_site(desk_user, target):
    """After logging in with ``next`` pointing at another site, the admin goes to its own index; so does the
    login page for someone already logged in, and logging out."""
    client = Client()
    response = client.post(
        reverse("admin:login") + f"?next={quote(target)}", {"username": "writer", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert on_site(response["Location"]), response["Location"]
    response = client.get(reverse("admin:login"), {"next": target})
    assert response.status_code == 302 and on_site(response["Location"])
    response = client.post(reverse("admin:logout"), {"next": target})
    assert response.status_code in (200, 302)
    assert response.status_code == 200 or on_site(response["Location"])


@pytest.mark.parametrize(
    ("username", "password", "headers"),
    [
        (KB10, "x", {}),
        ("a" * 151, "x", {}),
        ("writer\x00", "x", {}),
        ("writer", KB10, {}),
        ("writer", "\x00\x01", {}),
        ("\u202ewriter", "x", {"HTTP_USER_AGENT": KB10, "HTTP_ACCEPT": KB10}),
        ("writer", "x", {"HTTP_X_FORWARDED_FOR": f"{KB10}, 1.2.3.4, ::1, %00"}),
    ],
)
def test_hostile_login_posts_are_refused_without_error(desk_user, settings, username, password, headers):
    """Login attempts with 10 KB, NUL or bidi-override credentials or headers are refused like any wrong
    password (the throttling records them within its columns' sizes), never a 500."""
    settings.NEWSROOM_BEHIND_PROXY = "HTTP_X_FORWARDED_FOR" in headers
    client = Client(raise_request_exception=False)
    response = client.post(reverse("admin:login"), {"username": username, "password": password}, **headers)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_set_language_is_not_wired():
    """Django's set_language view (which redirects to ``next`` or the Referer) is not part of the site: the
    language follows the URL prefix, so there is no redirect to abuse."""
    client = Client()
    for path in ("/i18n/setlang/", "/en/i18n/setlang/", "/i18n/"):
        response = client.post(
            path, {"language": "hi", "next": "https://evil.example/"}, HTTP_REFERER="https://evil.example/"
        )
        assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/",
        "//evil.example/en/",
        "/\\evil.example/",
        "/%2F%2Fevil.example/",
        "/%5Cevil.example/",
        "///evil.example/",
    ],
)
def test_paths_that_look_like_other_sites_never_redirect_off_the_site(path):
    """The language redirect of ``/`` and the trailing-slash redirect keep such paths on this site."""
    response = Client(raise_request_exception=False).get(path, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code < 500
    if response.status_code in (301, 302):
        assert on_site(response["Location"]), response["Location"]


def test_a_slug_that_looks_like_another_site_redirects_to_the_story(published_seeds):
    """A story URL whose slug is crafted as another site's address redirects to the story's own URL (or is not
    a story URL at all)."""
    article = published_seeds[3]
    for slug in ("evil.example", "%2F%2Fevil.example", "%5C%5Cevil.example", "https:%2F%2Fevil.example"):
        response = Client().get(f"/en/stories/{article.pk}/{slug}/")
        assert response.status_code in (301, 404)
        if response.status_code == 301:
            assert response["Location"] == article.get_absolute_url("en")


# The desk's admin ------------------------------------------------------------------------------------------


@pytest.fixture
def desk(db) -> dict:
    """An Editor's client and a story with two revisions, a tag and a ledger row."""
    call_command("import_seeds", str(SEEDS / "003_1d055b53905a2807.txt"), stdout=StringIO())
    article = Article.objects.get()
    revisions.record(article, None)
    article.byline = "Desk"
    article.save()
    revisions.record(article, None)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("Editor"))
    return {"client": client, "article": article}


ADMIN_QUERIES = {
    "admin:newsroom_article_changelist": [
        *queries(["p", "o", "q", "status__exact", "available_in", "missing_in", "attention", "tag"]),
        *queries(["topics__id__exact", "outlet__id__exact", "published_at__year", "published_at__month"]),
        "published_at__year=2024&published_at__month=13&published_at__day=45",
        "published_at__year=9999",
        "published_at__year=9999&published_at__month=12&published_at__day=31",
        "published_at__year=2024&published_at__month=99999999999999999999",
        "_to_field=password",
        "_popup=1&_to_field=id",
        "e=1",
        "p=1&p=2",
        "all=",
    ],
    "admin:newsroom_article_coverage": queries(["page", "topic", "language", "status", "outdated"], SOME_VALUES),
    "admin:newsroom_rawdocument_changelist": queries(["p", "o", "q", "status__exact"], SOME_VALUES),
    "admin:newsroom_tag_changelist": queries(["p", "o", "q", "kind__exact", "topic__id__exact"], SOME_VALUES),
    "admin:index": queries(["x"], SOME_VALUES),
}


@pytest.mark.parametrize("name", ADMIN_QUERIES)
def test_hostile_query_parameters_never_break_an_admin_list(desk, name):
    """The story list (its filters, date drill-down, search, ordering), the coverage page, the ledger and the
    tag list answer hostile parameters with a page, a redirect to the list or a 4xx, never a 500."""
    client = desk["client"]
    page = reverse(name)
    failures = {query[:80]: why for query in ADMIN_QUERIES[name] if (why := broken(client, f"{page}?{query}"))}
    assert failures == {}


ODD_IDS = [quote("²"), "٣", BIG, "-1", "1.0", "abc", "", KB10, "%00"]


def test_hostile_ids_in_the_desks_own_views_are_404_not_500(desk):
    """Ids and versions in the desk's views that are not plain ASCII numbers (``²`` and ``٣`` pass
    ``str.isdigit()``) or do not fit a database integer are 404s or refusals, never 500s."""
    client, article = desk["client"], desk["article"]
    pk = article.pk
    failures = {}
    for odd in ODD_IDS:
        requests = [
            ("get", reverse("admin:newsroom_article_revision_diff", args=[pk, 2]) + f"?against={odd}", {}),
            ("get", reverse("admin:newsroom_article_merge", args=[pk]) + f"?other={odd}", {}),
            ("post", reverse("admin:newsroom_article_merge", args=[pk]), {"data": {"other": odd}}),
            ("post", reverse("admin:newsroom_article_related_add", args=[pk]), {"data": {"other": odd}}),
            ("post", reverse("admin:newsroom_article_related_remove", args=[pk]), {"data": {"other": odd}}),
            ("post", reverse("admin:newsroom_article_tag_add", args=[pk]), {"data": {"tag": odd}}),
            ("post", reverse("admin:newsroom_article_tag_remove", args=[pk]), {"data": {"tag": odd}}),
            ("post", reverse("admin:newsroom_article_revision_restore", args=[pk, 1]), {"data": {"version": odd}}),
            (
                "post",
                reverse("admin:newsroom_article_reclean", args=[pk, article.raw_documents.get().pk]),
                {"data": {"confirm": "1", "version": odd, "field": [odd]}},
            ),
            ("get", f"/admin/newsroom/article/{odd}/change/", {}),
            ("get", f"/admin/newsroom/article/{odd}/cleaning/", {}),
            ("get", f"/admin/newsroom/article/{odd}/tags/", {}),
            ("get", f"/admin/newsroom/article/{pk}/revisions/{odd}/", {}),
            ("get", f"/admin/newsroom/rawdocument/{odd}/change/", {}),
        ]
        for method, url, kwargs in requests:
            if why := broken(client, url, method, **kwargs):
                failures[f"{method} {url[:100]} {str(kwargs)[:40]}"] = why
    assert failures == {}
    article.refresh_from_db()
    assert article.version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outlet", "abc"),
        ("outlet", BIG),
        ("tags", ["abc", "1.5"]),
        ("related", [quote("²"), "-1"]),
        ("primary_topic", "abc"),
        ("topics", ["abc"]),
        ("published_at_0", "2024-13-45"),
        ("original_language", "zz"),
        ("status", "deleted"),
        ("loaded_version", "abc"),
        ("images-TOTAL_FORMS", "abc"),
        ("images-TOTAL_FORMS", BIG),
        ("images-0-id", "abc"),
    ],
)
def test_hostile_values_in_the_story_form_are_form_errors(desk, field, value):
    """A story form posted with ids that are not ids, impossible dates or choices, or a broken image formset
    is shown again with errors (or refused), never a 500, and the story is unchanged."""
    client, article = desk["client"], desk["article"]
    article.outlet = article.primary_topic = None  # form_data posts a chosen foreign key as "['2']"
    article.save()
    page = change_url(article)
    data = {**form_data(client.get(page)), field: value}
    response = client.post(page, data)
    assert response.status_code in (200, 400, 403), response.status_code
    article.refresh_from_db()
    assert article.version == 3


@pytest.mark.parametrize("tag", ["abc", BIG, quote("²"), ""])
def test_a_bulk_tag_with_a_hostile_tag_asks_again(desk, tag):
    """The bulk tag action posted with a tag that is not an id shows its form again; nothing is tagged."""
    client, article = desk["client"], desk["article"]
    response = client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "add_tag", "_selected_action": [article.pk], "apply": "yes", "tag": tag},
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.version == 2


@pytest.mark.parametrize("selected", [["abc"], [BIG], [quote("²")], ["-1"], []])
def test_a_bulk_action_on_hostile_ids_changes_nothing(desk, selected):
    """A bulk action on ids that are not ids (or none) answers without a 500 and changes nothing."""
    client, article = desk["client"], desk["article"]
    for action in ("publish_now", "add_tag", "delete_selected"):
        response = client.post(
            reverse("admin:newsroom_article_changelist"),
            {"action": action, "_selected_action": selected, "apply": "yes", "post": "yes"},
        )
        assert response.status_code < 500, action
    article.refresh_from_db()
    assert article.version == 2
