"""The workflow in the admin: statuses, scheduling, the roles enforced on the server, safe concurrent editing."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.admin.workflow import Role, editable_fields, role_of
from newsroom.models import Article, ArticleImage, Revision, Tag

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:newsroom_article_changelist"


def change_url(article: Article) -> str:
    return reverse("admin:newsroom_article_change", args=[article.pk])


def make_user(role: str) -> User:
    """The staff user of ``role`` (one per role), created on first use."""
    user, created = User.objects.get_or_create(username=role.lower(), defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def as_role():
    """A logged-in client for a desk role (Editor, Translator, Reporter) or "anonymous"."""

    def login(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(make_user(role))
        return client

    return login


def story(status: str = Article.Status.DRAFT, **fields) -> Article:
    """A Hindi story with an English translation."""
    published_at = fields.pop("published_at", timezone.now() if status == Article.Status.PUBLISHED else None)
    values = {
        "original_language": "hi",
        "title_hi": "सीमा पार सहयोग",
        "lead_hi": "लाओस के साथ",
        "body_hi": "पहला अनुच्छेद",
        "title_en": "Cross-border cooperation",
        "body_en": "First paragraph",
        **fields,
    }
    return Article.objects.create(status=status, published_at=published_at, **values)


def _put(data: dict, key: str, widget: forms.Widget, value) -> None:
    while hasattr(widget, "widget"):  # RelatedFieldWidgetWrapper and the like
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for number, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
            _put(data, f"{key}_{number}", sub, part)
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
    elif isinstance(widget, forms.SelectMultiple):
        data[key] = [str(getattr(item, "pk", item)) for item in value or []]
    elif value is None:
        data[key] = ""
    else:
        data[key] = str(widget.format_value(value) if not isinstance(value, str) else value)


def _form_data(form: forms.BaseForm, data: dict) -> None:
    for name, field in form.fields.items():
        _put(data, form.add_prefix(name), field.widget, form[name].value())


def form_data(response) -> dict:
    """What a browser would POST back from the change (or add) page in ``response``, unchanged."""
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        _form_data(inline.formset.management_form, data)
        for form in inline.formset.forms:
            _form_data(form, data)
    return data


# The rules as functions --------------------------------------------------------------------------------------


def test_roles_come_from_the_groups():
    """Each desk group amounts to its role, and a user without story permissions is a reader."""
    assert role_of(make_user("Editor")) is Role.EDITOR
    assert role_of(make_user("Translator")) is Role.TRANSLATOR
    assert role_of(make_user("Reporter")) is Role.REPORTER
    assert role_of(User.objects.create_user("nobody", is_staff=True)) is Role.READER


def test_translator_may_edit_only_translations():
    """A Translator may change every language's text except the original's, and nothing else."""
    article = story()
    fields = editable_fields(make_user("Translator"), article)
    assert {"title_en", "lead_en", "body_en", "title_vi"} <= fields
    assert not fields & {"title_hi", "lead_hi", "body_hi", "status", "published_at", "tags", "outlet", "byline"}
    assert editable_fields(make_user("Translator"), None) == frozenset()


def test_reporter_edits_drafts_only_and_never_the_date():
    """A Reporter may change a draft (not its publication time) and nothing once it left the draft state."""
    reporter = make_user("Reporter")
    assert "title_hi" in editable_fields(reporter, story())
    assert "published_at" not in editable_fields(reporter, story())
    assert editable_fields(reporter, story(status=Article.Status.IN_REVIEW)) == frozenset()


# Permissions by requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("Editor", True), ("Translator", False), ("Reporter", False), ("anonymous", False)]
)
@pytest.mark.parametrize("action", ["publish_now", "unpublish", "archive"])
def test_bulk_actions_only_for_editors(as_role, role, allowed, action):
    """Only Editors can publish, unpublish or archive in bulk; a forged action POST changes nothing."""
    article = story(status=Article.Status.IN_REVIEW if action != "unpublish" else Article.Status.PUBLISHED)
    before = article.status
    client = as_role(role)
    client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [article.pk]})
    article.refresh_from_db()
    expected = {"publish_now": "published", "unpublish": "draft", "archive": "archived"}[action]
    assert article.status == (expected if allowed else before)


@pytest.mark.parametrize(("role", "allowed"), [("Editor", True), ("Translator", False), ("Reporter", True)])
def test_change_original_title(as_role, role, allowed):
    """Editors and Reporters (on a draft) may change the original title; a Translator's forged POST is refused."""
    article = story()
    client = as_role(role)
    data = form_data(client.get(change_url(article)))
    data["title_hi"] = "नया शीर्षक"
    response = client.post(change_url(article), data)
    article.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert article.title_hi == "नया शीर्षक"
    else:
        assert response.status_code == 200
        assert "You may not change" in response.content.decode()
        assert article.title_hi == "सीमा पार सहयोग"
        assert article.version == 1


