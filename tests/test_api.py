"""The JSON API (newsroom.api) and its OpenAPI 3.1 description (newsroom.openapi)."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from newsroom import api, ninjs
from newsroom.models import Article, ArticleImage, Outlet, Tag, Topic
from newsroom.openapi import ARTICLE_LIST_PARAMETERS
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

JSON_TYPE = "application/json; charset=utf-8"
DOCUMENT_URI = "urn:newsroom:test:openapi"
UNSAFE_METHODS = ("post", "put", "patch", "delete", "options")


def get(client, path: str, status: int = 200, **params) -> dict:
    """The decoded JSON answer to a GET, after checking its status and media type."""
    response = client.get(path, params)
    assert response.status_code == status, (path, params, response.status_code, response.content[:500])
    assert response["Content-Type"] == JSON_TYPE
    return response.json()


def headlines(answer: dict) -> list[str]:
    return [obj["headlines"][0]["value"] for obj in answer["results"]]


def languages(answer: dict) -> list[str]:
    return [obj["language"] for obj in answer["results"]]


def route_path(pattern) -> str:
    """A URL pattern of newsroom.api as an OpenAPI path template: ``articles/<int:pk>/`` -> ``/api/articles/{pk}/``."""
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


@pytest.fixture
def document(client) -> dict:
    return get(client, "/api/openapi.json")


def node_ref_parts(ref: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in ref.removeprefix("#/").split("/")]


def follow(document: dict, node: dict) -> dict:
    """``node``, or the component its ``$ref`` names."""
    while "$ref" in node:
        target = document
        for part in node_ref_parts(node["$ref"]):
            target = target[part]
        node = target
    return node


def pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def conforms(document: dict, path: str, status: int, body: dict) -> None:
    """``body`` is valid against the schema the document gives for ``path``'s GET answer ``status``.

    The schema is reached by a JSON pointer into the document itself, so its
    ``#/components/...`` references resolve as an OpenAPI tool resolves them.
    """
    responses = document["paths"][path]["get"]["responses"]
    response = responses[str(status)]
    if "$ref" in response:
        where = ["components", "responses", response["$ref"].rsplit("/", 1)[1]]
    else:
        where = ["paths", path, "get", "responses", str(status)]
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, DRAFT202012))
    schema = {"$ref": DOCUMENT_URI + "#" + pointer(*where, "content", "application/json", "schema")}
    Draft202012Validator(schema, registry=registry, format_checker=ninjs.format_checker()).validate(body)


def story_with_relations(number: int, topics: list[Topic], tags: list[Tag]) -> Article:
    """A published Vietnamese story with an English version, two topics, three tags and two images."""
    article = make_story(
        f"Tin {number}",
        topics=topics,
        tags=tags,
        title_en=f"Story {number}",
        body_vi="Nội dung",
        byline="Phóng viên",
        outlet=Outlet.objects.order_by("pk").first(),
        published_at=timezone.now() - timedelta(minutes=number),
    )
    for position in (1, 2):
        ArticleImage.objects.create(article=article, position=position, caption_vi=f"Ảnh {position}")
    return article


# Articles: list ---------------------------------------------------------------------------------


def test_list_objects_are_valid_ninjs(client, published_seeds):
    """Every article object of the list validates against the ninjs 2.2 schema, in any ``lang``."""
    for params in ({}, {"lang": "en"}, {"lang": "hi"}, {"page_size": 2, "page": 3}):
        answer = get(client, "/api/articles/", **params)
        assert answer["results"]
        for obj in answer["results"]:
            ninjs.validate(obj)
    assert get(client, "/api/articles/")["count"] == 5


def test_list_objects_are_the_serializers_objects(client):
    """Each object of the list is the one the ninjs serializer makes of the story (as the export does), topics,
    tags and images included, in ``lang`` or the story's original language."""
    topics = list(Topic.objects.all()[:2])
    tags = [Tag.objects.get(slug=slug) for slug in ("bac-ninh", "ocop", "digital-transformation")]
    stories = [story_with_relations(number, topics, tags) for number in range(3)]
    for params, language in (({}, "vi"), ({"lang": "en"}, "en")):
        expected = [
            ninjs.article_to_ninjs(article, language, base_url="http://testserver/")
            for article in ninjs.export_queryset()
            .filter(pk__in=[story.pk for story in stories])
            .order_by("-published_at")
        ]
        assert get(client, "/api/articles/", **params)["results"] == expected
    detail = get(client, f"/api/articles/{stories[0].pk}/")
    assert detail["versions"] == ninjs.article_versions(
        ninjs.export_queryset().get(pk=stories[0].pk), base_url="http://testserver/"
    )


