"""The OpenAPI 3.1 description of the JSON API (``newsroom.api``), kept by hand next to it.

Article objects are described by the IPTC ninjs 2.2 JSON Schema itself
(``newsroom/spec/ninjs-schema_2.2.json``), embedded: OpenAPI 3.1 schemas are
JSON Schema 2020-12, the schema's own dialect. Its root is
``#/components/schemas/ninjs`` and the definitions it refers to are components
beside it (``ninjsType``, ``contactinfoType``), its ``#/$defs/`` references
pointed there, because OpenAPI tools resolve ``#/...`` against the document,
not against an embedded ``$id``. Its one outside reference (GeoJSON, for
places' ``geojson``, which this API never sends) is a plain object, so the
document needs nothing from the network.

The enumerations (content languages, tag kinds) and the page-size limits come
from the code they describe, so they cannot drift; ``tests/test_api.py``
checks that every route is described and every described path answers.
"""

import copy
import json
from functools import cache
from typing import Any

from newsroom.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from newsroom.languages import content_languages
from newsroom.models import Tag
from newsroom.ninjs import SCHEMA_PATH

JSON = "application/json"
# What /api/articles/ reads from its query string: the version to give, the shared filters, the page.
ARTICLE_LIST_PARAMETERS = (
    "lang",
    "topic",
    "tag",
    "place",
    "outlet",
    "language",
    "translated",
    "published_after",
    "published_before",
    "q",
    "page",
    "page_size",
)