def test_translator_changes_a_translation_and_its_captions():
    """A Translator saves a translation and an image caption in that language."""
    article = story()
    ArticleImage.objects.create(article=article, position=0, caption_hi="चित्र", caption_en="Picture")
    client = Client()
    client.force_login(make_user("Translator"))
    data = form_data(client.get(change_url(article)))
    data["title_en"] = "Cooperation across the border"
    data["images-0-caption_en"] = "A picture"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title_en == "Cooperation across the border"
    assert article.images.get().caption_en == "A picture"
    assert article.images.get().caption_hi == "चित्र"


@pytest.mark.parametrize("field", ["status", "published_at_0", "byline", "images-0-caption_hi", "images-0-credit"])
def test_translator_forged_fields_change_nothing(field):
    """Whatever a Translator forges beyond translations, the story and its images stay as they were."""
    article = story(byline="Staff")
    ArticleImage.objects.create(article=article, position=0, caption_hi="चित्र", credit="A")
    client = Client()
    client.force_login(make_user("Translator"))
    data = form_data(client.get(change_url(article)))
    data[field] = {"status": "published", "published_at_0": "2030-01-01"}.get(field, "forged")
    data["published_at_1"] = "10:00:00"
    client.post(change_url(article), data)
    article.refresh_from_db()
    image = article.images.get()
    assert (article.status, article.published_at, article.byline) == ("draft", None, "Staff")
    assert (image.caption_hi, image.credit) == ("चित्र", "A")


def test_reporter_cannot_publish_by_forged_status():
    """A Reporter may submit a draft for review but a forged "published" status is refused."""
    article = story()
    client = Client()
    client.force_login(make_user("Reporter"))
    data = form_data(client.get(change_url(article)))
    data["status"] = "published"
    assert client.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.status == "draft"
    data["status"] = "in_review"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == "in_review"


@pytest.mark.parametrize("status", ["in_review", "published", "archived"])
def test_reporter_cannot_edit_a_story_that_left_draft(status):
    """A Reporter sees stories in review, published or archived read-only; a POST is forbidden."""
    article = story(status=status)
    client = Client()
    client.force_login(make_user("Reporter"))
    page = client.get(change_url(article))
    assert page.status_code == 200
    assert 'name="title_hi"' not in page.content.decode()
    assert client.post(change_url(article), {"title_hi": "x"}).status_code == 403
    article.refresh_from_db()
    assert article.title_hi == "सीमा पार सहयोग"


@pytest.mark.parametrize(
    ("role", "allowed"), [("Editor", True), ("Translator", False), ("Reporter", False), ("anonymous", False)]
)
def test_delete(as_role, role, allowed):
    """Only Editors may delete stories."""
    article = story()
    as_role(role).post(reverse("admin:newsroom_article_delete", args=[article.pk]), {"post": "yes"})
    assert Article.objects.filter(pk=article.pk).exists() is not allowed


@pytest.mark.parametrize(
    ("role", "allowed"), [("Editor", True), ("Translator", False), ("Reporter", True), ("anonymous", False)]
)
def test_add(as_role, role, allowed):
    """Editors and Reporters may add stories (a Reporter's is a draft); Translators and strangers may not."""
    client = as_role(role)
    editor = Client()
    editor.force_login(make_user("Editor"))
    data = form_data(editor.get(reverse("admin:newsroom_article_add")))
    data.update({"original_language": "en", "title_en": "A new story"})
    if role != "Reporter":
        data.update({"status": "published", "published_at_0": "2020-01-01", "published_at_1": "10:00:00"})
    client.post(reverse("admin:newsroom_article_add"), data)
    added = Article.objects.filter(title_en="A new story").first()
    assert (added is not None) is allowed
    if role == "Reporter":
        assert (added.status, added.published_at) == ("draft", None)


def test_reporter_cannot_add_a_published_story():
    """A Reporter's forged POST adding a published story is refused and creates nothing."""
    client = Client()
    client.force_login(make_user("Reporter"))
    data = form_data(client.get(reverse("admin:newsroom_article_add")))
    data.update({"original_language": "en", "title_en": "A new story", "status": "published"})
    data.update({"published_at_0": "2020-01-01", "published_at_1": "10:00:00"})
    response = client.post(reverse("admin:newsroom_article_add"), data)
    assert response.status_code == 200
    assert "You may not change" in response.content.decode()
    assert not Article.objects.exists()


