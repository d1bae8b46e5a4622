"""The translation coverage page: stories by languages, with filters a translator needs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.dashboard import Coverage
from newsroom.models import Article, Topic
from tests.conftest import staff

URL = "/admin/newsroom/article/coverage/"


def states(response, article: Article) -> dict[str, Coverage]:
    """The row of ``article`` on the page: language -> state."""
    (row,) = [row for row in response.context["rows"] if row.story.pk == article.pk]
    return {cell.language: cell.state for cell in row.cells}


def shown(response) -> set[int]:
    return {row.story.pk for row in response.context["rows"]}


def test_the_page_has_a_named_url():
    """Other pages link to the coverage page by its URL name."""
    assert reverse("admin:newsroom_article_coverage") == URL


def test_a_hindi_seed_is_original_in_hindi_and_missing_in_english(client, editor, seeds):
    """Seed 000 is written in Hindi: its Hindi cell says original, its English cell says missing, with text."""
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 200
    cells = states(response, seeds[0])
    assert cells["hi"] == Coverage.ORIGINAL
    assert cells["en"] == Coverage.MISSING
    assert list(cells) == ["vi", "en", "hi", "ja", "zh-hans", "ko", "fr", "ru", "lo"]
    change = reverse("admin:newsroom_article_change", args=[seeds[0].pk])
    html = response.content.decode()
    assert f'href="{change}?tab=en" title="English: missing"' in html
    assert '<span class="visually-hidden">English: missing</span>' in html


def test_adding_a_translation_makes_it_present_and_changing_the_original_outdates_it(client, editor, seeds):
    """A new English headline shows as present; a later change to the Hindi body shows English as outdated."""
    client.force_login(editor)
    story = Article.objects.get(pk=seeds[0].pk)
    story.title_en = "Bac Ninh and Xay Som Boun step up trade cooperation"
    story.save()
    assert states(client.get(URL), story)["en"] == Coverage.PRESENT

    story.body_hi += "\nएक और अनुच्छेद।"
    story.save()
    response = client.get(URL)
    assert states(response, story)["en"] == Coverage.OUTDATED
    assert states(response, story)["hi"] == Coverage.ORIGINAL
    assert shown(client.get(URL, {"outdated": "on"})) == {story.pk}
    assert shown(client.get(URL, {"outdated": "on", "language": "en"})) == {story.pk}
    assert shown(client.get(URL, {"outdated": "on", "language": "fr"})) == set()


def test_totals_count_each_state_per_language(client, editor, seeds):
    """The summary rows say how many stories are original, present, outdated or missing in each language."""
    client.force_login(editor)
    totals = dict(client.get(URL).context["totals"])
    assert dict(totals[Coverage.ORIGINAL])["hi"] == 3
    assert dict(totals[Coverage.MISSING])["hi"] == 2
    assert dict(totals[Coverage.MISSING])["en"] == 4
    assert dict(totals[Coverage.ORIGINAL])["en"] == 1
    assert dict(totals[Coverage.PRESENT])["en"] == 0
    assert dict(totals[Coverage.MISSING])["fr"] == 5


def test_topic_filter_keeps_the_stories_of_that_topic(client, editor, seeds):
    """Filtering by cross-border cooperation shows seeds 000 and 004 only."""
    client.force_login(editor)
    topic = Topic.objects.get(slug="cross-border-cooperation")
    assert shown(client.get(URL, {"topic": topic.pk})) == {seeds[0].pk, seeds[4].pk}


def test_language_filter_shows_the_stories_a_translator_has_to_do(client, editor, seeds):
    """ "Needs translation into Hindi" lists the stories not written in Hindi that have no Hindi version."""
    client.force_login(editor)
    assert shown(client.get(URL, {"language": "hi"})) == {seeds[2].pk, seeds[3].pk}
    story = Article.objects.get(pk=seeds[2].pk)
    story.title_hi = "औद्योगिक उत्पादन में नवाचार"
    story.save()
    response = client.get(URL, {"language": "hi"})
    assert shown(response) == {seeds[3].pk}
    assert response.context["highlighted"] == "hi"


def test_status_filter(client, editor, seeds):
    """Filtering by status keeps only stories in that status."""
    client.force_login(editor)
    Article.objects.filter(pk=seeds[1].pk).update(status=Article.Status.IN_REVIEW)
    assert shown(client.get(URL, {"status": "in_review"})) == {seeds[1].pk}
    assert len(shown(client.get(URL, {"status": "draft"}))) == 4


def test_bad_filter_values_are_reported_and_ignored(client, editor, seeds):
    """Unknown topic, language, status or page numbers do not break the page: all stories, and a message."""
    client.force_login(editor)
    response = client.get(URL, {"topic": "999999", "language": "xx", "status": "bogus", "page": "abc"})
    assert response.status_code == 200
    assert shown(response) == {story.pk for story in seeds.values()}
    assert "Some filters were not understood" in response.content.decode()
    assert client.get(URL, {"topic": "not-a-number"}).status_code == 200


def test_pages_keep_the_filters(client, editor, db):
    """With more than 50 matching stories the next-page link keeps the filter."""
    client.force_login(editor)
    make_stories(60)
    response = client.get(URL, {"language": "fr"})
    assert len(response.context["rows"]) == 50
    assert 'href="?language=fr&amp;page=2"' in response.content.decode()
    assert len(client.get(URL, {"language": "fr", "page": 2}).context["rows"]) == 10


def test_people_without_view_permission_are_refused(client, seeds):
    """Staff without permission to view stories get 403; anonymous visitors are sent to the login page."""
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(staff("nobody"))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("group", ["Translator", "Reporter"])
def test_translators_and_reporters_may_view(client, seeds, group):
    """Whoever may view stories may view their coverage."""
    client.force_login(staff(group.lower(), group=group))
    assert client.get(URL).status_code == 200


def make_stories(count: int) -> None:
    Article.objects.bulk_create(
        Article(
            title_hi=f"कहानी {n}",
            title_en=f"Story {n}" if n % 2 else "",
            original_language="hi",
            language_versions={"hi": 2, "en": 1} if n % 3 == 0 else {"hi": 1, "en": 1},
        )
        for n in range(count)
    )


@pytest.mark.uncached
def test_query_count_does_not_grow_with_the_stories_shown(client, editor, django_assert_num_queries):
    """The page costs as many queries for 10 stories as for 100 (50 shown)."""
    client.force_login(editor)
    make_stories(10)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(URL).context["rows"]) == 10
    make_stories(90)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50
    assert {cell.state for row in response.context["rows"] for cell in row.cells} == set(Coverage)


def test_the_story_list_links_to_the_coverage_page(client, editor):
    """Editors reach the coverage page from the story list."""
    client.force_login(editor)
    html = client.get("/admin/newsroom/article/").content.decode()
    assert f'href="{URL}"' in html