def test_list_is_newest_first_with_ties_broken_by_id(client):
    """Newest first; stories published at the same moment come highest id first, so pages never overlap."""
    moment = timezone.now() - timedelta(hours=1)
    older = make_story("Older", published_at=moment - timedelta(days=1))
    first = make_story("Same time 1", published_at=moment)
    second = make_story("Same time 2", published_at=moment)
    newest = make_story("Newest")
    answer = get(client, "/api/articles/")
    assert [obj["altids"][0]["value"] for obj in answer["results"]] == [
        str(article.pk) for article in (newest, second, first, older)
    ]


def test_list_gives_each_story_in_lang_or_its_original(client):
    """With ``lang`` a story is given in that language when it has it, else in its original; ``language`` says which."""
    make_story("Tin tiếng Việt", published_at=timezone.now() - timedelta(hours=2))
    make_story("Tin song ngữ", title_en="Bilingual story", published_at=timezone.now() - timedelta(hours=1))
    make_story("中文新闻", "zh-hans")
    assert headlines(get(client, "/api/articles/")) == ["中文新闻", "Tin song ngữ", "Tin tiếng Việt"]
    english = get(client, "/api/articles/", lang="en")
    assert headlines(english) == ["中文新闻", "Bilingual story", "Tin tiếng Việt"]
    assert languages(english) == ["zh-Hans", "en", "vi"]
    assert languages(get(client, "/api/articles/", lang="zh-Hans")) == ["zh-Hans", "vi", "vi"]


@pytest.fixture
def stories():
    """Four stories with different topics, tags, places, outlets, languages and dates, newest first."""
    now = timezone.now()
    ocop, promotion, border = (
        Topic.objects.get(slug=slug) for slug in ("ocop", "industrial-promotion", "cross-border-cooperation")
    )
    bac_ninh, lang_son = Tag.objects.get(slug="bac-ninh"), Tag.objects.get(slug="lang-son")
    ocop_tag, programme = Tag.objects.get(slug="ocop"), Tag.objects.get(slug="industrial-promotion-programme")
    outlet = Outlet.objects.get(domain="baobacninhtv.vn")
    return [
        make_story("Story A", "vi", topics=[ocop], tags=[bac_ninh, ocop_tag], outlet=outlet, published_at=now),
        make_story("Story B", "en", topics=[ocop], tags=[lang_son], published_at=now - timedelta(days=10)),
        make_story(
            "Story C", "hi", topics=[promotion], tags=[bac_ninh, programme], published_at=now - timedelta(days=40)
        ),
        make_story(
            "Story D", "vi", topics=[border], title_en="Story D in English", published_at=now - timedelta(days=400)
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Story A", "Story B", "Story C", "Story D"]),
        ("topic=ocop", ["Story A", "Story B"]),
        ("topic=cross-border-cooperation", ["Story D"]),
        ("tag=ocop", ["Story A"]),
        ("tag=industrial-promotion-programme", ["Story C"]),
        ("place=bac-ninh", ["Story A", "Story C"]),
        ("place=lang-son", ["Story B"]),
        ("outlet={outlet}", ["Story A"]),
        ("language=vi", ["Story A", "Story D"]),
        ("language=hi", ["Story C"]),
        ("lang=en", ["Story A", "Story B", "Story C", "Story D in English"]),
        ("lang=en&translated=true", ["Story B", "Story D in English"]),
        ("lang=en&translated=1", ["Story B", "Story D in English"]),
        ("lang=en&translated=false", ["Story A", "Story B", "Story C", "Story D in English"]),
        ("lang=en&translated=0", ["Story A", "Story B", "Story C", "Story D in English"]),
        ("published_after={days_ago_15}", ["Story A", "Story B"]),
        ("published_before={days_ago_15}", ["Story C", "Story D"]),
        ("published_after={days_ago_50}&published_before={days_ago_5}", ["Story B", "Story C"]),
        ("topic=ocop&place=bac-ninh", ["Story A"]),
        ("place=bac-ninh&language=hi", ["Story C"]),
        ("place=hanoi", []),
    ],
)
def test_list_filters(client, stories, query, expected):
    """Each filter of the listings (topic, tag, place, outlet, story language, only-in-lang, dates) narrows the list."""
    today = timezone.localdate()
    query = query.format(
        outlet=stories[0].outlet_id,
        days_ago_5=(today - timedelta(days=5)).isoformat(),
        days_ago_15=(today - timedelta(days=15)).isoformat(),
        days_ago_50=(today - timedelta(days=50)).isoformat(),
    )
    answer = get(client, f"/api/articles/?{query}")
    assert headlines(answer) == expected
    assert answer["count"] == len(expected)


