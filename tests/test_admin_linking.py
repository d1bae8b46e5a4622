"""Related-story suggestions with reasons, relating in one click, merging two stories as translations."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.models import Article, ArticleImage, RawDocument, Tag, Topic
from newsroom.suggestions import related_suggestions
from tests.conftest import SEEDS, seed_path

pytestmark = pytest.mark.django_db


def seed_story(number: int) -> Article:
    return RawDocument.objects.get(file_name__endswith=seed_path(number).name).article


@pytest.fixture
def seeds():
    call_command("import_seeds", str(SEEDS), "--json", stdout=StringIO())


def login(client, group: str) -> User:
    user = User.objects.create_user(group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def related_url(article: Article) -> str:
    return reverse("admin:newsroom_article_related", args=[article.pk])


def merge_url(article: Article) -> str:
    return reverse("admin:newsroom_article_merge", args=[article.pk])


def test_suggestions_for_seed_000_rank_stories_on_the_same_subject_first(seeds):
    """The cross-border story about Bac Ninh and Laos gets the Bac Ninh story and the other cross-border
    story on top, each with reasons an editor can check."""
    article = seed_story(0)
    suggestions = related_suggestions(article)
    top = [suggestion.article for suggestion in suggestions[:2]]
    assert seed_story(2) in top or seed_story(4) in top
    assert article not in [suggestion.article for suggestion in suggestions]
    by_story = {suggestion.article: suggestion for suggestion in suggestions}
    bac_ninh = by_story[seed_story(2)]
    assert any(reason.startswith("6 shared tags: Bac Ninh") for reason in bac_ninh.reasons), bac_ninh.reasons
    assert "same outlet" in bac_ninh.reasons
    assert "shared topic: Cross-border cooperation" in by_story[seed_story(4)].reasons
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_related_stories_are_not_suggested_again(seeds):
    """A story already related is listed as related, not suggested."""
    article = seed_story(0)
    article.related.add(seed_story(2))
    assert seed_story(2) not in [suggestion.article for suggestion in related_suggestions(article)]


def test_relate_and_unrelate_in_one_click(client, seeds):
    """Relating is one POST and works both ways; so is removing."""
    article, other = seed_story(0), seed_story(4)
    login(client, "Editor")
    html = client.get(related_url(article)).content.decode()
    assert "shared topic" in html
    client.post(reverse("admin:newsroom_article_related_add", args=[article.pk]), {"other": other.pk})
    assert article in other.related.all()
    response = client.get(related_url(article))
    assert [row.story for row in response.context["related"]] == [other]
    client.post(reverse("admin:newsroom_article_related_remove", args=[article.pk]), {"other": other.pk})
    assert not other.related.exists()


def test_relating_needs_change_permission(client, seeds):
    """A user who may only view stories cannot relate them, even with a forged POST."""
    article, other = seed_story(0), seed_story(4)
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="Translator").permissions.filter(codename="view_article"))
    client.force_login(user)
    response = client.post(reverse("admin:newsroom_article_related_add", args=[article.pk]), {"other": other.pk})
    assert response.status_code == 403
    assert not article.related.exists()


def two_stories() -> tuple[Article, Article]:
    """A Hindi story and an English one about the same event, each with images, tags and a ledger row."""
    laos, ocop = Tag.objects.get(slug="laos"), Tag.objects.get(slug="ocop")
    topic = Topic.objects.first()
    hindi = Article.objects.create(original_language="hi", title_hi="हिंदी शीर्षक", body_hi="पाठ")
    english = Article.objects.create(
        original_language="en",
        title_en="English headline",
        lead_en="English lead",
        body_en="English body",
        source_url="https://example.com/story",
    )
    hindi.tags.add(laos)
    english.tags.add(ocop)
    english.topics.add(topic)
    third = Article.objects.create(original_language="vi", title_vi="Tin khác")
    english.related.add(third)
    ArticleImage.objects.create(article=hindi, position=0, caption_hi="चित्र")
    ArticleImage.objects.create(article=english, position=0, caption_en="First picture")
    ArticleImage.objects.create(article=english, position=1, caption_en="Second picture", credit="VNA")
    RawDocument.objects.create(
        file_name="en.txt", sha256="e" * 64, size=1, language="en", status="created", article=english
    )
    return hindi, english


def test_merge_as_translations(client):
    """Merging folds the English story into the Hindi one: texts, captions by position, tags, topics,
    related stories, ledger rows and source URL move; the English story is gone."""
    hindi, english = two_stories()
    login(client, "Editor")
    page = client.get(merge_url(hindi), {"other": english.pk})
    assert page.status_code == 200
    assert Article.objects.filter(pk=english.pk).exists()  # the confirmation page changes nothing
    response = client.post(merge_url(hindi), {"other": english.pk})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=english.pk).exists()
    hindi.refresh_from_db()
    assert hindi.languages() == ["hi", "en"]
    assert (hindi.title_en, hindi.lead_en, hindi.body_en) == ("English headline", "English lead", "English body")
    assert hindi.title_hi == "हिंदी शीर्षक"
    assert hindi.source_url == "https://example.com/story"
    assert set(hindi.tags.values_list("slug", flat=True)) == {"laos", "ocop"}
    assert hindi.topics.count() == 1
    assert hindi.related.get().title_vi == "Tin khác"
    assert RawDocument.objects.get(file_name="en.txt").article == hindi
    images = list(hindi.images.order_by("position"))
    assert [(i.caption_hi, i.caption_en) for i in images] == [("चित्र", "First picture"), ("", "Second picture")]
    assert images[1].credit == "VNA"
    assert hindi.outdated_languages() == []


def test_merge_of_same_language_is_refused(client):
    """Two stories in the same original language are not translations of each other: nothing changes."""
    first = Article.objects.create(original_language="en", title_en="One")
    second = Article.objects.create(original_language="en", title_en="Two")
    login(client, "Editor")
    response = client.post(merge_url(first), {"other": second.pk}, follow=True)
    assert Article.objects.filter(pk=second.pk).exists()
    assert any("Both stories are in" in str(message) for message in response.context["messages"])
    first.refresh_from_db()
    assert first.languages() == ["en"]


def test_merge_needs_delete_permission(client):
    """A translator (who may not delete stories) is refused with a message, even with a forged POST."""
    hindi, english = two_stories()
    login(client, "Translator")
    assert "Merge as translations" not in client.get(related_url(hindi)).content.decode()
    response = client.post(merge_url(hindi), {"other": english.pk}, follow=True)
    assert Article.objects.filter(pk=english.pk).exists()
    assert any("not allowed to delete" in str(message) for message in response.context["messages"])
    hindi.refresh_from_db()
    assert hindi.languages() == ["hi"]


def stories_sharing_a_tag(count: int) -> Article:
    """A story and ``count`` others sharing its tag, each related to a story of its own."""
    laos = Tag.objects.get(slug="laos")
    article = Article.objects.create(original_language="en", title_en="Laos trade fair opens")
    article.tags.add(laos)
    for number in range(count):
        other = Article.objects.create(original_language="fr", title_fr=f"Foire du Laos {number}")
        other.tags.add(laos)
    return article


@pytest.mark.uncached
def test_related_page_query_count_does_not_grow(client, django_assert_num_queries):
    """The Related page costs as many queries with 50 candidate stories as with 5."""
    login(client, "Editor")
    small = stories_sharing_a_tag(5)
    client.get(related_url(small))
    with CaptureQueriesContext(connection) as small_queries:
        assert len(client.get(related_url(small)).context["suggestions"]) == 5
    Article.objects.all().delete()
    large = stories_sharing_a_tag(50)
    large.related.add(*Article.objects.exclude(pk=large.pk)[:3])
    with django_assert_num_queries(len(small_queries)):
        assert len(client.get(related_url(large)).context["suggestions"]) == 10
