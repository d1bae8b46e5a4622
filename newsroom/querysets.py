"""Article queries. "Published" is defined here and only here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.db import connection, models
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from newsroom.cache import remember
from newsroom.languages import column, content_languages


def card_fields(outlet: str = "outlet__name") -> list[str]:
    """The fields a story card reads (``templating.story_cards``), with the outlet joined (``outlet__name``) or as
    its id (``outlet``, for its row from the ``registry``)."""
    texts = [column(field, language) for field in ("title", "lead") for language in content_languages()]
    return ["original_language", "published_at", outlet, *texts]


class ArticleQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None):
        """Stories a reader may see: published, and not scheduled for later (than ``now``, by default the present)."""
        return self.filter(status="published", published_at__lte=now or timezone.now())

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
        return self.select_related("outlet").only(*card_fields()).order_by("-published_at", "-pk")

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


# Stand-ins for a published-stories query's variable parameters, which no real value equals: no story has a
# negative id, and none was published in the year 1.
_STAND_IN_NOW = datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Compiled:
    """A query compiled once, to be run with other values: where among its parameters they go, and how its
    rows become stories (the columns, each with the database converters the ORM would apply)."""

    sql: str
    params: tuple
    now_at: int
    ids_at: tuple[int, ...]
    fields: tuple[str, ...]
    # column position -> (converter functions, expression), as the ORM's compiler gives them; each is called with
    # the caller's connection (bound to the compiling one's operations, they read only its settings)
    converters: dict


@lru_cache(maxsize=64)
def _published_by_ids_query(alias: str, count: int, only: tuple[str, ...]) -> _Compiled:
    from newsroom.models import Article

    stand_ins = [-1 - index for index in range(count)]
    queryset = Article.objects.published(now=_STAND_IN_NOW).filter(pk__in=stand_ins).order_by()
    if only:
        queryset = queryset.only(*only)
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    adapted_now = compiler.connection.ops.adapt_datetimefield_value(_STAND_IN_NOW)
    now_at = [index for index, value in enumerate(params) if value in (_STAND_IN_NOW, adapted_now)]
    if len(now_at) != 1:
        raise RuntimeError(f"published_by_ids: the present is not one parameter of {sql!r} {params!r}")
    columns = [column for column, _sql, _alias in compiler.select]
    return _Compiled(
        sql=sql,
        params=tuple(params),
        now_at=now_at[0],
        ids_at=tuple(params.index(stand_in) for stand_in in stand_ins),
        fields=tuple(column.target.attname for column in columns),
        converters=compiler.get_converters(columns),
    )


def published_by_ids(ids: list[int], only: Sequence[str] = ()) -> list:
    """The published stories among ``ids`` (``Article.objects.published().filter(pk__in=ids)``), in no order, with
    every column or ``only`` those fields (``QuerySet.only``: another is read by a query of its own when used). The
    query is compiled once per process, number of ids and fields, and run with the present and the ids put in:
    building and compiling it took a story page longer than the database took to answer it."""
    from newsroom.models import Article

    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    query = _published_by_ids_query(connection.alias, len(ids), tuple(only))
    values = list(query.params)
    values[query.now_at] = connection.ops.adapt_datetimefield_value(timezone.now())
    for index, pk in zip(query.ids_at, ids, strict=True):
        values[index] = pk
    with connection.cursor() as cursor:
        cursor.execute(query.sql, values)
        rows = cursor.fetchall()
    stories = []
    for row in rows:
        row = list(row)
        for position, (functions, expression) in query.converters.items():
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
        stories.append(Article.from_db(connection.alias, query.fields, row))
    return stories


def with_registry_rows(stories: Iterable, *relations: str) -> Iterable:
    """``stories``, each given the rows its ``relations`` name (foreign keys to small tables: ``outlet``,
    ``primary_topic``) from the ``registry`` instead of a query or a join; a row saved since the registry was read
    is read when shown."""
    from newsroom.models import Article

    for name in relations:
        field = Article._meta.get_field(name)
        rows = registry(field.related_model)
        for story in stories:
            if (row := rows.get(getattr(story, field.attname))) is not None:
                setattr(story, name, row)
    return stories


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