def test_pagination_links_keep_the_filters(client):
    """``next``/``previous`` are absolute URLs that keep every filter, and not the tracking parameters of the link
    that brought the client (``newsroom.tracking``); walking them visits each story once, in order."""
    ocop, place = Topic.objects.get(slug="ocop"), Tag.objects.get(slug="bac-ninh")
    now = timezone.now()
    for number in range(25):
        make_story(f"Story {number:02d}", topics=[ocop], tags=[place], published_at=now - timedelta(hours=number))
    make_story("Other place", topics=[ocop], published_at=now)
    make_story("Other language", "en", topics=[ocop], tags=[place], published_at=now)

    answer = get(
        client, "/api/articles/", topic="ocop", place="bac-ninh", language="vi", page_size=10, utm_source="partner"
    )
    assert (answer["count"], answer["page"], answer["pages"], answer["previous"]) == (25, 1, 3, None)
    seen = headlines(answer)
    links = []
    while answer["next"]:
        links.append(answer["next"])
        answer = get(client, answer["next"])
        seen += headlines(answer)
    assert seen == [f"Story {number:02d}" for number in range(25)]
    assert answer["page"] == 3 and answer["next"] is None
    for number, link in enumerate(links, start=2):
        assert link.startswith("http://testserver/api/articles/?")
        assert {key: values for key, values in parse_qs(urlsplit(link).query).items()} == {
            "topic": ["ocop"],
            "place": ["bac-ninh"],
            "language": ["vi"],
            "page_size": ["10"],
            "page": [str(number)],
        }
    back = get(client, answer["previous"])
    assert back["page"] == 2 and headlines(back)[0] == "Story 10"
    assert parse_qs(urlsplit(answer["previous"]).query)["place"] == ["bac-ninh"]


def test_default_and_largest_page_sizes(client):
    """20 stories a page unless ``page_size`` says otherwise, up to 100."""
    Article.objects.bulk_create(
        Article(original_language="vi", title_vi=f"Tin {number}", status="published", published_at=timezone.now())
        for number in range(105)
    )
    assert len(get(client, "/api/articles/")["results"]) == 20
    assert len(get(client, "/api/articles/", page_size=100)["results"]) == 100
    assert len(get(client, "/api/articles/", page_size=100, page=2)["results"]) == 5


# Articles: detail -------------------------------------------------------------------------------


def test_detail_gives_every_version(client, published_seeds):
    """A story's URL gives its id, its languages (original first) and one valid ninjs object per language."""
    for article in published_seeds.values():
        answer = get(client, f"/api/articles/{article.pk}/")
        assert answer["id"] == article.pk
        assert answer["languages"] == article.languages()
        assert answer["languages"][0] == article.original_language
        assert [obj["language"] for obj in answer["versions"]] == [ninjs.language_tag(c) for c in answer["languages"]]
        for obj in answer["versions"]:
            ninjs.validate(obj)


def test_detail_in_one_language(client):
    """``?lang=`` gives that version alone (BCP 47 spelling accepted); a version the story lacks is a 404."""
    article = make_story("中文新闻", "zh-hans", title_en="Chinese story", lead_en="A lead")
    both = get(client, f"/api/articles/{article.pk}/")
    assert both["languages"] == ["zh-hans", "en"]
    assert get(client, f"/api/articles/{article.pk}/", lang="en") == both["versions"][1]
    assert get(client, f"/api/articles/{article.pk}/", lang="zh-Hans") == both["versions"][0]
    ninjs.validate(get(client, f"/api/articles/{article.pk}/", lang="en"))
    missing = get(client, f"/api/articles/{article.pk}/", 404, lang="hi")
    assert missing == {"detail": "This story has no version in this language."}
    assert "lang" in get(client, f"/api/articles/{article.pk}/", 400, lang="xx")["errors"]


