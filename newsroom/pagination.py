"""Pages of long story lists."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


class ListingPaginator(Paginator):
    """A paginator whose later pages cost what the first one does: past page 1, a page of a queryset is
    fetched in two steps, the page's ids (the database walks only its indexes past the earlier pages'
    stories) and then those stories. Page 2,000 of a topic reads 20 stories, not 40,000."""

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
