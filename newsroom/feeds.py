"""RSS 2.0 and Atom feeds of published stories.

Under a language prefix (``/hi/rss/``, ``/hi/topics/ocop/atom/``) a feed
holds the stories that exist in that language, in that language. Without one
(``/feeds/rss/``, ``/feeds/topics/ocop/atom/``) it holds every story, each in
its original language.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from newsroom.languages import column, content_languages, display_name, name_languages, translated
from newsroom.models import Article, Topic
from newsroom.ninjs import language_tag, object_uri
from newsroom.text import xml_text

FEED_SIZE = 50


def written_at_once(feed_type: type) -> type:
    """``feed_type`` writing its XML into memory and then into the response in one piece. Written straight into
    the response, the XML writer's few thousand small strings each went through a text wrapper and
    ``HttpResponse.write``; the bytes are the same (characters UTF-8 cannot carry become character references,
    as the writer's wrapper does)."""

    class WrittenAtOnce(feed_type):
        def write(self, outfile, encoding):
            text = io.StringIO()
            super().write(text, encoding)
            outfile.write(text.getvalue().encode(encoding, "xmlcharrefreplace"))

    WrittenAtOnce.__name__ = WrittenAtOnce.__qualname__ = feed_type.__name__
    return WrittenAtOnce


def topic_columns() -> list[str]:
    """What an entry's category reads of its primary topic: the names in every language, and the slug a topic
    without any name goes by (``languages.display_name``)."""
    return ["slug", *(column("name", language) for language in content_languages())]


def entry_name(article: Article, language: str) -> str:
    """``languages.display_name`` of the primary topic an entry carries as ``primary_topic_<column>``."""
    return translated(article, "primary_topic_name", name_languages(language)) or article.primary_topic_slug


@dataclass
class Scope:
    topic: Topic | None
    language: str | None  # None: every story, in its original language
    interface_language: str


class StoryFeed(Feed):
    """One feed class serves every scope; per-request state lives in the ``Scope`` object, never on
    ``self`` (one instance serves all requests)."""

    feed_type = written_at_once(Rss201rev2Feed)
    # False: every story in its original language, the feed's own text in the site's default language.
    localized = True
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        with translation.override(translation.get_language() if self.localized else settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug: str | None = None) -> Scope:
        language = translation.get_language()
        topic = get_object_or_404(Topic, slug=slug) if slug else None
        return Scope(topic=topic, language=language if self.localized else None, interface_language=language)

    def get_feed(self, scope, request):
        feed = super().get_feed(scope, request)
        # A feed of every story mixes languages: it declares none.
        feed.feed["language"] = language_tag(scope.language) if scope.language else None
        return feed

    def title(self, scope):
        if scope.topic is None:
            return xml_text(settings.NEWSROOM_SITE_NAME)
        return xml_text(f"{display_name(scope.topic, scope.interface_language)} · {settings.NEWSROOM_SITE_NAME}")

    def link(self, scope):
        if scope.topic:
            return scope.topic.get_absolute_url(scope.interface_language)
        with translation.override(scope.interface_language):
            return reverse("newsroom:home")

    def subtitle(self, scope):
        """What the feed is, as plain text (Atom's ``<subtitle>`` is text)."""
        if scope.topic is not None:
            return xml_text(display_name(scope.topic, scope.interface_language))
        return _("The latest published stories")

    def description(self, scope):
        # RSS readers render the channel's <description> as HTML, as they do an item's: a topic named
        # "<svg onload=…>" is escaped here, and once more by the XML writer.
        return escape(self.subtitle(scope))

    def author_name(self, scope):
        # Atom requires an author for every entry: the feed's stands in for stories without a byline or source.
        return xml_text(settings.NEWSROOM_SITE_NAME)

    def items(self, scope):
        stories = Article.objects.published()
        if scope.language:
            stories = stories.in_language(scope.language)
        if scope.topic is not None:
            stories = stories.in_topic(scope.topic)
        stories = list(self.entries(stories)[:FEED_SIZE])
        for story in stories:
            story.feed_language = scope.language or story.original_language
        return stories

    @staticmethod
    def entries(stories):
        """Newest first, with what an entry shows: the headlines and leads in every language (an entry falls back
        to the original), the dates, the byline, and the outlet's and primary topic's names read as columns of the
        story's row: as related objects they were two more model instances per entry."""
        texts = [column(field, language) for field in ("title", "lead") for language in content_languages()]
        topic = {f"primary_topic_{name}": F(f"primary_topic__{name}") for name in topic_columns()}
        return (
            stories.only("original_language", "published_at", "updated_at", "byline", *texts)
            .annotate(outlet_name=F("outlet__name"), **topic)
            .order_by("-published_at", "-pk")
        )

    def item_title(self, article):
        return xml_text(article.headline(article.feed_language))

    def item_description(self, article):
        # RSS <description> and Atom <summary type="html"> hold HTML: the plain-text lead is escaped once
        # here and once more by the XML writer, so readers show "<script>" as text instead of running or
        # dropping it.
        return escape(xml_text(article.summary(article.feed_language)))

    def item_link(self, article):
        return article.get_absolute_url(article.feed_language)

    def item_guid(self, article):
        return object_uri("article", article.pk, article.feed_language)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return xml_text(article.byline or article.outlet_name or "") or None

    def item_categories(self, article):
        if article.primary_topic_slug is None:
            return []
        return [xml_text(entry_name(article, article.feed_language))]


class AtomStoryFeed(StoryFeed):
    feed_type = written_at_once(Atom1Feed)


class AllStoriesFeed(StoryFeed):
    localized = False


class AllStoriesAtomFeed(AtomStoryFeed):
    localized = False