def test_image_renditions_are_absolute_urls_of_the_site(client):
    """An image file is linked as a rendition on the answering site's own address."""
    article = make_story("Tin có ảnh")
    ArticleImage.objects.create(article=article, position=1, image="articles/2024/05/market.jpg")
    obj = get(client, f"/api/articles/{article.pk}/", lang="vi")
    assert obj["associations"][0]["renditions"] == [
        {"name": "original", "href": "http://testserver/media/articles/2024/05/market.jpg", "contenttype": "image/jpeg"}
    ]
    ninjs.validate(obj)


# What is not public ----------------------------------------------------------------------------


def make_canaries() -> list[Article]:
    """One story in each state that is not public, with everything that would put it on any list."""
    ocop_topic = Topic.objects.get(slug="ocop")
    tags = [Tag.objects.get(slug="bac-ninh"), Tag.objects.get(slug="ocop")]
    outlet = Outlet.objects.get(domain="baobacninhtv.vn")
    hidden = [
        make_story(f"CANARY {status}", status=status, published_at=timezone.now() - timedelta(days=1))
        for status in ("draft", "in_review", "archived")
    ]
    hidden.append(make_story("CANARY scheduled", published_at=timezone.now() + timedelta(days=1)))
    for article in hidden:
        article.title_hi = f"{article.title_vi} हिन्दी"
        article.outlet = outlet
        article.save()
        article.topics.set([ocop_topic])
        article.tags.set(tags)
    return hidden


@pytest.fixture
def canaries() -> list[Article]:
    return make_canaries()


LIST_QUERIES = [
    "",
    "lang=hi",
    "lang=hi&translated=true",
    "topic=ocop",
    "place=bac-ninh",
    "tag=ocop",
    "language=vi",
    "page_size=100",
    "published_after=2000-01-01&published_before=2100-01-01",
]


def test_hidden_stories_are_in_no_list_and_no_count(client, published_seeds, stories):
    """Drafts, stories in review, archived and future-scheduled stories change no list, count or link."""
    outlet = stories[0].outlet_id

    def everything() -> list[bytes]:
        paths = [f"/api/articles/?{query}" for query in [*LIST_QUERIES, f"outlet={outlet}"]]
        paths += ["/api/topics/", "/api/tags/", "/api/tags/?kind=place", "/api/outlets/", "/api/"]
        responses = [client.get(path) for path in paths]
        assert [response.status_code for response in responses] == [200] * len(paths)
        return [response.content for response in responses]

    before = everything()
    make_canaries()
    after = everything()
    assert after == before
    assert not any(b"CANARY" in content for content in after)


def test_a_hidden_story_answers_like_a_missing_one(client, canaries):
    """A story that is not public has no URL: the same 404, byte for byte, as an id never used, in any language."""
    never_used = Article.objects.order_by("-pk").first().pk + 1000
    for lang in ("", "vi", "hi"):
        query = f"?lang={lang}" if lang else ""
        missing = client.get(f"/api/articles/{never_used}/{query}")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "No published story has this id."}
        for article in canaries:
            hidden = client.get(f"/api/articles/{article.pk}/{query}")
            assert hidden.status_code == 404
            assert hidden.content == missing.content
            assert hidden.headers == missing.headers


# Topics, tags, outlets --------------------------------------------------------------------------


def test_topics_with_names_and_published_story_counts(client, published_seeds, document):
    """Every topic in site order, named in every language, its count the length of its filtered article list."""
    answer = get(client, "/api/topics/")
    conforms(document, "/api/topics/", 200, answer)
    assert [topic["slug"] for topic in answer["results"]] == list(Topic.objects.values_list("slug", flat=True))
    assert answer["count"] == Topic.objects.count()
    for topic in answer["results"]:
        assert set(topic["names"]) == {"vi", "en", "hi", "ja", "zh-hans", "ko", "fr", "ru", "lo"}
        assert topic["descriptions"]["en"]
        assert topic["articles_url"] == f"http://testserver/api/articles/?topic={topic['slug']}"
        assert get(client, topic["articles_url"])["count"] == topic["stories"]
    counts = {topic["slug"]: topic["stories"] for topic in answer["results"]}
    assert counts == {"industrial-promotion": 2, "ocop": 1, "cross-border-cooperation": 2}


