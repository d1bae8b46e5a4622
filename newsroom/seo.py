"""What search engines and link previews read: canonical URLs, hreflang alternates, OpenGraph and JSON-LD.

Alternates name only versions that exist: a listing exists in every content
language, a story only in the languages it has text in. A story shown in its
original language on another language's page is canonicalised to the
original's URL and gets no alternate of its own.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation

from newsroom.languages import content_languages, display_name
from newsroom.models import Article, Tag
from newsroom.ninjs import language_tag
from newsroom.paths import localized_path, static


@dataclass
class PageMetadata:
    canonical: str
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (hreflang, absolute URL), x-default last
    opengraph: list[tuple[str, str]] = field(default_factory=list)  # (property, content)
    jsonld: dict[str, Any] | None = None


def site_name() -> str:
    return settings.NEWSROOM_SITE_NAME


def paths_in_languages(request) -> dict[str, str]:
    """This page's path in every content language (the language prefix changed): resolved once, reversed in each
    language. A page without a named URL (an error page) keeps its path. Kept on the request: the language menu
    and the hreflang alternates both ask."""
    if hasattr(request, "_paths_in_languages"):
        return request._paths_in_languages
    match = request.resolver_match
    paths = request._paths_in_languages = {}
    for language in content_languages():
        if match is not None and match.view_name and not match.args:
            # The arguments are the URL's own, which its converters accepted: reversed once per language.
            paths[language] = localized_path(match.view_name, language, **match.kwargs)
            continue
        try:
            with translation.override(language):
                paths[language] = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except (AttributeError, NoReverseMatch):
            paths[language] = translate_url(request.path, language)
    return paths


def listing_metadata(request) -> PageMetadata:
    """A page that exists in every content language (home, topic, tag pages): the same path in each."""
    path = request.path
    page = request.GET.get("page", "")
    suffix = f"?page={page}" if page.isdigit() and page != "1" else ""
    paths = paths_in_languages(request)
    alternates = [(language_tag(language), request.build_absolute_uri(paths[language] + suffix)) for language in paths]
    alternates.append(("x-default", request.build_absolute_uri(paths[settings.LANGUAGE_CODE] + suffix)))
    return PageMetadata(canonical=request.build_absolute_uri(path + suffix), alternates=alternates)


def article_metadata(request, article: Article, language: str, *, topics, tags, images) -> PageMetadata:
    """Canonical, alternates, OpenGraph and a schema.org ``NewsArticle`` for a story shown on a ``language`` page:
    ``topics`` primary first, its ``tags`` and ``images`` in order."""
    shown = article.shown_language(language)
    absolute = request.build_absolute_uri
    urls = {lang: absolute(article.get_absolute_url(lang)) for lang in article.languages() or [shown]}
    alternates = [(language_tag(lang), url) for lang, url in urls.items()]
    alternates.append(("x-default", urls[article.original_language]))
    canonical = urls[shown]
    headline = article.headline(shown)
    description = article.summary(shown)
    tags = sorted(tags, key=lambda tag: tag.slug)
    images = [absolute(image.image.url) for image in images if image.image]

    opengraph = [
        ("og:type", "article"),
        ("og:site_name", site_name()),
        ("og:title", headline),
        ("og:description", description),
        ("og:url", canonical),
        ("og:locale", language_tag(shown).replace("-", "_")),
        *(("og:locale:alternate", language_tag(lang).replace("-", "_")) for lang in urls if lang != shown),
        *(("og:image", url) for url in images[:1]),
        ("article:published_time", article.published_at.isoformat()),
        ("article:modified_time", article.updated_at.isoformat()),
        *(("article:section", display_name(topic, shown)) for topic in topics[:1]),
        *(("article:tag", display_name(tag, shown)) for tag in tags),
    ]

    publisher = {"@type": "Organization", "name": site_name(), "url": absolute("/")}
    publisher["logo"] = {"@type": "ImageObject", "url": absolute(static("newsroom/favicon.svg"))}
    source = article.outlet
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": headline,
        "description": description,
        "inLanguage": language_tag(shown),
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": (
            {"@type": "Person", "name": article.byline}
            if article.byline
            else {"@type": "Organization", "name": source.name if source else site_name()}
        ),
        "publisher": publisher,
        "about": [
            *(
                {"@type": "Thing", "name": display_name(topic, shown), "url": absolute(topic.get_absolute_url())}
                for topic in topics
            ),
            *(
                {"@type": "Place", "name": display_name(tag, shown), "url": absolute(tag.get_absolute_url())}
                for tag in tags
                if tag.kind == Tag.Kind.PLACE
            ),
        ],
        "keywords": [display_name(tag, shown) for tag in tags],
    }
    if article.source_url:
        jsonld["isBasedOn"] = article.source_url
    if source:
        jsonld["sourceOrganization"] = {"@type": "NewsMediaOrganization", "name": source.name}
        if source.homepage:
            jsonld["sourceOrganization"]["url"] = source.homepage
    if article.original_published_on:
        jsonld["dateCreated"] = article.original_published_on.isoformat()
    if shown != article.original_language:
        jsonld["translationOfWork"] = {"@id": urls[article.original_language]}
    if images:
        jsonld["image"] = images
    return PageMetadata(canonical=canonical, alternates=alternates, opengraph=opengraph, jsonld=jsonld)
