"""Pages of long story lists."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from newsroom.cache import remember


class ListingPaginator(Paginator):
    """A paginator whose later pages cost what the first one does: past page 1, a page of a queryset is
    fetched in two steps, the page's ids (the database walks only its indexes past the earlier pages'
    stories) and then those stories. Page 2,000 of a topic reads 20 stories, not 40,000.

    With a ``count_key`` (what the list is: its path and filters), the number of stories is counted once
    until the site's data changes (``cache.remember``), not on every page of every request: counting the
    40,000 stories of a topic costs more than the rest of the page."""

    def __init__(self, *args, count_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        counted = Paginator.count.func
        if self.count_key is None or not isinstance(self.object_list, QuerySet):
            return counted(self)
        return remember(f"count:{self.count_key}", lambda: counted(self))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0 or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = self.object_list.in_bulk(ids)
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)
