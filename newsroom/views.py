"""Public pages. Every one starts from ``Article.objects.published()``.

The interface follows the URL's language prefix; a story is shown in that
language when it has a version in it, otherwise in its original language,
labelled as such.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from newsroom import search, seo
from newsroom.filters import ArticleFilter, remembered_options
from newsroom.languages import column, display_name, translated
from newsroom.models import Article, Tag, Topic
from newsroom.pagination import ListingPaginator, listing_key
from newsroom.querysets import card_fields, published_by_ids, registry, story_links, with_registry_rows
from newsroom.slugs import headline_slug
from newsroom.text import blocks

HOME_STORIES_PER_TOPIC = 4
STORIES_PER_PAGE = 20
# Saving a story while publishing it touches updated_at: only a later change is an update worth telling readers.
UPDATE_WORTH_SHOWING = timedelta(minutes=10)


@dataclass(frozen=True)
class Figure:
    image: object  # an ImageFieldFile, empty when only the caption survived the import
    caption: str
    alt_text: str
    credit: str


class HomeView(TemplateView):
    """The latest stories of each topic."""

    template_name = "newsroom/home.html"

    def get_context_data(self, **kwargs):
        sections = [
            (topic, list(Article.objects.published().in_topic(topic).for_listing()[:HOME_STORIES_PER_TOPIC]))
            for topic in registry(Topic).values()
        ]
        return super().get_context_data(sections=sections, meta=seo.listing_metadata(self.request), **kwargs)


class StoryListView(FilterView):
    """A filtered, paginated list of published stories; the filters survive paging."""

    filterset_class = ArticleFilter
    paginate_by = STORIES_PER_PAGE
    paginator_class = ListingPaginator
    context_object_name = "articles"
    hidden_filters: tuple[str, ...] = ()
    cards_only = True  # a page's stories read with only what their cards show (``page_stories``)

    def get_stories(self):
        return Article.objects.published()

    def get_queryset(self):
        return self.get_stories().for_listing()

    def get_context_data(self, **kwargs):
        if "object_list" in kwargs and self.filterset.is_valid():
            kwargs["object_list"] = self.filterset.results(self.page_stories)
        return super().get_context_data(meta=seo.listing_metadata(self.request), **kwargs)

    def get_paginator(self, queryset, per_page, **kwargs):
        """Each list read once per state of the site: its path (language, topic or tag) and filters name it."""
        key = listing_key(self.request, self.page_kwarg)
        return super().get_paginator(queryset, per_page, key=key, fetch=self.page_stories, **kwargs)

    def page_stories(self, ids: list[int]):
        """The stories of a page (of a listing or of search results) from their ids: those the site shows, in any
        order, with what their cards read (``cards_only``) or every column. The ids were read from the filtered
        stories (remembered per state of the site), so only whether each is still public needs checking, by a query
        compiled once per process; a card names its outlet, from the registry. Building and compiling a listing's
        narrower query with the ORM cost a topic page more (32.5 M instructions against 29.9 M) than reading every
        column; compiled once, it costs less, and leaves the bodies in nine languages unread."""
        return with_registry_rows(published_by_ids(ids, card_fields("outlet") if self.cards_only else ()), "outlet")

    def get_filterset_kwargs(self, filterset_class):
        key = listing_key(self.request, self.page_kwarg)  # a search's ranking remembered as the list's ids are
        return {**super().get_filterset_kwargs(filterset_class), "language": get_language(), "key": key}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name in self.hidden_filters:
            del filterset.form.fields[name]
        return filterset


class SearchView(StoryListView):
    """Stories matching ``q`` (with the listings' other filters), best first, with highlighted passages."""

    template_name = "newsroom/search.html"
    cards_only = False  # a result's passage comes from its lead, body and captions in any of its languages

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query, language = self.request.GET.get("q", ""), get_language()
        if query:
            articles = context["object_list"]
            for article, passage in zip(articles, search.passages(articles, query, language), strict=True):
                article.passage = passage
        return {**context, "query": query}


class TopicView(StoryListView):
    template_name = "newsroom/topic_detail.html"
    hidden_filters = ("topic",)

    def get(self, request, *args, **kwargs):
        self.topic = next((topic for topic in registry(Topic).values() if topic.slug == kwargs["slug"]), None)
        if self.topic is None:
            raise Http404("No such topic")
        return super().get(request, *args, **kwargs)

    def get_stories(self):
        return super().get_stories().in_topic(self.topic)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, current_topic=self.topic, **kwargs)


