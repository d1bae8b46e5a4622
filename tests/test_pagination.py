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


@pytest.mark.parametrize("orphans", [0, 5])
def test_a_keyed_list_pages_from_its_ids_as_slicing_does(stories, orphans):
    """With a key, pages come from the list's ids read once: the same stories in the same order as slicing."""
    listing = Article.objects.published().for_listing()
    paginator = ListingPaginator(listing, 20, orphans=orphans, key="everything")
    pages = [list(paginator.page(number)) for number in paginator.page_range]
    assert [story.pk for page in pages for story in page] == list(listing.values_list("pk", flat=True))
    assert paginator.count == 45


@pytest.mark.uncached
def test_every_page_costs_the_same_once_the_list_is_read(client, stories):
    """Page cache off, the first request for a topic with its filters reads the list's ids, the filters' tags and
    outlets, the outlets' registry (which names each card's), the navigation's topics and the moment the next
    scheduled story goes public; then page 1, 2 and 3
    cost the same queries, and count nothing. A filtered list is read apart; a change to a story has the list
    read again, without it if it is hidden."""

    def queries(url: str) -> tuple[int, int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counting = [query for query in captured if "COUNT(" in query["sql"].upper()]
        return len(captured), len(counting), response.content.decode()

    first = queries("/en/topics/ocop/")
    later = [queries(f"/en/topics/ocop/?page={page}") for page in (1, 2, 3)]
    assert first[0] == later[0][0] + 6
    assert {(total, counted) for total, counted, _ in later} == {(later[0][0], 0)}
    # The next publication, the filters' options, the outlets' registry and the topics are known by now.
    assert queries("/en/topics/ocop/?language=en")[0] == first[0] - 5
    stories[0].status = Article.Status.DRAFT
    stories[0].save()
    total, _, page = queries("/en/topics/ocop/?page=3")
    assert total == first[0] and "44 stories" in page and "Market day 0<" not in page
