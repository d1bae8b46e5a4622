"""The read-only JSON API under ``/api/``: published stories as IPTC ninjs 2.2, the topic, tag and outlet registry.

Every story query starts from ``Article.objects.published()``: a story that is
not public is in no list and no count, and its detail URL answers exactly like
an id that was never used. Stories are filtered by the listings' own
``ArticleFilter``. Answers are UTF-8 JSON (not ASCII-escaped) with
``Access-Control-Allow-Origin: *``; only GET and HEAD are allowed. Bad input
is a JSON 400 (``{"errors": {...}}``) or 404 (``{"detail": "..."}``), never a
server error. The OpenAPI 3.1 description is ``newsroom.openapi``, served at
``/api/openapi.json``.

A list of stories costs the same number of queries for any number of stories:
the filters' look-ups, a count, the page, and one query per relation (topics,
tags, images), read as plain rows (``ninjs.fetch_links``).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Page
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from newsroom.filters import ArticleFilter
from newsroom.languages import column, content_languages
from newsroom.models import Article, Outlet, Tag, Topic
from newsroom.ninjs import article_to_ninjs, article_versions, fetch_links, for_serializer, has_version
from newsroom.pagination import ListingPaginator, listing_key
from newsroom.querysets import listed, published_by_ids, with_registry_rows
from newsroom.tracking import page_query

app_name = "api"

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_PARAMETERS = ("page", "page_size")  # they pick a page of a list, not which list
SAFE_METHODS = ("GET", "HEAD")
CONTENT_TYPE = "application/json; charset=utf-8"
# CheckboxInput reads any value but "false" as true: the API also takes 0 and 1.
BOOLEAN_SPELLINGS = {"0": "false", "1": "true"}


class ApiError(Exception):
    """An answer other than 200, raised anywhere in a view and turned into JSON by ``api_view``."""

    def __init__(self, status: int, payload: dict[str, Any]):
        super().__init__(payload)
        self.status = status
        self.payload = payload


def not_found(detail: str) -> ApiError:
    return ApiError(404, {"detail": detail})


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, {"errors": {field: [message]}})


def json_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


def api_view(view: Callable[..., dict[str, Any]]) -> Callable[..., HttpResponse]:
    """A view returning a dict becomes a read-only JSON endpoint.

    CSRF-exempt because it never changes anything: an unsafe method gets a
    JSON 405 from here instead of the CSRF middleware's HTML 403.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            response = json_response({"detail": _("Method not allowed.")}, status=405)
            response["Allow"] = ", ".join(SAFE_METHODS)
        else:
            try:
                response = json_response(view(request, *args, **kwargs))
            except ApiError as error:
                response = json_response(error.payload, status=error.status)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return csrf_exempt(wrapper)


def absolute(request: HttpRequest, name: str, query: dict[str, Any] | None = None, **kwargs) -> str:
    """The absolute URL of API route ``name``, with ``query`` as its query string."""
    url = reverse(f"api:{name}", kwargs=kwargs or None)
    return request.build_absolute_uri(f"{url}?{urlencode(query)}" if query else url)


def content_language(request: HttpRequest) -> str | None:
    """The ``lang`` parameter as a content-language code; BCP 47 spelling and case are accepted (``zh-Hans``)."""
    value = request.GET.get("lang", "")
    if not value:
        return None
    code = value.lower()
    if code not in content_languages():
        raise invalid("lang", _("Not a content language: %(value)s.") % {"value": value})
    return code


def story_queryset() -> QuerySet[Article]:
    """Published stories with the columns the ninjs serializer reads, newest first; their links are read with
    ``ninjs.fetch_links``."""
    return for_serializer(Article.objects.published()).order_by("-published_at", "-pk")


def shown(article: Article, language: str | None) -> str | None:
    """The version to serialise: ``language`` if the story has it, else the original (else any it has)."""
    for candidate in (language, article.original_language):
        if candidate and has_version(article, candidate):
            return candidate
    return next((candidate for candidate in content_languages() if has_version(article, candidate)), None)


def page_size(request: HttpRequest) -> int:
    value = request.GET.get("page_size", "")
    if not value:
        return DEFAULT_PAGE_SIZE
    message = _("Give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}
    try:
        size = int(value)
    except ValueError:
        raise invalid("page_size", message) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid("page_size", message)
    return size


def page_stories(ids: list[int]) -> list[Article]:
    """The published stories among ``ids``, in no order, for the serializer: by ``published_by_ids``, a query
    compiled once per process, with their outlets and primary topics from the registry. Building and compiling
    the serializer's query with its two joins, and making three model instances a story, cost a list a fifth of its
    time. The list's ids were read from the filtered stories (remembered per state of the site), so only whether
    each is still published needs checking."""
    return with_registry_rows(published_by_ids(ids), "outlet", "primary_topic")


def paginate(request: HttpRequest, stories, name: str) -> tuple[Page, dict[str, Any]]:
    """The requested page of ``stories`` (a queryset, or search results) and the pagination members of the answer
    (links keep every filter); a page's stories come from ``page_stories``."""
    paginator = ListingPaginator(
        stories, page_size(request), key=listing_key(request, *PAGE_PARAMETERS), fetch=page_stories
    )
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise not_found(str(error)) from None

    def link(number: int) -> str:
        params = page_query(request).copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{reverse(f'api:{name}')}?{params.urlencode()}")

    return (
        page,
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
        },
    )


def names(obj: Topic | Tag, field: str = "name") -> dict[str, str]:
    """A translated field in every content language that has it."""
    return {lang: value for lang in content_languages() if (value := getattr(obj, column(field, lang)) or "")}


