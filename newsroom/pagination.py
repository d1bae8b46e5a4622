"""Pages of long story lists."""

from array import array
from collections.abc import Callable, Iterable

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from newsroom.cache import remember
from newsroom.tracking import page_query


def listing_key(request, *page_parameters: str) -> str:
    """What a list is, for ``ListingPaginator(key=...)``: its path (language, topic or tag) and its filters, less
    ``page_parameters``, which only pick a page of it, and less tracking parameters (``page_query``)."""
    filters = sorted((name, value) for name, value in page_query(request).lists() if name not in page_parameters)
    return f"{request.path}?{filters}"


class ListingPaginator(Paginator):
    """A paginator whose later pages cost what the first one does.

    With a ``key`` (what the list is: its path and filters), the list's order, its story ids, is read once
    per state of the site (``cache.remember``): the count is its length and a page is 20 of its ids, so page
    2,000 of a topic costs what page 1 does, and neither counts the topic's 40,000 stories. Each page's
    stories are still fetched, from the queryset or by ``fetch(ids)`` (which must leave out, in any order, the
    stories the site no longer shows): an id the site no longer shows is left out, never shown. Without a key,
    a later page is fetched in two steps, its ids (the database walks only its indexes past the earlier pages'
    stories) and then its stories."""

    def __init__(self, *args, key: str | None = None, fetch: Callable[[list[int]], Iterable] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.fetch = fetch

    @cached_property
    def ids(self) -> array | None:
        """The list's story ids in order; packed (8 bytes an id), since each process keeps the lists it reads."""
        if self.key is None or not isinstance(self.object_list, QuerySet):
            return None
        return remember(f"ids:{self.key}", lambda: array("q", self.object_list.values_list("pk", flat=True)))

    @cached_property
    def count(self):
        return Paginator.count.func(self) if self.ids is None else len(self.ids)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not isinstance(self.object_list, QuerySet) or (bottom == 0 and self.ids is None):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        else:
            ids = list(self.ids[bottom:top])
        stories = self.object_list.in_bulk(ids).values() if self.fetch is None else self.fetch(ids)
        found = {story.pk: story for story in stories}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)
