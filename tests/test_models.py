"""Model rules: versions, per-language change tracking, outdated translations."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from newsroom.models import Article

pytestmark = pytest.mark.django_db


def story(**fields) -> Article:
    return Article.objects.create(original_language="vi", title_vi="Bắc Ninh", body_vi="Nội dung.", **fields)


def test_every_save_raises_the_version():
    """The version starts at 1 and goes up by one on each save."""
    article = story()
    assert article.version == 1
    article.save()
    article.refresh_from_db()
    assert article.version == 2


def test_translation_is_outdated_when_the_original_changes_after_it():
    """A translation written before the original's last change is outdated; rewriting it fixes that."""
    article = story()
    article = Article.objects.get(pk=article.pk)
    article.title_en = "Bac Ninh"
    article.save()
    assert Article.objects.get(pk=article.pk).outdated_languages() == []
    article = Article.objects.get(pk=article.pk)
    article.body_vi = "Nội dung mới."
    article.save()
    assert Article.objects.get(pk=article.pk).outdated_languages() == ["en"]
    article = Article.objects.get(pk=article.pk)
    article.body_en = "New content."
    article.save()
    assert Article.objects.get(pk=article.pk).outdated_languages() == []


def test_saving_other_fields_does_not_outdate_translations():
    """Changing the status or byline is not a change of the original text."""
    article = story()
    article.title_en = "Bac Ninh"
    article.save()
    article = Article.objects.get(pk=article.pk)
    article.byline = "Desk"
    article.save()
    assert Article.objects.get(pk=article.pk).outdated_languages() == []


def test_deferred_loading_costs_no_extra_queries(django_assert_num_queries):
    """Loading a story with some columns deferred does not read the others behind the scenes."""
    story()
    with django_assert_num_queries(1):
        list(Article.objects.only("pk", "title_vi"))


def test_published_needs_a_date():
    """The database refuses a published story without a publication time."""
    with pytest.raises(IntegrityError):
        story(status="published")


def test_source_url_is_unique_when_present():
    """Two stories cannot share a source URL; any number can have none."""
    story(source_url="https://example.vn/a")
    story()
    story()
    with pytest.raises(IntegrityError):
        story(source_url="https://example.vn/a")


def test_published_queryset_excludes_scheduled_and_unpublished():
    """published() is published status and a publication time in the past, nothing else."""
    now = timezone.now()
    visible = story(status="published", published_at=now)
    story(status="published", published_at=now + timezone.timedelta(hours=1), source_url="https://e.vn/1")
    story(status="draft", source_url="https://e.vn/2")
    story(status="archived", published_at=now, source_url="https://e.vn/3")
    assert list(Article.objects.published()) == [visible]


def test_roles_exist_with_their_permissions():
    """A migration creates Editor, Translator and Reporter; only Editors may publish or delete."""
    from django.contrib.auth.models import Group

    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    editor, translator, reporter = codenames("Editor"), codenames("Translator"), codenames("Reporter")
    assert {"publish_article", "delete_article", "change_tag", "translate_article"} <= editor
    assert "translate_article" in translator and "publish_article" not in translator
    assert "delete_article" not in translator | reporter
    assert "add_article" in reporter and "publish_article" not in reporter
