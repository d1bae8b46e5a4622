"""Sitemaps for search engines, a Google News sitemap and robots.txt.

``/sitemap.xml`` is an index of four sections (``/sitemap-<section>.xml``):
the home page, topic pages and tag pages exist in every content language;
a story exists only in the languages it has a headline in. Every URL carries
``xhtml:link`` alternates for the versions that exist, with BCP 47 hreflang
values (``zh-Hans``) and an ``x-default``: a story's original-language
version, a listing's default-language version, as the pages' own
``<link rel="alternate">`` say (``newsroom.seo``).

However many stories there are, a section page costs one query, the index
one per section and the news sitemap one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from newsroom.languages import column, content_languages
from newsroom.models import Article, Tag, Topic
from newsroom.ninjs import language_tag
from newsroom.text import xml_text

# Our own templates: django.contrib.sitemaps is not an installed app, so its templates are not found.
INDEX_TEMPLATE = "sitemaps/sitemap_index.xml"
SITEMAP_TEMPLATE = "sitemaps/sitemap.xml"
# Google News: stories published in the last two days, at most 1,000 URLs per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_URLS = 1000
# Google News wants ISO 639 codes, except for Chinese, which it names by region.
NEWS_LANGUAGES = {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}


def w3c(moment: datetime | None) -> datetime | None:
    """``moment`` to the second: sitemaps show dates as W3C datetimes, which need no microseconds."""
    return moment.replace(microsecond=0) if moment else None


def latest_change(stories) -> datetime | None:
    """When the newest of ``stories`` last changed, or went public if it was scheduled after its last edit."""
    latest = stories.aggregate(updated=Max("updated_at"), published=Max("published_at"))
    return w3c(max((value for value in latest.values() if value is not None), default=None))


def latest_change_of(stories):
    """``latest_change`` as a subquery: annotate topics or tags with ``Subquery(latest_change_of(...))``."""
    changed = Greatest("updated_at", "published_at")
    return stories.annotate(changed=changed).order_by("-changed").values("changed")[:1]


class TranslatedSitemap(Sitemap):
    """One ``<url>`` per language version, with the alternates of its other versions.

    Django's own ``x_default`` points at the default language's URL with the
    prefix stripped, a page this site does not have, and it writes Django's
    language codes as hreflang; ``get_urls`` rewrites both.
    """

    i18n = True
    alternates = True
    x_default = False  # added by get_urls, see the class docstring
    # Not Django's 50,000: a file must also stay under 50 MB, and a story URL with a percent-encoded Hindi
    # slug is ~750 bytes, written ten times per <url> (itself and its alternates).
    limit = 5000

    def items(self):
        # Evaluated once per request: the paginator, the URLs and the latest change all read this list.
        return self.objects

    @cached_property
    def objects(self) -> list:
        return list(self.queryset())

    def queryset(self):
        raise NotImplementedError

    @cached_property
    def paginator(self):
        return super().paginator

    @cached_property
    def _locations(self) -> dict:
        return {}

    def location(self, item) -> str:
        # Called once for the URL and once for every alternate: a story's URL is slugged once per language.
        key = (type(item), getattr(item, "pk", item), translation.get_language())
        if key not in self._locations:
            self._locations[key] = self.path(item)
        return self._locations[key]

    def path(self, item) -> str:
        return item.get_absolute_url()

    def get_languages_for_item(self, item) -> list[str]:
        return content_languages()

    def x_default_language(self, item) -> str:
        return settings.LANGUAGE_CODE

    def get_latest_lastmod(self):
        return max(filter(None, (self.lastmod(item) for item in self.items())), default=None)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            item, _ = url["item"]
            by_language = {alternate["lang_code"]: alternate["location"] for alternate in url["alternates"]}
            url["alternates"] = [
                {"lang_code": language_tag(code), "location": loc} for code, loc in by_language.items()
            ]
            if default := by_language.get(self.x_default_language(item)):
                url["alternates"].append({"lang_code": "x-default", "location": default})
        return urls


class StorySitemap(TranslatedSitemap):
    """Every language version of every published story; x-default is the original."""

    def queryset(self):
        titles = [column("title", language) for language in content_languages()]
        fields = ["original_language", "published_at", "updated_at", *titles]
        return Article.objects.published().only(*fields).order_by("-published_at", "-pk")

    def get_languages_for_item(self, item) -> list[str]:
        return item.languages()

    def x_default_language(self, item) -> str:
        return item.original_language

    def lastmod(self, item) -> datetime:
        return w3c(max(item.updated_at, item.published_at))


class HomeSitemap(TranslatedSitemap):
    """The home page in every content language."""

    def queryset(self):
        return ["newsroom:home"]

    def path(self, item) -> str:
        return reverse(item)

    @cached_property
    def _latest(self) -> datetime | None:
        return latest_change(Article.objects.published())

    def lastmod(self, item) -> datetime | None:
        return self._latest


class TopicSitemap(TranslatedSitemap):
    """Every topic page in every content language, dated by its latest published story."""

    def queryset(self):
        stories = Article.objects.published().filter(topics=OuterRef("pk"))
        return Topic.objects.annotate(changed=Subquery(latest_change_of(stories))).order_by("position", "slug")

    def lastmod(self, item) -> datetime | None:
        return w3c(item.changed)


class TagSitemap(TopicSitemap):
    """The pages of tags that have a published story, in every content language."""

    def queryset(self):
        stories = Article.objects.published().filter(tags=OuterRef("pk"))
        tags = Tag.objects.annotate(changed=Subquery(latest_change_of(stories)))
        return tags.filter(changed__isnull=False).order_by("slug")


# Classes, not instances: the views make one per request, so nothing cached above outlives a request.
SITEMAPS = {"home": HomeSitemap, "topics": TopicSitemap, "tags": TagSitemap, "stories": StorySitemap}


def index(request):
    """``/sitemap.xml``: the sections and their pages."""
    return sitemap_views.index(request, SITEMAPS, template_name=INDEX_TEMPLATE, sitemap_url_name="sitemap-section")


def section(request, section: str):
    """``/sitemap-<section>.xml``, paginated with ``?p=``."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name=SITEMAP_TEMPLATE)


@dataclass(frozen=True)
class NewsEntry:
    location: str
    language: str
    title: str
    published_at: datetime


def news_language(language: str) -> str:
    """The code Google News wants for a content language: ISO 639, ``zh-cn`` for Simplified Chinese."""
    return NEWS_LANGUAGES.get(language.lower(), language.split("-")[0].lower())


@require_safe
@sitemap_views.x_robots_tag
def news(request):
    """``/sitemap-news.xml``: every language version of the stories published in the last two days."""
    titles = [column("title", language) for language in content_languages()]
    stories = (
        Article.objects.published()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .only("original_language", "published_at", *titles)
        .order_by("-published_at", "-pk")[:NEWS_MAX_URLS]
    )
    entries = [
        NewsEntry(
            location=request.build_absolute_uri(story.get_absolute_url(language)),
            language=news_language(language),
            title=xml_text(story.headline(language)),
            published_at=w3c(story.published_at),
        )
        for story in stories
        for language in story.languages()
    ]
    context = {"entries": entries[:NEWS_MAX_URLS], "publication": xml_text(settings.NEWSROOM_SITE_NAME)}
    return render(request, "sitemaps/news.xml", context, content_type="application/xml")


@require_safe
def robots_txt(request):
    """``/robots.txt``: everything but the admin may be crawled; where the sitemaps are."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
