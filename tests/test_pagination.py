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
    for page 2 as for page 3 (once the topic is counted)."""
    counts = []
    for page in (1, 1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/topics/ocop/?page={page}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[2] == counts[3] == counts[1] + 1


@pytest.mark.uncached
def test_a_list_is_counted_once_until_the_site_changes(client, stories):
    """Page cache off, the stories of a topic with its filters are counted by the first request (with the
    moment the next scheduled story goes public) and not again by the next pages, until a story changes; a
    filtered list is counted apart."""

    def count_queries(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counted = [query for query in queries if "COUNT(" in query["sql"].upper()]
        return len(counted), response.content.decode()

    assert count_queries("/en/topics/ocop/")[0] == 1
    assert count_queries("/en/topics/ocop/?page=2")[0] == 0
    assert count_queries("/en/topics/ocop/?language=en")[0] == 1
    stories[0].title_en = "Market day renamed"
    stories[0].status = Article.Status.DRAFT
    stories[0].save()
    counted, page = count_queries("/en/topics/ocop/?page=2")
    assert counted == 1 and "44 stories" in page