# Publishing and scheduling -----------------------------------------------------------------------------------


def test_bulk_publish_is_all_or_nothing():
    """If one selected story cannot be published, none is, and the message names it and says why."""
    good = story(status=Article.Status.IN_REVIEW)
    bad = story(status=Article.Status.IN_REVIEW, title_hi="", title_en="Only English")
    client = Client()
    client.force_login(make_user("Editor"))
    response = client.post(
        reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [good.pk, bad.pk]}, follow=True
    )
    text = response.content.decode()
    assert "No story was changed" in text
    assert f"#{bad.pk}" in text and "no title in its original language" in text
    assert set(Article.objects.values_list("status", flat=True)) == {"in_review"}
    assert not Revision.objects.exists()


def test_bulk_publish_sets_the_time_and_records_revisions():
    """Publishing in bulk makes the stories public now, each with a revision noted "published"."""
    stories = [story(status=Article.Status.IN_REVIEW) for _ in range(3)]
    client = Client()
    client.force_login(make_user("Editor"))
    client.post(reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [s.pk for s in stories]})
    assert Article.objects.published().count() == 3
    assert set(Revision.objects.values_list("note", flat=True)) == {"published"}


def test_unpublish_returns_to_draft_and_clears_the_date():
    """An unpublished story is a draft again, no longer public, and carries no publication time."""
    article = story(status=Article.Status.PUBLISHED)
    client = Client()
    client.force_login(make_user("Editor"))
    client.post(reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert (article.status, article.published_at) == ("draft", None)
    assert not Article.objects.published().exists()


def test_scheduled_story_is_not_public_before_its_time():
    """An editor publishing with a future time schedules the story: not public until then."""
    article = story()
    client = Client()
    client.force_login(make_user("Editor"))
    data = form_data(client.get(change_url(article)))
    later = timezone.localtime() + datetime.timedelta(days=2)
    data.update({"status": "published", "published_at_0": later.date().isoformat(), "published_at_1": "09:00:00"})
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and article.published_at > timezone.now()
    assert not Article.objects.published().exists()
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - datetime.timedelta(minutes=1))
    assert Article.objects.published().get() == article


def test_publishing_without_a_time_publishes_now():
    """Setting the status to published without a time makes the story public at once."""
    article = story()
    client = Client()
    client.force_login(make_user("Editor"))
    data = form_data(client.get(change_url(article)))
    data["status"] = "published"
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.published().get() == article


# Concurrent editing ------------------------------------------------------------------------------------------


def test_second_concurrent_save_is_refused_and_keeps_its_input():
    """Two editors open the same story; the first saves; the second's save is refused, their text kept in the
    form, the error naming who saved, and the database holding the first's."""
    article = story()
    first, second = Client(), Client()
    first.force_login(make_user("Editor"))
    other = User.objects.create_user("other", is_staff=True, is_superuser=True)
    second.force_login(other)
    first_data = form_data(first.get(change_url(article)))
    second_data = form_data(second.get(change_url(article)))
    first_data["title_en"] = "First editor's title"
    second_data["title_en"] = "Second editor's title"
    assert first.post(change_url(article), first_data).status_code == 302
    response = second.post(change_url(article), second_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "was saved by editor" in html
    assert "Second editor&#x27;s title" in html
    article.refresh_from_db()
    assert article.title_en == "First editor's title"
    assert article.version == 2


def test_save_without_version_is_refused():
    """A POST that does not say which version it was loaded at cannot overwrite the story."""
    article = story()
    client = Client()
    client.force_login(make_user("Editor"))
    data = form_data(client.get(change_url(article)))
    data["loaded_version"] = ""
    data["title_en"] = "Blind write"
    assert client.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.title_en == "Cross-border cooperation"


# Query counts ------------------------------------------------------------------------------------------------


def _story_with(count: int) -> Article:
    article = story()
    tags = Tag.objects.bulk_create(Tag(slug=f"tag-{count}-{n}", name=f"Tag {n}") for n in range(count))
    article.tags.set(tags)
    ArticleImage.objects.bulk_create(
        ArticleImage(article=article, position=n, caption_hi=f"चित्र {n}") for n in range(count)
    )
    return article


def test_change_page_queries_do_not_grow_with_tags_and_images(django_assert_num_queries):
    """The change page costs as many queries for a story with 20 tags and images as for one with 2."""
    client = Client()
    client.force_login(make_user("Editor"))
    small, large = _story_with(2), _story_with(20)
    client.get(change_url(small))
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(change_url(small)).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        assert client.get(change_url(large)).status_code == 200