class TagView(StoryListView):
    template_name = "newsroom/tag_detail.html"

    def get(self, request, *args, **kwargs):
        """The tag by its slug among those a reader may see (``listed``): looked up in the tag filters' options, which
        the page's form reads anyway (remembered per state of the site), and its row in the ``registry``; no query."""
        options, slug = remembered_options("tag", get_language()), kwargs["slug"]
        found = next((options[kind][slug] for kind in ("place", "tag") if slug in options[kind]), None)
        self.tag = registry(Tag).get(found[0]) if found else None
        if self.tag is None:
            raise Http404("No such tag")
        self.hidden_filters = ("place" if self.tag.kind == Tag.Kind.PLACE else "tag",)
        return super().get(request, *args, **kwargs)

    def get_stories(self):
        return super().get_stories().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagListView(TemplateView):
    """The tags that have published stories, grouped by kind, named in the reader's language."""

    template_name = "newsroom/tag_list.html"

    def get_context_data(self, **kwargs):
        language = get_language()
        tags = Tag.objects.filter(articles__in=Article.objects.published()).annotate(stories=Count("articles"))
        groups: dict[str, list[Tag]] = {kind: [] for kind in Tag.Kind.values}
        for tag in sorted(tags, key=lambda tag: display_name(tag, language).casefold()):
            groups[tag.kind].append(tag)
        return super().get_context_data(
            kinds=[(Tag.Kind(kind), tags) for kind, tags in groups.items() if tags], **kwargs
        )


class ArticleView(DetailView):
    """One story in the URL's language, or its original labelled as such. A URL without the current slug
    (none, an old headline's, a mangled one) redirects permanently to the one with it."""

    template_name = "newsroom/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        """The story and its related stories, read in one query: the ids of its links come first (``story_links``
        needs only the URL's id), and only published stories come back, so a hidden story is a 404 and a hidden
        related story is left out. Not the primary topic's row (the page names the topics from ``topics``, ordered
        by ``primary_topic_id``), nor the topics, tags and outlets: their ids come from ``story_links`` and the
        stories, the rows from the ``registry``."""
        pk = self.kwargs["pk"]
        low, high = connection.ops.integer_field_range(Article._meta.pk.get_internal_type())
        if not low <= pk <= high:  # a number from the URL that no story can have, nor the database read
            raise Http404("No such story")
        self.links = story_links(pk)
        found = {story.pk: story for story in published_by_ids([pk, *self.links["related"]])}
        if pk not in found:
            raise Http404("No such story")
        with_registry_rows(found.values(), "outlet")
        article = found.pop(pk)
        self.related = list(found.values())
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if kwargs.get("slug") != headline_slug(self.object.headline(get_language())):
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        article = self.object
        language = get_language()
        shown = article.shown_language(language)
        fallbacks = [shown, article.original_language]
        # The topics and tags looked up by id in the ``registry``, where a prefetch would build each row anew.
        links = self.links
        topic_rows, tag_rows = registry(Topic), registry(Tag)
        topics = sorted(
            (topic_rows[pk] for pk in links["topics"] if pk in topic_rows),
            key=lambda t: (t.pk != article.primary_topic_id, t.position),
        )
        tags = [tag_rows[pk] for pk in links["tags"] if pk in tag_rows]
        images = []
        if links["images"]:
            # Only what a figure shows, in the two languages it may be shown in (and the story's id, from which
            # the related manager sets each image's story).
            texts = [column(field, lang) for field in ("caption", "alt_text") for lang in dict.fromkeys(fallbacks)]
            images = list(article.images.only("article", "image", "credit", *texts).order_by("position", "pk"))
        # Related stories the reader can read in the page's language first, then newest first.
        related = sorted(
            self.related,
            key=lambda story: (story.shown_language(language) != language, -story.published_at.timestamp(), -story.pk),
        )
        return super().get_context_data(
            meta=seo.article_metadata(self.request, article, language, topics=topics, tags=tags, images=images),
            shown_language=shown,
            updated=article.updated_at - article.published_at > UPDATE_WORTH_SHOWING,
            headline=article.headline(shown),
            lead=article.summary(shown),
            blocks=blocks(article.localized("body", shown)),
            versions=[(code, article.get_absolute_url(code)) for code in article.languages()],
            figures=[
                Figure(
                    image=image.image,
                    caption=translated(image, "caption", fallbacks),
                    alt_text=translated(image, "alt_text", fallbacks),
                    credit=image.credit,
                )
                for image in images
            ],
            topics=topics,
            tags=sorted(tags, key=lambda tag: display_name(tag, language).casefold()),
            related=related,
            **kwargs,
        )
