"""Tag suggestions with their evidence, accepting and removing tags in one click."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.models import Article, ArticleImage, RawDocument, Tag, TagAlias
from tests.conftest import seed_path

pytestmark = pytest.mark.django_db


def import_seed(number: int) -> Article:
    call_command("import_seeds", str(seed_path(number)), "--json", stdout=StringIO())
    return RawDocument.objects.get(file_name__endswith=seed_path(number).name).article


def login(client, group: str) -> None:
    user = User.objects.create_user(group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)


def tags_url(article: Article) -> str:
    return reverse("admin:newsroom_article_tags", args=[article.pk])


def test_suggests_mentioned_tags_with_alias_and_where(client):
    """Seed 000 mentions Xaisomboun; once the tag is off the story it is suggested with the alias that
    matched, the language and the parts of the story it was found in."""
    article = import_seed(0)
    xaisomboun = Tag.objects.get(slug="xaisomboun")
    article.tags.remove(xaisomboun)
    login(client, "Editor")
    response = client.get(tags_url(article))
    suggestions = response.context["suggestions"]
    (suggestion,) = [s for s in suggestions if s.tag == xaisomboun]
    evidence = next(e for e in suggestion.evidence if not e.from_import)
    assert (evidence.language, evidence.alias) == ("hi", "ज़े सोम बुन")
    assert "caption 1" in evidence.where
    assert "paragraph 8" in evidence.where
    assert all(s.tag not in article.tags.all() for s in suggestions)
    html = response.content.decode()
    assert 'lang="hi" dir="auto">ज़े सोम बुन</span>' in html


def test_accepting_a_suggestion_adds_the_tag(client):
    """Accept is one POST: the tag is on the story and the page says so."""
    article = import_seed(0)
    laos = Tag.objects.get(slug="laos")
    article.tags.remove(laos)
    login(client, "Editor")
    response = client.post(reverse("admin:newsroom_article_tag_add", args=[article.pk]), {"tag": laos.pk}, follow=True)
    assert laos in article.tags.all()
    assert laos not in [s.tag for s in response.context["suggestions"]]
    assert any("added" in str(message) for message in response.context["messages"])


def test_accepting_a_tag_raises_the_version_and_records_a_revision(client):
    """A tag accepted outside the form is a new version (a form opened before cannot save over it),
    with a revision saying who added which tag."""
    article = import_seed(0)
    laos = Tag.objects.get(slug="laos")
    article.tags.remove(laos)
    before = Article.objects.get(pk=article.pk).version
    login(client, "Editor")
    client.post(reverse("admin:newsroom_article_tag_add", args=[article.pk]), {"tag": laos.pk})
    article.refresh_from_db()
    assert article.version == before + 1
    revision = article.revisions.get(version=article.version)
    assert revision.author.username and "Laos" in revision.note and laos.pk in revision.snapshot["tags"]


def test_removing_a_tag(client):
    """A current tag is removed in one POST."""
    article = import_seed(0)
    laos = Tag.objects.get(slug="laos")
    login(client, "Editor")
    client.post(reverse("admin:newsroom_article_tag_remove", args=[article.pk]), {"tag": laos.pk})
    assert laos not in article.tags.all()


def test_a_tag_added_to_the_text_is_suggested(client):
    """An editor's new mention in a translation is found: the story's text as it is now is classified."""
    article = Article.objects.create(original_language="en", title_en="Trade fair", body_en="Visitors from Laos came.")
    login(client, "Editor")
    suggestions = client.get(tags_url(article)).context["suggestions"]
    laos = next(s for s in suggestions if s.tag.slug == "laos")
    assert [(e.language, e.where) for e in laos.evidence] == [("en", ["paragraph 1"])]


def test_user_without_change_permission_cannot_accept(client):
    """A user who may only view stories gets 403 and the tag is not added."""
    article = import_seed(0)
    laos = Tag.objects.get(slug="laos")
    article.tags.remove(laos)
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="Translator").permissions.filter(codename="view_article"))
    client.force_login(user)
    assert "Accept" not in client.get(tags_url(article)).content.decode()
    response = client.post(reverse("admin:newsroom_article_tag_add", args=[article.pk]), {"tag": laos.pk})
    assert response.status_code == 403
    assert laos not in article.tags.all()


def test_get_cannot_add_a_tag(client):
    """Adding a tag needs a POST."""
    article = Article.objects.create(original_language="en", title_en="Trade fair")
    laos = Tag.objects.get(slug="laos")
    login(client, "Editor")
    response = client.get(reverse("admin:newsroom_article_tag_add", args=[article.pk]), {"tag": laos.pk})
    assert response.status_code == 405
    assert not article.tags.exists()


def make_story(tag_count: int) -> Article:
    """A story mentioning ``tag_count`` new tags (half of them on it), with that many captioned images."""
    start = Tag.objects.count()
    tags = [Tag.objects.create(slug=f"test-tag-{n}", name=f"Testtag{n}") for n in range(start, start + tag_count)]
    for tag in tags:
        TagAlias.objects.create(tag=tag, name=f"Aliasname{tag.pk}")
    body = "\n\n".join(f"About Aliasname{tag.pk} and Testtag{tag.pk}." for tag in tags)
    article = Article.objects.create(original_language="en", title_en="Many tags", body_en=body, title_fr="Titre")
    article.tags.add(*tags[: tag_count // 2])
    ArticleImage.objects.bulk_create(
        ArticleImage(article=article, position=n, caption_en=f"Caption {n}") for n in range(tag_count)
    )
    return article


@pytest.mark.uncached
def test_tags_page_query_count_does_not_grow(client, django_assert_num_queries):
    """The Tags page costs as many queries for a story with 50 tags and images as for one with 5."""
    login(client, "Editor")
    small, large = make_story(5), make_story(50)
    client.get(tags_url(small))  # the session and the user are cached from here on
    with CaptureQueriesContext(connection) as small_queries:
        assert len(client.get(tags_url(small)).context["suggestions"]) >= 2
    with django_assert_num_queries(len(small_queries)):
        assert len(client.get(tags_url(large)).context["suggestions"]) >= 25