def document(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, its server being ``server_url`` (the site's root, without a trailing slash)."""
    return {**copy.deepcopy(_document()), "servers": [{"url": server_url or "/"}]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def parameter(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def query(name: str, description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "example": example,
    }


def response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


NINJS_DEFINITIONS = ("ninjsType", "contactinfoType")
GEOJSON = "https://geojson.org/schema/GeoJSON.json#"


def ninjs_components() -> dict[str, Any]:
    """The ninjs schema as components: its root as ``ninjs``, its definitions beside it, references moved."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    definitions = schema.pop("$defs")
    root = {key: value for key, value in schema.items() if key not in ("$schema", "$id")}
    root["description"] = f"{root['description']} -- embedded from {schema['$id']}"
    return {
        "ninjs": _moved_references(root),
        **{name: _moved_references(definitions[name]) for name in NINJS_DEFINITIONS},
    }


def _moved_references(node: Any) -> Any:
    if isinstance(node, list):
        return [_moved_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    target = node.get("$ref", "")
    if target == GEOJSON:
        return {"type": "object", "description": f"A GeoJSON object ({GEOJSON.rstrip('#')})."}
    moved = {key: _moved_references(value) for key, value in node.items()}
    if target.startswith("#/$defs/"):
        moved["$ref"] = "#/components/schemas/" + target.removeprefix("#/$defs/")
    return moved


def _list_of(item: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["count", "results"],
        "properties": {"count": {"type": "integer", "minimum": 0}, "results": {"type": "array", "items": ref(item)}},
        "additionalProperties": False,
    }


def _articles_url() -> dict[str, Any]:
    return {"type": "string", "format": "uri", "description": "The article list filtered to this entry."}


@cache
def _document() -> dict[str, Any]:
    languages = content_languages()
    language = {"type": "string", "enum": languages}
    names = {
        "type": "object",
        "description": "A text per content language; languages without one are left out.",
        "propertyNames": language,
        "additionalProperties": {"type": "string"},
    }
    errors = {"400": {"$ref": "#/components/responses/BadRequest"}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Newsroom API",
            "version": "1.0.0",
            "summary": "Published stories as IPTC ninjs 2.2, and the topics, tags and outlets they are filed under.",
            "description": (
                "Read-only and anonymous: only GET and HEAD are allowed (anything else is 405). Every answer is "
                "UTF-8 JSON with `Access-Control-Allow-Origin: *`. Only published stories exist here: a story "
                "that is a draft, in review, archived or scheduled for later is in no list and no count, and its "
                "URL answers 404 like an id never used. Story text is plain text, returned as JSON strings: "
                "markup in it is text, never to be interpreted.\n\n"
                "Language codes are the site's content-language codes (as in its URLs, `zh-hans`); the ninjs "
                "`language` property spells the same code in BCP 47 (`zh-Hans`), and `lang` accepts either."
            ),
        },
        "paths": {
            "/api/": {
                "get": {
                    "operationId": "index",
                    "summary": "Links to the endpoints",
                    "responses": {"200": response("The endpoints and the content languages.", ref("Index"))},
                }
            },
            "/api/articles/": {
                "get": {
                    "operationId": "listArticles",
                    "summary": "Published stories, newest first",
                    "description": (
                        "Newest first (publication time, then id). Each story is one ninjs object: in `lang` when "
                        "the story has that version, otherwise in its original language; the object's `language` "
                        "says which. Filters combine; `next` and `previous` keep them."
                    ),
                    "parameters": [parameter(name) for name in ARTICLE_LIST_PARAMETERS],
                    "responses": {
                        "200": response("A page of stories.", ref("ArticleList")),
                        **errors,
                        "404": {
                            "description": "`page` is not a whole number or lies beyond the last page.",
                            "content": {JSON: {"schema": ref("Error")}},
                        },
                    },
                }
            },
            "/api/articles/{pk}/": {
                "get": {
                    "operationId": "getArticle",
                    "summary": "One published story",
                    "description": (
                        "Without `lang`: every language version, the original first. With `lang`: the ninjs "
                        "object of that version alone (404 if the story has none in that language)."
                    ),
                    "parameters": [
                        {
                            "name": "pk",
                            "in": "path",
                            "required": True,
                            "description": "The story's id (ninjs `altids`, role `article-id`).",
                            "schema": {"type": "integer", "minimum": 1},
                            "example": 1,
                        },
                        parameter("lang"),
                    ],
                    "responses": {
                        "200": response("The story.", {"oneOf": [ref("ArticleVersions"), ref("ninjs")]}),
                        **errors,
                        "404": {
                            "description": "No published story has this id, or it has no version in `lang`.",
                            "content": {JSON: {"schema": ref("Error")}},
                        },
                    },
                }
            },
            "/api/topics/": {
                "get": {
                    "operationId": "listTopics",
                    "summary": "Every topic, in site order",
                    "responses": {"200": response("The topics.", ref("TopicList"))},
                }
            },
            "/api/tags/": {
                "get": {
                    "operationId": "listTags",
                    "summary": "The tags, by slug (not those only unpublished stories carry)",
                    "parameters": [parameter("kind")],
                    "responses": {"200": response("The tags.", ref("TagList")), **errors},
                }
            },
            "/api/outlets/": {
                "get": {
                    "operationId": "listOutlets",
                    "summary": "The outlets stories come from, by name (not those with only unpublished stories)",
                    "responses": {"200": response("The outlets.", ref("OutletList"))},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": response("The OpenAPI 3.1 document.", {"type": "object"})},
                }
            },
        },
        "components": {
            "parameters": {
                "lang": query(
                    "lang",
                    "The language version to give; a story without it is given in its original language.",
                    language,
                    "hi",
                ),
                "topic": query("topic", "Stories filed under this topic (its slug).", {"type": "string"}, "ocop"),
                "tag": query(
                    "tag",
                    "Stories that mention this tag, any kind but place (its slug).",
                    {"type": "string"},
                    "industrial-promotion-programme",
                ),
                "place": query(
                    "place", "Stories that mention this place (a place tag's slug).", {"type": "string"}, "bac-ninh"
                ),
                "outlet": query(
                    "outlet", "Stories from this outlet (its `id` in /api/outlets/).", {"type": "integer"}, 1
                ),
                "language": query("language", "Stories written in this language (their original).", language, "hi"),
                "translated": query(
                    "translated",
                    "`true`: only stories that exist in `lang` (which is then required).",
                    {"type": "boolean"},
                    False,
                ),
                "published_after": query(
                    "published_after",
                    "Stories published on this day or later (the site's time zone).",
                    {"type": "string", "format": "date"},
                    "2020-01-01",
                ),
                "published_before": query(
                    "published_before",
                    "Stories published on this day or earlier (the site's time zone).",
                    {"type": "string", "format": "date"},
                    "2099-12-31",
                ),
                "q": query(
                    "q",
                    "Full-text search in every script: words must all appear (Latin diacritics optional, "
                    '`"quoted words"` adjacent), Chinese, Japanese and Korean runs as written; tags\' aliases '
                    "count. Results come best first, at most 1,000.",
                    {"type": "string"},
                    "Bắc Ninh",
                ),
                "page": query("page", "The page, from 1.", {"type": "integer", "minimum": 1, "default": 1}, 1),
                "page_size": query(
                    "page_size",
                    "Stories per page.",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                    DEFAULT_PAGE_SIZE,
                ),
                "kind": query("kind", "Only tags of this kind.", {"type": "string", "enum": Tag.Kind.values}, "place"),
            },
            "responses": {
                "BadRequest": {
                    "description": "A parameter is not valid: each one's messages.",
                    "content": {JSON: {"schema": ref("ValidationErrors")}},
                },
            },
            "schemas": {
                **ninjs_components(),
                "ArticleList": {
                    "type": "object",
                    "required": ["count", "page", "pages", "next", "previous", "results"],
                    "properties": {
                        "count": {"type": "integer", "minimum": 0, "description": "Stories matching the filters."},
                        "page": {"type": "integer", "minimum": 1},
                        "pages": {"type": "integer", "minimum": 1},
                        "next": {"type": ["string", "null"], "format": "uri"},
                        "previous": {"type": ["string", "null"], "format": "uri"},
                        "results": {"type": "array", "items": ref("ninjs")},
                    },
                    "additionalProperties": False,
                },
                "ArticleVersions": {
                    "type": "object",
                    "required": ["id", "languages", "versions"],
                    "properties": {
                        "id": {"type": "integer"},
                        "languages": {"type": "array", "items": language, "minItems": 1},
                        "versions": {"type": "array", "items": ref("ninjs"), "minItems": 1},
                    },
                    "additionalProperties": False,
                },
                "Topic": {
                    "type": "object",
                    "required": ["slug", "position", "names", "descriptions", "stories", "articles_url"],
                    "properties": {
                        "slug": {"type": "string"},
                        "position": {"type": "integer", "description": "The topic's place in the site's order."},
                        "names": names,
                        "descriptions": names,
                        "stories": {"type": "integer", "minimum": 0, "description": "Published stories."},
                        "articles_url": _articles_url(),
                    },
                    "additionalProperties": False,
                },
                "TopicList": _list_of("Topic", "Every topic, in site order."),
                "Tag": {
                    "type": "object",
                    "required": ["slug", "kind", "names", "aliases", "stories", "articles_url"],
                    "properties": {
                        "slug": {"type": "string"},
                        "kind": {"type": "string", "enum": Tag.Kind.values},
                        "names": names,
                        "aliases": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Spellings stories are matched by, in any script.",
                        },
                        "stories": {"type": "integer", "minimum": 0, "description": "Published stories."},
                        "articles_url": _articles_url(),
                    },
                    "additionalProperties": False,
                },
                "TagList": _list_of("Tag", "Tags by slug."),
                "Outlet": {
                    "type": "object",
                    "required": ["id", "name", "domain", "homepage", "stories", "articles_url"],
                    "properties": {
                        "id": {"type": "integer", "description": "The value of the `outlet` filter."},
                        "name": {"type": "string"},
                        "domain": {"type": "string"},
                        "homepage": {"type": "string"},
                        "stories": {"type": "integer", "minimum": 0, "description": "Published stories."},
                        "articles_url": _articles_url(),
                    },
                    "additionalProperties": False,
                },
                "OutletList": _list_of("Outlet", "Outlets by name."),
                "Index": {
                    "type": "object",
                    "required": ["articles", "article", "topics", "tags", "outlets", "openapi", "languages"],
                    "properties": {
                        **{
                            name: {"type": "string", "format": "uri"}
                            for name in ("articles", "topics", "tags", "outlets", "openapi")
                        },
                        "article": {"type": "string", "description": "A URL template with `{pk}`."},
                        "languages": {"type": "array", "items": language},
                    },
                    "additionalProperties": False,
                },
                "Error": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"type": "string"}},
                    "additionalProperties": False,
                },
                "ValidationErrors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "description": "Messages per parameter.",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                    "additionalProperties": False,
                },
            },
        },
    }