def test_tags_with_kind_filter_and_published_story_counts(client, published_seeds, document):
    """Every tag by slug with kind, names, aliases and a count that matches its filtered article list."""
    answer = get(client, "/api/tags/")
    conforms(document, "/api/tags/", 200, answer)
    assert answer["count"] == Tag.objects.count() == len(answer["results"])
    assert [tag["slug"] for tag in answer["results"]] == sorted(tag["slug"] for tag in answer["results"])
    by_slug = {tag["slug"]: tag for tag in answer["results"]}
    assert by_slug["bac-ninh"]["kind"] == "place"
    assert by_slug["bac-ninh"]["names"]["ja"] == "バクニン"
    assert "Bắc Ninh" in by_slug["bac-ninh"]["aliases"]
    assert by_slug["bac-ninh"]["stories"] == 3
    assert by_slug["bac-ninh"]["articles_url"] == "http://testserver/api/articles/?place=bac-ninh"
    assert by_slug["ocop"]["articles_url"] == "http://testserver/api/articles/?tag=ocop"
    for tag in answer["results"]:
        if tag["stories"] or tag["slug"] == "hanoi":
            assert get(client, tag["articles_url"])["count"] == tag["stories"], tag["slug"]
    places = get(client, "/api/tags/", kind="place")
    assert places["count"] == Tag.objects.filter(kind="place").count()
    assert {tag["kind"] for tag in places["results"]} == {"place"}
    assert get(client, "/api/tags/", 400, kind="city") == {"errors": {"kind": ["Not a tag kind: city."]}}


def test_outlets_give_the_outlet_filter_ids(client, published_seeds, document):
    """Every outlet with the id the ``outlet`` filter takes and its published story count."""
    answer = get(client, "/api/outlets/")
    conforms(document, "/api/outlets/", 200, answer)
    assert answer["count"] == Outlet.objects.count()
    for outlet in answer["results"]:
        assert get(client, outlet["articles_url"])["count"] == outlet["stories"]
    assert sum(outlet["stories"] for outlet in answer["results"]) == 3


# Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("page=99999", 404, None),
        ("page=abc", 404, None),
        ("page=0", 404, None),
        ("page=-1", 404, None),
        ("page=1.5", 404, None),
        ("page_size=1000", 400, "page_size"),
        ("page_size=101", 400, "page_size"),
        ("page_size=0", 400, "page_size"),
        ("page_size=ten", 400, "page_size"),
        ("published_after=2025-13-45", 400, "published_after"),
        ("published_before=yesterday", 400, "published_before"),
        ("tag=unknown", 400, "tag"),
        ("tag=bac-ninh", 400, "tag"),
        ("place=ocop", 400, "place"),
        ("topic=no-such-topic", 400, "topic"),
        ("outlet=abc", 400, "outlet"),
        ("outlet=99999999999999999999999", 400, "outlet"),
        ("language=xx", 400, "language"),
        ("lang=xx", 400, "lang"),
        ("translated=true", 400, "translated"),
    ],
)
def test_bad_list_input_is_a_json_error(client, stories, document, query, status, field):
    """Bad filters and page sizes are a 400 naming the parameter; a page that does not exist is a 404."""
    answer = get(client, f"/api/articles/?{query}", status)
    conforms(document, "/api/articles/", status, answer)
    if field:
        assert list(answer["errors"]) == [field]
        assert all(isinstance(message, str) and message for message in answer["errors"][field])
    else:
        assert answer["detail"]


def test_an_empty_list_has_one_empty_page(client):
    """With no matching story the first page answers, empty; the second does not exist."""
    assert get(client, "/api/articles/", place="hanoi") == {
        "count": 0,
        "page": 1,
        "pages": 1,
        "next": None,
        "previous": None,
        "results": [],
    }
    get(client, "/api/articles/", 404, place="hanoi", page=2)


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999"])
def test_ids_out_of_range_are_not_found(client, pk):
    """An id no integer column can hold is a plain 404."""
    assert get(client, f"/api/articles/{pk}/", 404) == {"detail": "No published story has this id."}


