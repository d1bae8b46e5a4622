"""Article queries. "Published" is defined here and only here."""

from django.db import models
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from newsroom.cache import remember
from newsroom.languages import column, content_languages


def _card_fields() -> list[str]:
    texts = [column(field, language) for field in ("title", "lead") for language in content_languages()]
    return ["original_language", "published_at", "outlet__name", *texts]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Stories a reader may see: published, and not scheduled for later."""
        return self.filter(status="published", published_at__lte=timezone.now())

    def in_language(self, language: str):
        """Stories that exist in ``language``: a headline in its concrete column."""
        title = column("title", language)
        return self.exclude(**{f"{title}__isnull": True}).exclude(**{title: ""})

    def in_topic(self, topic):
        return self.filter(topics=topic)

    def for_listing(self):
        """Newest first (the id breaks ties, so pages never repeat or skip), with only what a story card shows
        (``story_cards``): headlines and leads in every language (a card falls back to the original), the date
        and the outlet's name. A card reads nothing else; the other columns cost a page twenty model fields
        each to compile and build."""
        return self.select_related("outlet").only(*_card_fields()).order_by("-published_at", "-pk")

    def touch(self) -> int:
        """A new version for stories whose links changed outside their form, in one UPDATE: an editor
        who opened one of them before will have the save refused instead of overwriting the change."""
        return self.update(version=F("version") + 1, updated_at=timezone.now())


def listed(rows: models.QuerySet, relation: str = "articles") -> models.QuerySet:
    """The ``rows`` (tags, outlets) a reader may see named: those with a published story through ``relation``,
    and those with no story at all (the registry). A row whose every story is hidden was made for a story that
    is not public yet (an embargoed one): its name is that story's own words, so it is left out everywhere."""
    field = rows.model._meta.get_field(relation)
    stories = field.related_model.objects.filter(**{field.field.name: OuterRef("pk")})
    return rows.filter(Exists(stories.published()) | ~Exists(stories))


def registry(model: type[models.Model]) -> dict[int, models.Model]:
    """Every row of a small table (topics, tags, outlets) by id, in its model's order: read once per state of the
    site and kept by each process (``cache.remember``), so pages look these rows up here instead of querying
    them. Shared by every request: never change a row."""
    return remember(f"registry:{model._meta.label}", lambda: {row.pk: row for row in model.objects.all()})


def story_links(article_id: int) -> dict[str, list[int]]:
    """The ids of a story's ``topics``, ``tags``, ``related`` stories and ``images``, in one query: a story page
    looks the topics and tags up in the ``registry``, and reads related stories and images only when it has
    any. In SQL: the ORM took longer to build the four queries than the database to answer them."""
    from django.db import connection

    from newsroom.models import Article, ArticleImage

    quote = connection.ops.quote_name
    tables = {}  # name -> (table, the linked row's column, the story's column)
    for name in ("topics", "tags", "related"):
        field = Article._meta.get_field(name)
        tables[name] = (field.remote_field.through._meta.db_table, field.m2m_reverse_name(), field.m2m_column_name())
    images = ArticleImage._meta
    tables["images"] = (images.db_table, images.pk.column, images.get_field("article").column)
    # Only the models' own names, quoted, are interpolated; the id is a parameter.
    sql = " UNION ALL ".join(
        f"SELECT '{name}', {quote(linked)} FROM {quote(table)} WHERE {quote(story)} = %s"  # noqa: S608  # nosec B608
        for name, (table, linked, story) in tables.items()
    )
    links: dict[str, list[int]] = {name: [] for name in tables}
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_id] * len(tables))
        for name, pk in cursor.fetchall():
            links[name].append(pk)
    return links
