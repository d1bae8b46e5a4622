"""Revisions: every save is recorded, diffs show what changed (escaped), and one click restores a version."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from newsroom import revisions
from newsroom.models import Article, ArticleImage, Revision, Tag
from tests.conftest import seed_path
from tests.test_admin_workflow import change_url, form_data, make_user, story

pytestmark = pytest.mark.django_db


def editor_client() -> Client:
    client = Client()
    client.force_login(make_user("Editor"))
    return client


def save_through_admin(client: Client, article: Article, **changes) -> None:
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    assert client.post(change_url(article), data).status_code == 302


def test_record_is_idempotent_per_version_and_lists_changes():
    """One revision per version; the second lists only the fields that changed since the first."""
    article = story()
    first = revisions.record(article, None)
    assert revisions.record(article, None) == first
    assert "title_hi" in first.changed and "version" not in first.changed
    article.title_en = "New"
    article.save()
    second = revisions.record(article, None, note="edited")
    assert (second.version, second.changed, second.note) == (2, ["title_en"], "edited")


def test_saving_in_the_admin_records_a_revision_with_links_and_author():
    """A save in the admin records who saved and a snapshot holding the tags and image captions."""
    article = story()
    tag = Tag.objects.create(slug="test-laos", name="Laos")
    ArticleImage.objects.create(article=article, position=0, caption_hi="चित्र")
    client = editor_client()
    save_through_admin(client, article, title_en="Edited", tags=[str(tag.pk)])
    revision = Revision.objects.get(article=article)
    assert revision.author.username == "editor"
    assert revision.version == 2
    assert revision.snapshot["tags"] == [tag.pk]
    assert revision.snapshot["images"][0]["caption_hi"] == "चित्र"


def test_import_records_a_revision_naming_the_file():
    """A story imported from a file has a first revision whose note names the file."""
    call_command("import_seeds", str(seed_path(3)), "--json", stdout=StringIO())
    revision = Revision.objects.get()
    assert revision.author is None
    assert seed_path(3).name in revision.note


def test_diff_escapes_story_text_and_marks_its_language():
    """A title containing markup shows escaped in the diff, inside an element with the story's language."""
    article = story()
    client = editor_client()
    revisions.record(article, None)
    save_through_admin(client, article, title_en="Cooperation <script>alert(1)</script>")
    url = reverse("admin:newsroom_article_revision_diff", args=[article.pk, 2])
    html = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<td lang="en" dir="auto"' in html
    assert "<del>Cross-border</del>" in html


def test_revision_list_shows_versions_authors_and_changes():
    """The revisions page lists each version with who saved it and which fields changed."""
    article = story()
    client = editor_client()
    revisions.record(article, None)
    save_through_admin(client, article, byline="Desk")
    html = client.get(reverse("admin:newsroom_article_revisions", args=[article.pk])).content.decode()
    assert "v2" in html and "editor" in html and "byline" in html
    assert (
        reverse("admin:newsroom_article_revisions", args=[article.pk])
        in client.get(change_url(article)).content.decode()
    )


def test_restore_brings_back_every_language_tags_and_captions():
    """Restoring an old version puts back every language's text, the tags and the image captions, as a new
    revision noted with the version it came from."""
    article = story()
    old_tag, new_tag = (
        Tag.objects.create(slug="test-laos", name="Laos"),
        Tag.objects.create(slug="test-ocop", name="OCOP"),
    )
    article.tags.set([old_tag])
    ArticleImage.objects.create(article=article, position=0, caption_hi="चित्र", caption_en="Picture")
    revisions.record(article, None)
    client = editor_client()
    save_through_admin(
        client,
        article,
        title_hi="बदला",
        title_en="Changed",
        title_vi="Đã đổi",
        tags=[str(new_tag.pk)],
        **{"images-0-caption_en": "Changed picture"},
    )
    url = reverse("admin:newsroom_article_revision_restore", args=[article.pk, 1])
    assert "Changed" in client.get(url).content.decode()
    assert client.post(url, {"version": "2"}).status_code == 302
    article.refresh_from_db()
    assert (article.title_hi, article.title_en) == ("सीमा पार सहयोग", "Cross-border cooperation")
    assert not article.title_vi
    assert list(article.tags.all()) == [old_tag]
    assert article.images.get().caption_en == "Picture"
    latest = Revision.objects.filter(article=article).first()
    assert (latest.version, latest.note) == (3, "restored from v1")


def test_restore_respects_the_version_it_was_confirmed_at():
    """A restore confirmed on a version that has since been saved over restores nothing."""
    article = story()
    revisions.record(article, None)
    client = editor_client()
    save_through_admin(client, article, title_en="Changed")
    url = reverse("admin:newsroom_article_revision_restore", args=[article.pk, 1])
    client.post(url, {"version": "1"})
    article.refresh_from_db()
    assert (article.title_en, article.version) == ("Changed", 2)


def test_translator_cannot_restore_original_text():
    """A Translator may not restore a version whose original-language text differs: refused, nothing changed."""
    article = story()
    revisions.record(article, None)
    save_through_admin(editor_client(), article, title_hi="बदला")
    translator = Client()
    translator.force_login(make_user("Translator"))
    url = reverse("admin:newsroom_article_revision_restore", args=[article.pk, 1])
    assert "ask an editor" in translator.get(url).content.decode()
    assert translator.post(url, {"version": "2"}).status_code == 403
    article.refresh_from_db()
    assert article.title_hi == "बदला"


def test_reporter_cannot_see_restore_of_a_published_story():
    """A Reporter cannot restore a story that left the draft state."""
    article = story(status=Article.Status.PUBLISHED)
    revisions.record(article, None)
    reporter = Client()
    reporter.force_login(make_user("Reporter"))
    url = reverse("admin:newsroom_article_revision_restore", args=[article.pk, 1])
    assert reporter.post(url, {"version": "1"}).status_code == 403


def test_revision_pages_need_login():
    """Anonymous visitors are sent to the login page, not shown a story's history."""
    article = story()
    revisions.record(article, None)
    response = Client().get(reverse("admin:newsroom_article_revisions", args=[article.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_imported_story_starts_with_a_revision_of_what_was_written():
    """The first revision of an imported story equals a snapshot read back from the database."""
    from io import StringIO

    from django.core.management import call_command

    from newsroom.revisions import snapshot as read_snapshot
    from tests.conftest import seed_path

    call_command("import_seeds", str(seed_path(2)), stdout=StringIO())
    article = Article.objects.get()
    (revision,) = article.revisions.all()
    assert revision.version == 1 and revision.author is None and "import" in revision.note
    assert revision.snapshot == read_snapshot(article)
    assert len(revision.snapshot["images"]) == 4 and revision.snapshot["tags"]