WEIRD_VALUES = ["", " ", "\x00", "nul\x00byte", "%", "'; DROP TABLE x; --", "x" * 5000, "-1", "1e9", "१", "ø", "[]"]


def test_no_input_makes_a_server_error(client, stories):
    """Whatever a parameter holds (NUL bytes, huge or non-ASCII numbers, markup), the answer is 200, 400 or 404."""
    for name in ARTICLE_LIST_PARAMETERS:
        for value in WEIRD_VALUES:
            response = client.get("/api/articles/", {name: value})
            assert response.status_code in (200, 400, 404), (name, value, response.status_code)
            assert response["Content-Type"] == JSON_TYPE
    for value in WEIRD_VALUES:
        assert client.get("/api/tags/", {"kind": value}).status_code in (200, 400)
        assert client.get(f"/api/articles/{stories[0].pk}/", {"lang": value}).status_code in (200, 400)


# HTTP -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/articles/", "/api/articles/1/", "/api/topics/", "/api/tags/", "/api/outlets/", "/api/openapi.json"],
)
def test_only_get_and_head(path, published_seeds):
    """Anything but GET and HEAD is a JSON 405 with ``Allow``, even without a CSRF token; HEAD answers like GET."""
    client = Client(enforce_csrf_checks=True)
    path = path.replace("/1/", f"/{published_seeds[0].pk}/")
    for method in UNSAFE_METHODS:
        response = getattr(client, method)(path)
        assert response.status_code == 405, (method, response.status_code)
        assert response["Allow"] == "GET, HEAD"
        assert response["Content-Type"] == JSON_TYPE
        assert response.json() == {"detail": "Method not allowed."}
    assert client.head(path).status_code == 200


def test_answers_are_utf8_json_open_to_any_origin(client, published_seeds):
    """Answers are UTF-8 JSON with text unescaped (not \\u sequences) and ``Access-Control-Allow-Origin: *``."""
    article = published_seeds[1]
    response = client.get(f"/api/articles/{article.pk}/")
    assert response["Content-Type"] == JSON_TYPE
    assert response["Access-Control-Allow-Origin"] == "*"
    assert article.title_hi.encode() in response.content
    assert b"\\u0" not in response.content
    assert client.get("/api/articles/", {"page": "abc"})["Access-Control-Allow-Origin"] == "*"


def test_markup_in_stories_is_data(client):
    """Markup in a story is returned exactly as written, inside JSON strings, never as HTML to interpret."""
    title = '<script>alert("x")</script> & <b>bold</b>'
    lead = "<img src=x onerror=alert(1)>"
    body = "**not markdown** <p>para</p>\n\n</textarea>"
    article = make_story(title, lead_vi=lead, body_vi=body)
    response = client.get(f"/api/articles/{article.pk}/", {"lang": "vi"})
    assert response["Content-Type"] == JSON_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert json.dumps(title, ensure_ascii=False).encode() in response.content
    assert b"&lt;" not in response.content and b"&amp;" not in response.content
    obj = response.json()
    assert obj["headlines"] == [{"role": "main", "value": title}]
    assert obj["descriptions"][0] == {"role": "summary", "contenttype": "text/plain", "value": lead}
    assert obj["bodies"][0] == {"role": "main", "contenttype": "text/plain", "value": body}
    assert headlines(get(client, "/api/articles/")) == [title]


def test_index_links_every_endpoint(client, published_seeds):
    """``/api/`` links the endpoints (the story URL as a ``{pk}`` template) and lists the content languages."""
    answer = get(client, "/api/")
    assert answer["languages"] == ["vi", "en", "hi", "ja", "zh-hans", "ko", "fr", "ru", "lo"]
    assert answer["article"] == "http://testserver/api/articles/{pk}/"
    for name in ("articles", "topics", "tags", "outlets", "openapi"):
        get(client, answer[name])
    get(client, answer["article"].format(pk=published_seeds[0].pk))


# Query counts -----------------------------------------------------------------------------------


