"""ListingPaginator: later pages fetched by id, the same stories in the same order as plain slicing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsroom.models import Article, Topic
from newsroom.pagination import ListingPaginator
from tests.conftest import make_story


@pytest.fixture
def stories(db) -> list[Article]:
    """45 published stories in one topic, several sharing a publication time (the id breaks the tie)."""
    topic = Topic.objects.get(slug="ocop")
    made = [make_story(f"Market day {number}", "en", topics=[topic]) for number in range(45)]
    Article.objects.filter(pk__in=[story.pk for story in made[10:20]]).update(published_at=made[10].published_at)
    return made


@pytest.mark.parametrize("orphans", [0, 5])
def test_every_page_holds_what_slicing_gives(stories, orphans):
    """Each page lists the stories plain slicing of the ordered queryset gives, in its order, orphans included."""
    listing = Article.objects.published().for_listing()
    paginator = ListingPaginator(listing, 20, orphans=orphans)
    pages = [list(paginator.page(number)) for number in paginator.page_range]
    assert [story.pk for page in pages for story in page] == list(listing.values_list("pk", flat=True))
    assert [len(page) for page in pages] == ([20, 25] if orphans else [20, 20, 5])


@pytest.mark.uncached
def test_a_later_page_costs_one_query_more_whatever_its_number(client, stories):
    """Past page 1 a topic page reads the page's ids, then its stories: one query more than page 1, the same
    for page 2 as for page 3."""
    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/topics/ocop/?page={page}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2] == counts[0] + 1