def with_story_counts(queryset: QuerySet) -> QuerySet:
    """``queryset`` annotated with ``stories``: how many published stories it has (its reverse ``articles``)."""
    return queryset.annotate(stories=Count("articles", filter=Q(articles__in=Article.objects.published())))


@api_view
def index(request: HttpRequest) -> dict[str, Any]:
    """Where everything is."""
    return {
        "articles": absolute(request, "article-list"),
        "article": absolute(request, "article-list") + "{pk}/",
        "topics": absolute(request, "topic-list"),
        "tags": absolute(request, "tag-list"),
        "outlets": absolute(request, "outlet-list"),
        "openapi": absolute(request, "openapi-document"),
        "languages": content_languages(),
    }


@api_view
def article_list(request: HttpRequest) -> dict[str, Any]:
    """Published stories, newest first (best first with ``q``), filtered as the listings are; each in ``lang``
    when it has that version."""
    language = content_language(request)
    data = request.GET.copy()
    if data.get("translated", "") in BOOLEAN_SPELLINGS:
        data["translated"] = BOOLEAN_SPELLINGS[data["translated"]]
    key = listing_key(request, *PAGE_PARAMETERS)  # a search's ranking remembered as the list's ids are
    filterset = ArticleFilter(data, queryset=story_queryset(), language=language, key=key)
    if not filterset.is_valid():
        raise ApiError(400, {"errors": {field: list(messages) for field, messages in filterset.errors.items()}})
    if filterset.form.cleaned_data.get("translated") and language is None:
        raise invalid("translated", _("Give lang: the language the stories must exist in."))
    page, members = paginate(request, filterset.results(page_stories), "article-list")
    base_url = request.build_absolute_uri("/")
    stories = list(page.object_list)
    links = fetch_links(article.pk for article in stories)
    results = [
        article_to_ninjs(article, version, base_url=base_url, links=links[article.pk])
        for article in stories
        if (version := shown(article, language))
    ]
    return {**members, "results": results}


@api_view
def article_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Every language version of a published story, or the one in ``lang``."""
    language = content_language(request)
    article = story_queryset().filter(pk=pk).first()
    if article is None:
        raise not_found(_("No published story has this id."))
    base_url = request.build_absolute_uri("/")
    if language is None:
        versions = article_versions(article, base_url=base_url, links=fetch_links([article.pk])[article.pk])
        return {"id": article.pk, "languages": article.languages(), "versions": versions}
    if language not in article.languages():
        raise not_found(_("This story has no version in this language."))
    return article_to_ninjs(article, language, base_url=base_url, links=fetch_links([article.pk])[article.pk])


@api_view
def topic_list(request: HttpRequest) -> dict[str, Any]:
    """Every topic, in site order, named in every language, with its count of published stories."""
    topics = with_story_counts(Topic.objects.order_by("position", "slug"))
    results = [
        {
            "slug": topic.slug,
            "position": topic.position,
            "names": names(topic),
            "descriptions": names(topic, "description"),
            "stories": topic.stories,
            "articles_url": absolute(request, "article-list", {"topic": topic.slug}),
        }
        for topic in topics
    ]
    return {"count": len(results), "results": results}


@api_view
def tag_list(request: HttpRequest) -> dict[str, Any]:
    """Every tag (or those of one ``kind``) by slug, named in every language, with aliases and story count; not the
    tags that only hidden stories carry (``querysets.listed``)."""
    tags = Tag.objects.order_by("slug")
    kind = request.GET.get("kind", "")
    if kind:
        if kind not in Tag.Kind.values:
            raise invalid("kind", _("Not a tag kind: %(value)s.") % {"value": kind})
        tags = tags.filter(kind=kind)
    results = [
        {
            "slug": tag.slug,
            "kind": tag.kind,
            "names": names(tag),
            "aliases": sorted({alias.name for alias in tag.aliases.all()}),
            "stories": tag.stories,
            "articles_url": absolute(
                request, "article-list", {"place" if tag.kind == Tag.Kind.PLACE else "tag": tag.slug}
            ),
        }
        for tag in with_story_counts(listed(tags)).prefetch_related("aliases")
    ]
    return {"count": len(results), "results": results}


@api_view
def outlet_list(request: HttpRequest) -> dict[str, Any]:
    """Every outlet stories come from, with the id the ``outlet`` filter takes and its count of published stories;
    not those whose every story is hidden (``querysets.listed``)."""
    results = [
        {
            "id": outlet.pk,
            "name": outlet.name,
            "domain": outlet.domain,
            "homepage": outlet.homepage,
            "stories": outlet.stories,
            "articles_url": absolute(request, "article-list", {"outlet": outlet.pk}),
        }
        for outlet in with_story_counts(listed(Outlet.objects.order_by("name", "pk")))
    ]
    return {"count": len(results), "results": results}


@api_view
def openapi_document(request: HttpRequest) -> dict[str, Any]:
    """The OpenAPI 3.1 description of this API, its server being the site that answers."""
    # Imported here: the document module reads this one's limits.
    from newsroom import openapi

    return openapi.document(server_url=request.build_absolute_uri("/").rstrip("/"))


urlpatterns = [
    path("", index, name="index"),
    path("articles/", article_list, name="article-list"),
    path("articles/<int:pk>/", article_detail, name="article-detail"),
    path("topics/", topic_list, name="topic-list"),
    path("tags/", tag_list, name="tag-list"),
    path("outlets/", outlet_list, name="outlet-list"),
    path("openapi.json", openapi_document, name="openapi-document"),
]