@pytest.mark.uncached
def test_query_count_does_not_grow_with_the_stories(client):
    """The article list costs the same queries for 3 stories as for 30, filtered or not; a story costs 4."""
    topics = list(Topic.objects.all()[:2])
    tags = [Tag.objects.get(slug=slug) for slug in ("bac-ninh", "ocop", "digital-transformation")]

    def count(path: str, first: bool = False) -> int:
        """The queries of a request; by default of a second one, the filters' options read (once per state of the
        site's data)."""
        if not first:
            get(client, path)
        with CaptureQueriesContext(connection) as queries:
            get(client, path)
        return len(queries)

    paths = ["/api/articles/?page_size=100", "/api/articles/?page_size=100&lang=en&topic=ocop&place=bac-ninh"]
    for number in range(3):
        story_with_relations(number, topics, tags)
    few = [count(path) for path in paths]
    for number in range(3, 30):
        story_with_relations(number, topics, tags)
    assert len(get(client, paths[0])["results"]) == 30
    assert [count(path) for path in paths] == few
    # The page, then topics, tags and images, filtered or not: the count is the length of the list's ids.
    assert few == [4, 4]
    # After a change, the filtered list reads the topics, the tags the filters offer, when the next scheduled story
    # goes public, the list's ids (instead of counting), the tags' registry (the stories' tags are named from it) and
    # the outlets' (so are their outlets, and their primary topics from the topics read first).
    story_with_relations(30, topics, tags)
    assert count(paths[1], first=True) == 10
    assert count(f"/api/articles/{Article.objects.first().pk}/") == 4
    assert count("/api/topics/") == 1
    assert count("/api/tags/") == 2
    assert count("/api/outlets/") == 1


# OpenAPI ---------------------------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_1(client, document):
    """``/api/openapi.json`` is JSON, OpenAPI 3.1, and valid according to openapi-spec-validator."""
    response = client.get("/api/openapi.json")
    assert response["Content-Type"] == JSON_TYPE
    assert json.loads(response.content.decode("utf-8")) == document
    assert document["openapi"].startswith("3.1.")
    assert document["servers"] == [{"url": "http://testserver"}]
    validate_openapi(document, cls=OpenAPIV31SpecValidator)


def test_every_route_is_documented_and_nothing_else(document):
    """The document's paths are exactly the routes of newsroom.api, each with a GET."""
    assert set(document["paths"]) == {route_path(pattern) for pattern in api.urlpatterns}
    assert all(set(operations) == {"get"} for operations in document["paths"].values())


def test_every_documented_path_answers_its_documented_schema(client, published_seeds, document):
    """Every path answers 200 on the seeds, bare and with each parameter's example, in the documented shape."""
    pk, outlet = published_seeds[0].pk, published_seeds[0].outlet_id
    for path, operations in document["paths"].items():
        url = path.replace("{pk}", str(pk))
        conforms(document, path, 200, get(client, url))
        parameters = [follow(document, node) for node in operations["get"].get("parameters", [])]
        for parameter in (parameter for parameter in parameters if parameter["in"] == "query"):
            example = {"outlet": outlet}.get(parameter["name"], parameter["example"])
            answer = get(client, url, **{parameter["name"]: json.dumps(example).strip('"')})
            conforms(document, path, 200, answer)


def test_articles_are_described_by_the_embedded_ninjs_schema(client, published_seeds, document):
    """The document embeds the IPTC ninjs 2.2 schema as it is, only its references moved to the components."""
    with open(ninjs.SCHEMA_PATH, encoding="utf-8") as file:
        iptc = json.load(file)
    schemas = document["components"]["schemas"]
    embedded = json.loads(
        json.dumps({name: schemas[name] for name in ("ninjs", "ninjsType", "contactinfoType")}).replace(
            '"#/components/schemas/', '"#/$defs/'
        )
    )
    assert embedded["ninjs"].pop("description").startswith(iptc["description"])
    assert embedded["ninjs"] == {
        key: value for key, value in iptc.items() if key not in ("$schema", "$id", "$defs", "description")
    }
    assert embedded["contactinfoType"] == iptc["$defs"]["contactinfoType"]
    geojson = {"$ref": "https://geojson.org/schema/GeoJSON.json#"}
    expected = json.loads(json.dumps(iptc["$defs"]["ninjsType"]).replace(json.dumps(geojson), "null"))
    places = embedded["ninjsType"]["properties"]["places"]["items"]["properties"]
    assert places.pop("geojson")["type"] == "object"
    assert expected["properties"]["places"]["items"]["properties"].pop("geojson") is None
    assert embedded["ninjsType"] == expected
    conforms(document, "/api/articles/{pk}/", 200, get(client, f"/api/articles/{published_seeds[2].pk}/"))
