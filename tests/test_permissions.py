"""Who may do what in the admin, proven by real requests; forged and stale writes are refused.

The matrix: every role (anonymous, Reporter, Translator, Editor, and a superuser as the control) against every
admin action: the story list, form and history, each field group of the story form, every bulk action, every
custom view of newsroom/admin/ (cleaning, re-clean, tags, related stories, merging, coverage, revisions and
restore), the import ledger, the registry (tags, topics, outlets) and the user, group and login-attempt
admins. Each cell is one request by the Django test client, and its outcome is read from the answer and the
database, never from the buttons on a page:

- ``ok``: answered (and the change asked for made);
- ``login``: redirected to the login page;
- ``403``: refused as forbidden;
- ``refused``: answered with an error (the form again, or back to the page with a message).

Whatever is not ``ok`` changes nothing in the database, and no GET changes anything. The POSTs are what a
superuser's browser would send with the one change made, so every field a role may not change is in them
(hidden fields added to the form). Then: the same writes without a CSRF token, stories changed by any other
path while their form is open, bulk actions failing half-way, and restoring every language.

Single rules are tested in depth beside their modules: tests/test_admin_workflow.py (forged fields, statuses,
scheduling, the stale save), test_revisions.py, test_admin_cleaning.py, test_admin_linking.py,
test_admin_tagging.py, test_admin_listing.py and test_admin_registry.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom import revisions
from newsroom.languages import column, content_languages
from newsroom.models import Article, ArticleImage, Outlet, RawDocument, Tag, TagAlias, Topic
from tests.conftest import seed_path, staff
from tests.test_admin_workflow import change_url, form_data, make_user, story

pytestmark = pytest.mark.django_db

OK, LOGIN, DENIED, REFUSED = "ok", "login", "403", "refused"
ROLES = ("anonymous", "Reporter", "Translator", "Editor", "superuser")
DESK_ROLES = ("Reporter", "Translator", "Editor")
PASSWORD = "a-long-test-password-1"  # a throwaway account of the test database
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the real one costs a quarter of a second


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def roles(reporter: str, translator: str, editor: str, superuser: str = OK, anonymous: str = LOGIN) -> dict:
    """The expected outcome for each role."""
    return dict(zip(ROLES, (anonymous, reporter, translator, editor, superuser), strict=True))


EVERYONE = roles(OK, OK, OK)
EDITORS = roles(DENIED, DENIED, OK)
WRITERS = roles(OK, DENIED, OK)  # who writes stories: Reporters (drafts) and Editors
SUPERUSERS = roles(DENIED, DENIED, DENIED)
NOBODY = roles(DENIED, DENIED, DENIED, superuser=DENIED)


def superuser() -> User:
    return User.objects.get_or_create(username="root", defaults={"is_staff": True, "is_superuser": True})[0]


def login(role: str, **options) -> Client:
    """A client logged in as ``role`` ("anonymous": not logged in)."""
    client = Client(**options)
    if role == "superuser":
        client.force_login(superuser())
    elif role != "anonymous":
        client.force_login(make_user(role))
    return client


def database_state() -> dict[str, list[tuple]]:
    """Every row of every model's table (stories, links, images, revisions, search documents, the registry, the
    ledger, the admin log, users, groups, permissions, login attempts), sessions and the login log aside."""
    skipped = {"django_session", "axes_accesslog"}
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)} - skipped)
    with connection.cursor() as cursor:
        state = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            state[table] = cursor.fetchall()
    return state


class World:
    """What the actions work on: stories in each state with an image, tags, links and revisions, an imported
    story, a ledger row, the registry; the users."""

    def __init__(self) -> None:
        for role in DESK_ROLES:
            make_user(role)
        self.root = login("superuser")
        self.laos, self.ocop = Tag.objects.get(slug="laos"), Tag.objects.get(slug="ocop")
        self.topic = Topic.objects.order_by("pk").first()
        # A Hindi draft with an English translation, an image and a tag; its v2 changed the translation.
        self.draft = story(byline="Desk")
        self.draft.tags.add(self.laos)
        ArticleImage.objects.create(article=self.draft, position=0, caption_hi="चित्र", caption_en="Picture")
        revisions.record(self.draft, None)
        self.draft.title_en = "Cooperation across the border"
        self.draft.save()
        revisions.record(self.draft, None)
        self.other_draft = story(title_hi="दूसरी खबर", title_en="Another story")
        self.linked = story(title_hi="जुड़ी खबर", title_en="A linked story")
        self.linked.related.add(self.other_draft)
        self.in_review = story(status=Article.Status.IN_REVIEW)
        # A published story whose v2 changed the original text.
        self.published = story(status=Article.Status.PUBLISHED)
        revisions.record(self.published, None)
        self.published.title_hi = "बदला हुआ शीर्षक"
        self.published.save()
        revisions.record(self.published, None)
        self.japanese = Article.objects.create(original_language="ja", title_ja="国境を越えた協力", body_ja="本文")
        self.outlet = Outlet.objects.create(name="Test outlet", domain="outlet.example")
        self.duplicates = [
            Tag.objects.create(slug=f"test-dup-{n}", name_vi=f"Trùng {n}", name_en=f"Duplicate {n}") for n in (1, 2)
        ]
        # An imported draft (seed 3, English) whose body an editor rewrote: re-cleaning would put it back.
        call_command("import_seeds", str(seed_path(3)), stdout=StringIO())
        self.imported = RawDocument.objects.get(file_name__endswith=seed_path(3).name).article
        self.imported.body_en = "An editor rewrote the body."
        self.imported.save()
        self.ledger_row = RawDocument.objects.create(
            file_name="rejected.txt", sha256="f" * 64, size=1, status="rejected", reason="empty"
        )
        self.forms: dict[str, dict] = {}
        # Each role logged in once; every cell starts from this state (its changes are rolled back).
        self.clients = {role: login(role) for role in ROLES}
        self.state = database_state()

    def form(self, page: str, **changes) -> dict:
        """What a superuser's browser posts back from the form at ``page``, with ``changes``."""
        if page not in self.forms:
            self.forms[page] = form_data(self.root.get(page))
        return {**self.forms[page], **changes}

    def reload(self, article: Article) -> Article:
        return Article.objects.get(pk=article.pk)


Run = Callable[[Client, World], HttpResponse]
Done = Callable[[World], bool]


@dataclass(frozen=True)
class Action:
    name: str
    view: str  # the admin URL name the request goes to (checked on every request)
    run: Run
    expected: dict[str, str]
    done: Done | None = None  # for a write: whether the change asked for was made

    @property
    def writes(self) -> bool:
        return self.done is not None

    @property
    def bulk(self) -> str:
        """``model:action`` for a bulk action."""
        return getattr(self.run, "bulk", "")


def resolved(world: World, value):
    return value(world) if callable(value) else value


def get(page: Callable[[World], str]) -> Run:
    return lambda client, w: client.get(page(w))


def post(page: Callable[[World], str], data: Callable[[World], dict]) -> Run:
    return lambda client, w: client.post(page(w), data(w))


def change_story(target: str, **changes) -> Run:
    """POST the change form of the story ``target`` (a World member) with ``changes``."""

    def run(client: Client, w: World) -> HttpResponse:
        page = change_url(getattr(w, target))
        return client.post(page, w.form(page, **{key: resolved(w, value) for key, value in changes.items()}))

    return run


def bulk(action: str, selected: Callable[[World], list], model: str = "article", **extra) -> Run:
    """POST bulk ``action`` on the ``selected`` rows of ``model``'s list, with ``extra`` (its confirmation)."""

    def run(client: Client, w: World) -> HttpResponse:
        data = {"action": action, "_selected_action": [row.pk for row in selected(w)]}
        return client.post(
            url(f"newsroom_{model}_changelist"), {**data, **{k: resolved(w, v) for k, v in extra.items()}}
        )

    run.bulk = f"{model}:{action}"
    return run


def story_field(target: str, name: str, value) -> Done:
    return lambda w: getattr(w.reload(getattr(w, target)), name) == value


def later() -> str:
    return (timezone.localdate() + datetime.timedelta(days=3)).isoformat()


def reclean_url(w: World) -> str:
    return url("newsroom_article_reclean", w.imported.pk, w.imported.raw_documents.get().pk)


ACTIONS = [
    # Pages ----------------------------------------------------------------------------------------------------
    Action("admin index", "index", get(lambda w: url("index")), EVERYONE),
    Action("story list", "newsroom_article_changelist", get(lambda w: url("newsroom_article_changelist")), EVERYONE),
    Action("story form", "newsroom_article_change", get(lambda w: change_url(w.draft)), EVERYONE),
    Action(
        "story history",
        "newsroom_article_history",
        get(lambda w: url("newsroom_article_history", w.draft.pk)),
        EVERYONE,
    ),
    Action("add form", "newsroom_article_add", get(lambda w: url("newsroom_article_add")), WRITERS),
    Action(
        "delete page", "newsroom_article_delete", get(lambda w: url("newsroom_article_delete", w.draft.pk)), EDITORS
    ),
    Action(
        "cleaning page",
        "newsroom_article_cleaning",
        get(lambda w: url("newsroom_article_cleaning", w.imported.pk)),
        EVERYONE,
    ),
    Action(
        "re-clean page",
        "newsroom_article_reclean",
        get(reclean_url),
        EVERYONE,
    ),
    Action("tags page", "newsroom_article_tags", get(lambda w: url("newsroom_article_tags", w.draft.pk)), EVERYONE),
    Action(
        "related page",
        "newsroom_article_related",
        get(lambda w: url("newsroom_article_related", w.draft.pk)),
        EVERYONE,
    ),
    Action(
        "merge page",
        "newsroom_article_merge",
        get(lambda w: url("newsroom_article_merge", w.draft.pk) + f"?other={w.japanese.pk}"),
        roles(REFUSED, REFUSED, OK),
    ),
    Action("coverage page", "newsroom_article_coverage", get(lambda w: url("newsroom_article_coverage")), EVERYONE),
    Action(
        "revisions page",
        "newsroom_article_revisions",
        get(lambda w: url("newsroom_article_revisions", w.draft.pk)),
        EVERYONE,
    ),
    Action(
        "revision diff",
        "newsroom_article_revision_diff",
        get(lambda w: url("newsroom_article_revision_diff", w.draft.pk, 2)),
        EVERYONE,
    ),
    Action(
        "restore page",
        "newsroom_article_revision_restore",
        get(lambda w: url("newsroom_article_revision_restore", w.draft.pk, 1)),
        EVERYONE,
    ),
    Action(
        "tag autocomplete",
        "autocomplete",
        get(lambda w: url("autocomplete") + "?app_label=newsroom&model_name=article&field_name=tags&term=la"),
        EVERYONE,
    ),
    # The story form, one field group at a time, on a draft ------------------------------------------------------
    Action(
        "add a story",
        "newsroom_article_add",
        post(
            lambda w: url("newsroom_article_add"),
            lambda w: w.form(url("newsroom_article_add"), original_language="en", title_en="A new story"),
        ),
        roles(OK, DENIED, OK),
        lambda w: Article.objects.filter(title_en="A new story", status="draft").exists(),
    ),
    Action(
        "add a published story",
        "newsroom_article_add",
        post(
            lambda w: url("newsroom_article_add"),
            lambda w: w.form(
                url("newsroom_article_add"),
                original_language="en",
                title_en="A new story",
                status="published",
                published_at_0=later(),
                published_at_1="09:00:00",
            ),
        ),
        roles(REFUSED, DENIED, OK),
        lambda w: Article.objects.filter(title_en="A new story", status="published").exists(),
    ),
    Action(
        "original text",
        "newsroom_article_change",
        change_story("draft", title_hi="नया शीर्षक", body_hi="नया पाठ"),
        roles(OK, REFUSED, OK),
        story_field("draft", "title_hi", "नया शीर्षक"),
    ),
    Action(
        "translation",
        "newsroom_article_change",
        change_story("draft", title_en="A better headline", lead_en="A lead"),
        EVERYONE,
        story_field("draft", "title_en", "A better headline"),
    ),
    Action(
        "submit for review",
        "newsroom_article_change",
        change_story("draft", status="in_review"),
        roles(OK, REFUSED, OK),
        story_field("draft", "status", "in_review"),
    ),
    Action(
        "publish in the form",
        "newsroom_article_change",
        change_story("draft", status="published"),
        roles(REFUSED, REFUSED, OK),
        story_field("draft", "status", "published"),
    ),
    Action(
        "schedule",
        "newsroom_article_change",
        change_story("draft", status="published", published_at_0=later(), published_at_1="09:00:00"),
        roles(REFUSED, REFUSED, OK),
        lambda w: (w.reload(w.draft).published_at or timezone.now()) > timezone.now(),
    ),
    Action(
        "publication time only",
        "newsroom_article_change",
        change_story("draft", published_at_0=later(), published_at_1="09:00:00"),
        roles(REFUSED, REFUSED, OK),
        lambda w: w.reload(w.draft).published_at is not None,
    ),
    Action(
        "tags",
        "newsroom_article_change",
        change_story("draft", tags=lambda w: [str(w.laos.pk), str(w.ocop.pk)]),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).tags.filter(pk=w.ocop.pk).exists(),
    ),
    Action(
        "topics",
        "newsroom_article_change",
        change_story("draft", topics=lambda w: [str(w.topic.pk)], primary_topic=lambda w: str(w.topic.pk)),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).topics.exists(),
    ),
    Action(
        "related story (a draft)",
        "newsroom_article_change",
        change_story("draft", related=lambda w: [str(w.other_draft.pk)]),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).related.exists(),
    ),
    Action(
        "related story (a published one)",
        "newsroom_article_change",
        change_story("draft", related=lambda w: [str(w.published.pk)]),
        roles(REFUSED, REFUSED, OK),
        lambda w: w.reload(w.published).related.exists(),
    ),
    Action(
        "byline, outlet, source",
        "newsroom_article_change",
        change_story(
            "draft", byline="Someone", outlet=lambda w: str(w.outlet.pk), source_url="https://outlet.example/a"
        ),
        roles(OK, REFUSED, OK),
        story_field("draft", "byline", "Someone"),
    ),
    Action(
        "original language",
        "newsroom_article_change",
        change_story("draft", original_language="en"),
        roles(OK, REFUSED, OK),
        story_field("draft", "original_language", "en"),
    ),
    Action(
        "image caption, original language",
        "newsroom_article_change",
        change_story("draft", **{"images-0-caption_hi": "नया चित्र"}),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).images.get().caption_hi == "नया चित्र",
    ),
    Action(
        "image caption, translation",
        "newsroom_article_change",
        change_story("draft", **{"images-0-caption_en": "A new picture", "images-0-alt_text_en": "Alt"}),
        EVERYONE,
        lambda w: w.reload(w.draft).images.get().caption_en == "A new picture",
    ),
    Action(
        "image credit",
        "newsroom_article_change",
        change_story("draft", **{"images-0-credit": "VNA"}),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).images.get().credit == "VNA",
    ),
    Action(
        "add an image",
        "newsroom_article_change",
        change_story(
            "draft",
            **{
                "images-TOTAL_FORMS": "2",
                "images-1-article": lambda w: str(w.draft.pk),
                "images-1-position": "1",
                "images-1-caption_hi": "दूसरा चित्र",
                "images-1-caption_en": "Second picture",
            },
        ),
        roles(OK, REFUSED, OK),
        lambda w: w.reload(w.draft).images.count() == 2,
    ),
    Action(
        "delete an image",
        "newsroom_article_change",
        change_story("draft", **{"images-0-DELETE": "on"}),
        roles(REFUSED, REFUSED, OK),
        lambda w: not w.reload(w.draft).images.exists(),
    ),
    # A published story: Reporters may no longer touch it ---------------------------------------------------------
    Action(
        "published: translation",
        "newsroom_article_change",
        change_story("published", title_en="A better headline"),
        roles(DENIED, OK, OK),
        story_field("published", "title_en", "A better headline"),
    ),
    Action(
        "published: original text",
        "newsroom_article_change",
        change_story("published", title_hi="नया शीर्षक"),
        roles(DENIED, REFUSED, OK),
        story_field("published", "title_hi", "नया शीर्षक"),
    ),
    Action(
        "published: unpublish in the form",
        "newsroom_article_change",
        change_story("published", status="draft", published_at_0="", published_at_1=""),
        roles(DENIED, REFUSED, OK),
        story_field("published", "status", "draft"),
    ),
    Action(
        "delete a story",
        "newsroom_article_delete",
        post(lambda w: url("newsroom_article_delete", w.draft.pk), lambda w: {"post": "yes"}),
        EDITORS,
        lambda w: not Article.objects.filter(pk=w.draft.pk).exists(),
    ),
    # Bulk actions on the story list --------------------------------------------------------------------------------
    Action(
        "bulk: publish now",
        "newsroom_article_changelist",
        bulk("publish_now", lambda w: [w.in_review]),
        EDITORS,
        story_field("in_review", "status", "published"),
    ),
    Action(
        "bulk: unpublish",
        "newsroom_article_changelist",
        bulk("unpublish", lambda w: [w.published]),
        EDITORS,
        story_field("published", "status", "draft"),
    ),
    Action(
        "bulk: archive",
        "newsroom_article_changelist",
        bulk("archive", lambda w: [w.published]),
        EDITORS,
        story_field("published", "status", "archived"),
    ),
    Action(
        "bulk: add a tag to drafts",
        "newsroom_article_changelist",
        bulk("add_tag", lambda w: [w.draft, w.other_draft], apply="yes", tag=lambda w: w.ocop.pk),
        WRITERS,
        lambda w: w.ocop.articles.filter(pk=w.draft.pk).exists(),
    ),
    Action(
        "bulk: add a tag to a published story",
        "newsroom_article_changelist",
        bulk("add_tag", lambda w: [w.draft, w.published], apply="yes", tag=lambda w: w.ocop.pk),
        roles(REFUSED, DENIED, OK),
        lambda w: w.ocop.articles.filter(pk=w.published.pk).exists(),
    ),
    Action(
        "bulk: remove a tag",
        "newsroom_article_changelist",
        bulk("remove_tag", lambda w: [w.draft], apply="yes", tag=lambda w: w.laos.pk),
        WRITERS,
        lambda w: not w.laos.articles.filter(pk=w.draft.pk).exists(),
    ),
    Action(
        "bulk: delete",
        "newsroom_article_changelist",
        bulk("delete_selected", lambda w: [w.draft, w.other_draft], post="yes"),
        EDITORS,
        lambda w: not Article.objects.filter(pk=w.draft.pk).exists(),
    ),
    # The desk's own views ---------------------------------------------------------------------------------------
    Action(
        "re-clean the original",
        "newsroom_article_reclean",
        post(reclean_url, lambda w: {"confirm": "1", "version": w.imported.version, "field": ["body_en"]}),
        WRITERS,
        lambda w: w.reload(w.imported).body_en != "An editor rewrote the body.",
    ),
    Action(
        "accept a tag",
        "newsroom_article_tag_add",
        post(lambda w: url("newsroom_article_tag_add", w.draft.pk), lambda w: {"tag": w.ocop.pk}),
        WRITERS,
        lambda w: w.reload(w.draft).tags.filter(pk=w.ocop.pk).exists(),
    ),
    Action(
        "remove a tag",
        "newsroom_article_tag_remove",
        post(lambda w: url("newsroom_article_tag_remove", w.draft.pk), lambda w: {"tag": w.laos.pk}),
        WRITERS,
        lambda w: not w.reload(w.draft).tags.exists(),
    ),
    Action(
        "accept a tag on a published story",
        "newsroom_article_tag_add",
        post(lambda w: url("newsroom_article_tag_add", w.published.pk), lambda w: {"tag": w.ocop.pk}),
        EDITORS,
        lambda w: w.reload(w.published).tags.exists(),
    ),
    Action(
        "relate a draft",
        "newsroom_article_related_add",
        post(lambda w: url("newsroom_article_related_add", w.draft.pk), lambda w: {"other": w.other_draft.pk}),
        WRITERS,
        lambda w: w.reload(w.draft).related.exists(),
    ),
    Action(
        "relate a published story",
        "newsroom_article_related_add",
        post(lambda w: url("newsroom_article_related_add", w.draft.pk), lambda w: {"other": w.published.pk}),
        roles(REFUSED, DENIED, OK),
        lambda w: w.reload(w.published).related.exists(),
    ),
    Action(
        "unrelate",
        "newsroom_article_related_remove",
        post(lambda w: url("newsroom_article_related_remove", w.linked.pk), lambda w: {"other": w.other_draft.pk}),
        WRITERS,
        lambda w: not w.reload(w.linked).related.exists(),
    ),
    Action(
        "merge as translations",
        "newsroom_article_merge",
        post(lambda w: url("newsroom_article_merge", w.draft.pk), lambda w: {"other": w.japanese.pk}),
        roles(REFUSED, REFUSED, OK),
        lambda w: not Article.objects.filter(pk=w.japanese.pk).exists(),
    ),
    Action(
        "restore a translation",
        "newsroom_article_revision_restore",
        post(lambda w: url("newsroom_article_revision_restore", w.draft.pk, 1), lambda w: {"version": "2"}),
        EVERYONE,
        story_field("draft", "title_en", "Cross-border cooperation"),
    ),
    Action(
        "restore a published story's original",
        "newsroom_article_revision_restore",
        post(lambda w: url("newsroom_article_revision_restore", w.published.pk, 1), lambda w: {"version": "2"}),
        EDITORS,
        story_field("published", "title_hi", "सीमा पार सहयोग"),
    ),
    # The import ledger: read-only for everyone -------------------------------------------------------------------
    Action(
        "ledger list",
        "newsroom_rawdocument_changelist",
        get(lambda w: url("newsroom_rawdocument_changelist")),
        EDITORS,
    ),
    Action(
        "ledger row",
        "newsroom_rawdocument_change",
        get(lambda w: url("newsroom_rawdocument_change", w.ledger_row.pk)),
        EDITORS,
    ),
    Action(
        "ledger row history",
        "newsroom_rawdocument_history",
        get(lambda w: url("newsroom_rawdocument_history", w.ledger_row.pk)),
        EDITORS,
    ),
    Action("ledger add page", "newsroom_rawdocument_add", get(lambda w: url("newsroom_rawdocument_add")), NOBODY),
    Action(
        "ledger: change a row",
        "newsroom_rawdocument_change",
        post(lambda w: url("newsroom_rawdocument_change", w.ledger_row.pk), lambda w: {"file_name": "forged.txt"}),
        NOBODY,
        lambda w: RawDocument.objects.filter(file_name="forged.txt").exists(),
    ),
    Action(
        "ledger: delete a row",
        "newsroom_rawdocument_delete",
        post(lambda w: url("newsroom_rawdocument_delete", w.ledger_row.pk), lambda w: {"post": "yes"}),
        NOBODY,
        lambda w: not RawDocument.objects.filter(pk=w.ledger_row.pk).exists(),
    ),
    Action(
        "ledger: bulk delete",
        "newsroom_rawdocument_changelist",
        bulk("delete_selected", lambda w: [w.ledger_row], model="rawdocument", post="yes"),
        NOBODY,
        lambda w: not RawDocument.objects.filter(pk=w.ledger_row.pk).exists(),
    ),
    # The registry ---------------------------------------------------------------------------------------------------
    Action("tag list", "newsroom_tag_changelist", get(lambda w: url("newsroom_tag_changelist")), EVERYONE),
    Action("tag form", "newsroom_tag_change", get(lambda w: url("newsroom_tag_change", w.laos.pk)), EVERYONE),
    Action("tag history", "newsroom_tag_history", get(lambda w: url("newsroom_tag_history", w.laos.pk)), EVERYONE),
    Action(
        "tag: rename, add an alias",
        "newsroom_tag_change",
        post(
            lambda w: url("newsroom_tag_change", w.duplicates[0].pk),
            lambda w: w.form(
                url("newsroom_tag_change", w.duplicates[0].pk), name_en="Renamed", **{"aliases-0-name": "Alias one"}
            ),
        ),
        EDITORS,
        lambda w: TagAlias.objects.filter(name="Alias one", tag=w.duplicates[0]).exists(),
    ),
    Action(
        "tag: add",
        "newsroom_tag_add",
        post(
            lambda w: url("newsroom_tag_add"),
            lambda w: w.form(url("newsroom_tag_add"), slug="test-new", name_vi="Mới", name_en="New"),
        ),
        EDITORS,
        lambda w: Tag.objects.filter(slug="test-new").exists(),
    ),
    Action(
        "tag: delete",
        "newsroom_tag_delete",
        post(lambda w: url("newsroom_tag_delete", w.duplicates[0].pk), lambda w: {"post": "yes"}),
        EDITORS,
        lambda w: not Tag.objects.filter(pk=w.duplicates[0].pk).exists(),
    ),
    Action(
        "tags: merge",
        "newsroom_tag_changelist",
        bulk(
            "merge_selected_tags", lambda w: w.duplicates, model="tag", apply="yes", keep=lambda w: w.duplicates[0].pk
        ),
        EDITORS,
        lambda w: not Tag.objects.filter(pk=w.duplicates[1].pk).exists(),
    ),
    Action(
        "tags: bulk delete",
        "newsroom_tag_changelist",
        bulk("delete_selected", lambda w: w.duplicates, model="tag", post="yes"),
        EDITORS,
        lambda w: not Tag.objects.filter(pk=w.duplicates[1].pk).exists(),
    ),
    Action("topic list", "newsroom_topic_changelist", get(lambda w: url("newsroom_topic_changelist")), EVERYONE),
    Action("topic form", "newsroom_topic_change", get(lambda w: url("newsroom_topic_change", w.topic.pk)), EVERYONE),
    Action(
        "topic history",
        "newsroom_topic_history",
        get(lambda w: url("newsroom_topic_history", w.topic.pk)),
        EVERYONE,
    ),
    Action(
        "topic: rename, add a keyword",
        "newsroom_topic_change",
        post(
            lambda w: url("newsroom_topic_change", w.topic.pk),
            lambda w: w.form(
                url("newsroom_topic_change", w.topic.pk),
                name_en="Renamed topic",
                **{f"keywords-{w.topic.keywords.count()}-phrase": "a new keyword"},
            ),
        ),
        EDITORS,
        lambda w: w.topic.keywords.filter(phrase="a new keyword").exists(),
    ),
    Action(
        "topic: add",
        "newsroom_topic_add",
        post(
            lambda w: url("newsroom_topic_add"),
            lambda w: w.form(url("newsroom_topic_add"), slug="test-topic", name_vi="Chủ đề", position="9"),
        ),
        EDITORS,
        lambda w: Topic.objects.filter(slug="test-topic").exists(),
    ),
    Action(
        "topic: delete",
        "newsroom_topic_delete",
        post(lambda w: url("newsroom_topic_delete", w.topic.pk), lambda w: {"post": "yes"}),
        EDITORS,
        lambda w: not Topic.objects.filter(pk=w.topic.pk).exists(),
    ),
    Action(
        "topics: bulk delete",
        "newsroom_topic_changelist",
        bulk("delete_selected", lambda w: [w.topic], model="topic", post="yes"),
        EDITORS,
        lambda w: not Topic.objects.filter(pk=w.topic.pk).exists(),
    ),
    Action("outlet list", "newsroom_outlet_changelist", get(lambda w: url("newsroom_outlet_changelist")), EVERYONE),
    Action(
        "outlet form", "newsroom_outlet_change", get(lambda w: url("newsroom_outlet_change", w.outlet.pk)), EVERYONE
    ),
    Action(
        "outlet history",
        "newsroom_outlet_history",
        get(lambda w: url("newsroom_outlet_history", w.outlet.pk)),
        EVERYONE,
    ),
    Action(
        "outlet: change",
        "newsroom_outlet_change",
        post(
            lambda w: url("newsroom_outlet_change", w.outlet.pk),
            lambda w: w.form(url("newsroom_outlet_change", w.outlet.pk), homepage="https://outlet.example/"),
        ),
        EDITORS,
        lambda w: Outlet.objects.get(pk=w.outlet.pk).homepage == "https://outlet.example/",
    ),
    Action(
        "outlet: add",
        "newsroom_outlet_add",
        post(lambda w: url("newsroom_outlet_add"), lambda w: w.form(url("newsroom_outlet_add"), name="New outlet")),
        EDITORS,
        lambda w: Outlet.objects.filter(name="New outlet").exists(),
    ),
    Action(
        "outlet: delete",
        "newsroom_outlet_delete",
        post(lambda w: url("newsroom_outlet_delete", w.outlet.pk), lambda w: {"post": "yes"}),
        EDITORS,
        lambda w: not Outlet.objects.filter(pk=w.outlet.pk).exists(),
    ),
    Action(
        "outlets: bulk delete",
        "newsroom_outlet_changelist",
        bulk("delete_selected", lambda w: [w.outlet], model="outlet", post="yes"),
        EDITORS,
        lambda w: not Outlet.objects.filter(pk=w.outlet.pk).exists(),
    ),
    # Accounts: nobody on the desk manages them ----------------------------------------------------------------------
    Action("user list", "auth_user_changelist", get(lambda w: url("auth_user_changelist")), SUPERUSERS),
    Action(
        "user: make a Reporter superuser",
        "auth_user_change",
        post(
            lambda w: url("auth_user_change", make_user("Reporter").pk),
            lambda w: w.form(url("auth_user_change", make_user("Reporter").pk), is_superuser="on"),
        ),
        SUPERUSERS,
        lambda w: User.objects.get(username="reporter").is_superuser,
    ),
    Action(
        "group: give Reporters every permission",
        "auth_group_change",
        post(
            lambda w: url("auth_group_change", Group.objects.get(name="Reporter").pk),
            lambda w: w.form(
                url("auth_group_change", Group.objects.get(name="Reporter").pk),
                permissions=[
                    str(pk) for pk in Group.objects.get(name="Editor").permissions.values_list("pk", flat=True)
                ],
            ),
        ),
        SUPERUSERS,
        lambda w: Group.objects.get(name="Reporter").permissions.filter(codename="publish_article").exists(),
    ),
    Action(
        "login attempts",
        "axes_accessattempt_changelist",
        get(lambda w: url("axes_accessattempt_changelist")),
        SUPERUSERS,
    ),
]
WRITES = [action for action in ACTIONS if action.writes]


def outcome(action: Action, response: HttpResponse, changed: bool, world: World) -> str:
    """What the answer and the database say happened."""
    code = response.status_code
    if response.resolver_match.url_name != action.view:
        return f"requested {response.resolver_match.url_name}, not {action.view}"
    if code == 403:
        result = DENIED
    elif code == 302 and urlparse(response["Location"]).path == url("login"):
        result = LOGIN
    elif code >= 400:
        return f"HTTP {code}"
    elif not action.writes:
        result = OK if code == 200 else REFUSED
    elif changed and action.done(world):
        return OK
    elif changed:
        return "changed something, not what was asked"
    else:
        result = REFUSED
    return f"{result}, yet the database changed" if changed else result


class Rollback(Exception):
    """Ends a cell: the next role starts from the same database."""


def run_cell(action: Action, role: str, world: World) -> str:
    """The outcome of ``role`` doing ``action``; every change is rolled back afterwards."""
    try:
        with transaction.atomic():
            response = action.run(world.clients[role], world)
            raise Rollback(outcome(action, response, database_state() != world.state, world))
    except Rollback as result:
        return str(result)


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """One World for a class of tests, in a transaction rolled back at its end; each test's own changes are
    rolled back after it (as Django's ``setUpTestData``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


class TestTheMatrix:
    """The matrix and the same writes without a CSRF token, on one World."""

    @pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
    def test_matrix(self, world, action):
        """Each role gets exactly what its row says, by real requests: what is refused (403, the login page or an
        error) changes nothing in the database, and no GET changes anything."""
        got = {role: run_cell(action, role, world) for role in ROLES}
        assert got == action.expected

    @pytest.mark.parametrize("action", WRITES, ids=[action.name for action in WRITES])
    def test_a_write_without_csrf_token_is_refused(self, world, action):
        """Every admin form and action POSTed without the CSRF token (as a forging site would, with the victim's
        cookies) is refused with 403 and changes nothing; the same POST with the token does what it should."""
        client = csrf_client()
        before = database_state()
        response = action.run(client, world)
        assert response.status_code == 403
        assert b"CSRF" in response.content
        assert database_state() == before
        client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
        response = action.run(client, world)
        assert outcome(action, response, database_state() != before, world) == action.expected["superuser"]


def test_the_matrix_covers_every_admin_view_and_bulk_action(rf):
    """No page, custom view or bulk action of the desk's admin (newsroom/admin/) is left out of the matrix."""
    desk = {
        model: model_admin for model, model_admin in admin.site._registry.items() if model._meta.app_label == "newsroom"
    }
    views = {pattern.name for model_admin in desk.values() for pattern in model_admin.get_urls() if pattern.name}
    assert views - {action.view for action in ACTIONS} == set()
    request = rf.get("/")
    request.user = superuser()
    offered = {
        f"{model._meta.model_name}:{name}"
        for model, model_admin in desk.items()
        for name in model_admin.get_actions(request)
    }
    assert offered - {action.bulk for action in ACTIONS} == set()


# CSRF ----------------------------------------------------------------------------------------------------------


def csrf_client(role: str = "superuser") -> Client:
    """A client that checks CSRF as a browser's requests are checked, holding the CSRF cookie a page gave it."""
    client = login(role, enforce_csrf_checks=True)
    client.get(url("login") if role == "anonymous" else url("index"))
    assert client.cookies["csrftoken"].value
    return client


def test_login_without_csrf_token_is_refused(settings):
    """The login form posted without the CSRF token is refused: nobody is logged in, and it is no failed attempt."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    User.objects.create_user("writer", password=PASSWORD, is_staff=True)
    client = csrf_client("anonymous")
    response = client.post(url("login"), {"username": "writer", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()
    response = client.post(
        url("login"),
        {"username": "writer", "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_logout_and_password_change_without_csrf_token_are_refused(settings):
    """Logging out and changing one's password need the CSRF token: a forged POST leaves the session and the
    password as they were."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    user = User.objects.create_user("writer", password=PASSWORD, is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(url("password_change"))
    new = "another-long-password-2"
    response = client.post(
        url("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.post(url("logout")).status_code == 403
    assert client.get(url("index")).status_code == 200


# Concurrent edits ----------------------------------------------------------------------------------------------


def editor_client(user: User | None = None) -> Client:
    """A client logged in as ``user``, by default the Editor."""
    client = Client()
    client.force_login(user or make_user("Editor"))
    return client


def ok(response: HttpResponse) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert urlparse(response["Location"]).path != url("login")


def form_save(client: Client, article: Article, **changes) -> None:
    page = change_url(article)
    ok(client.post(page, {**form_data(client.get(page)), **changes}))


def restore_v1(client: Client, article: Article) -> None:
    article.refresh_from_db()
    ok(client.post(url("newsroom_article_revision_restore", article.pk, 1), {"version": article.version}))


def merge_tag_into_laos(client: Client, article: Article) -> None:
    """A tag of the story merged into another in the registry."""
    ok(
        client.post(
            url("newsroom_tag_changelist"),
            {
                "action": "merge_selected_tags",
                "_selected_action": [Tag.objects.get(slug="laos").pk, Tag.objects.get(slug="test-dup").pk],
                "apply": "yes",
                "keep": Tag.objects.get(slug="laos").pk,
            },
        )
    )


def reclean(client: Client, article: Article) -> None:
    article.refresh_from_db()
    document = article.raw_documents.get()
    page = url("newsroom_article_reclean", article.pk, document.pk)
    ok(client.post(page, {"confirm": "1", "version": article.version, "field": ["body_en"]}))


def merge_japanese(client: Client, article: Article) -> None:
    japanese = Article.objects.create(original_language="ja", title_ja="見出し", body_ja="本文")
    ok(client.post(url("newsroom_article_merge", article.pk), {"other": japanese.pk}))


def bulk_post(action: str, **extra) -> Callable[[Client, Article], None]:
    def run(client: Client, article: Article) -> None:
        data = {"action": action, "_selected_action": [article.pk]}
        ok(
            client.post(
                url("newsroom_article_changelist"), {**data, **{k: v() if callable(v) else v for k, v in extra.items()}}
            )
        )

    return run


# Another editor's change to the story, made while the first has its form open; what must survive of it.
MEANWHILE = {
    "saved in the form": (
        lambda client, article: form_save(client, article, byline="Second desk"),
        lambda article: article.byline == "Second desk",
    ),
    "published in bulk": (bulk_post("publish_now"), lambda article: article.status == "published"),
    "archived in bulk": (bulk_post("archive"), lambda article: article.status == "archived"),
    "tagged in bulk": (
        bulk_post("add_tag", apply="yes", tag=lambda: Tag.objects.get(slug="ocop").pk),
        lambda article: article.tags.filter(slug="ocop").exists(),
    ),
    "tag accepted": (
        lambda client, article: ok(
            client.post(url("newsroom_article_tag_add", article.pk), {"tag": Tag.objects.get(slug="ocop").pk})
        ),
        lambda article: article.tags.filter(slug="ocop").exists(),
    ),
    "story related": (
        lambda client, article: ok(client.post(url("newsroom_article_related_add", article.pk), {"other": story().pk})),
        lambda article: article.related.exists(),
    ),
    "cleaned again": (reclean, lambda article: article.body_en != "An editor rewrote the body."),
    "revision restored": (restore_v1, lambda article: article.body_en != "An editor rewrote the body."),
    "merged with a translation": (merge_japanese, lambda article: article.title_ja == "見出し"),
    "its tag merged in the registry": (
        merge_tag_into_laos,
        lambda article: not Tag.objects.filter(slug="test-dup").exists(),
    ),
}


@pytest.fixture
def imported_draft(db) -> Article:
    """An imported story (seed 3, English) with a first revision, then an editor's changes in v2: another
    body, a byline, a duplicate tag."""
    call_command("import_seeds", str(seed_path(3)), stdout=StringIO())
    article = RawDocument.objects.get(file_name__endswith=seed_path(3).name).article
    article.body_en = "An editor rewrote the body."
    article.byline = "Desk"
    # tests.test_admin_workflow.form_data posts a chosen foreign key as "['2']": leave them empty.
    article.outlet = article.primary_topic = None
    article.save()
    article.tags.add(Tag.objects.create(slug="test-dup", name="Laos duplicate"))
    revisions.record(article, None)
    return article


@pytest.mark.parametrize("victim", ["Editor", "Translator"])
@pytest.mark.parametrize("meanwhile", MEANWHILE, ids=list(MEANWHILE))
def test_a_form_opened_before_another_change_cannot_save_over_it(imported_draft, victim, meanwhile):
    """Someone (an Editor, or a Translator on a translation tab) opens a story; another editor changes it by any
    path: the form, a bulk action, the tags or related pages, re-cleaning, a restore, a merge, a tag merge in
    the registry. The first one's save is refused with a clear error, and the other change stays."""
    article = imported_draft
    change, survived = MEANWHILE[meanwhile]
    first = editor_client() if victim == "Editor" else login("Translator")
    second = editor_client(staff("second", group="Editor"))
    page = change_url(article)
    data = {**form_data(first.get(page)), "title_vi": "Bản dịch tiếng Việt"}
    change(second, article)
    response = first.post(page, data)
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    article.refresh_from_db()
    assert not article.title_vi
    assert survived(article)


# Bulk actions are all or nothing ----------------------------------------------------------------------------


@contextmanager
def failing(model, operation: str, pk: int) -> Iterator[None]:
    """A database trigger making ``operation`` (UPDATE or DELETE) of row ``pk`` of ``model``'s table fail, as a
    violated constraint would."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER test_failing BEFORE {operation} ON {table} FOR EACH ROW WHEN OLD.id = {int(pk)} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_failing() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test trigger'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER test_failing BEFORE {operation} ON {table} FOR EACH ROW "
                f"WHEN (OLD.id = {int(pk)}) EXECUTE FUNCTION test_failing()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER test_failing")
            else:
                cursor.execute(f"DROP TRIGGER test_failing ON {table}")
                cursor.execute("DROP FUNCTION test_failing()")


def three(status: str) -> list[Article]:
    return [story(status=status, title_en=f"Story {n}") for n in range(3)]


# Bulk action -> (the stories it runs on, the POST's confirmation, the table and operation that fails).
BULK = {
    "publish_now": (lambda: three("in_review"), {}, Article, "UPDATE"),
    "unpublish": (lambda: three("published"), {}, Article, "UPDATE"),
    "archive": (lambda: three("published"), {}, Article, "UPDATE"),
    "add_tag": (lambda: three("draft"), {"apply": "yes", "tag": "ocop"}, Article, "UPDATE"),
    "remove_tag": (lambda: three("draft"), {"apply": "yes", "tag": "laos"}, Article, "UPDATE"),
    "delete_selected": (lambda: three("draft"), {"post": "yes"}, Article, "DELETE"),
}


@pytest.mark.parametrize("action", BULK)
def test_a_bulk_action_failing_on_its_last_story_changes_nothing(action):
    """When the database refuses the last of three stories half-way through a bulk action, the stories before
    it are not changed either: no status, tag, deletion, revision or log entry is left behind."""
    stories, extra, model, operation = BULK[action]
    selected = stories()
    laos = Tag.objects.get(slug="laos")
    for article in selected:
        article.tags.add(laos)
    extra = {key: Tag.objects.get(slug=value).pk if key == "tag" else value for key, value in extra.items()}
    client = editor_client()
    before = database_state()
    data = {"action": action, "_selected_action": [article.pk for article in selected], **extra}
    with failing(model, operation, selected[-1].pk), pytest.raises(DatabaseError):
        client.post(url("newsroom_article_changelist"), data)
    assert database_state() == before
    ok(client.post(url("newsroom_article_changelist"), data))  # without the failure it goes through
    assert database_state() != before


def test_a_tag_merge_failing_half_way_changes_nothing():
    """Merging tags when the database refuses to delete the second one leaves every tag, alias, story link and
    log entry as it was."""
    keep, *others = [Tag.objects.create(slug=f"test-merge-{n}", name=f"Merge {n}") for n in range(3)]
    for tag in others:
        story(title_en=f"About {tag.slug}").tags.add(tag)
    client = editor_client()
    before = database_state()
    data = {
        "action": "merge_selected_tags",
        "_selected_action": [keep.pk, *(tag.pk for tag in others)],
        "apply": "yes",
        "keep": keep.pk,
    }
    with failing(Tag, "DELETE", others[-1].pk), pytest.raises(DatabaseError):
        client.post(url("newsroom_tag_changelist"), data)
    assert database_state() == before


# Restoring every language --------------------------------------------------------------------------------------


def every_column(version: str) -> tuple[dict[str, str], dict[str, str]]:
    """A value for every language's headline, lead and body, and every language's caption and alt text."""
    texts = {
        column(f, lang): f"{f} {lang} {version}" for f in ("title", "lead", "body") for lang in content_languages()
    }
    images = {column(f, lang): f"{f} {lang} {version}" for f in ("caption", "alt_text") for lang in content_languages()}
    return texts, images


def test_restore_brings_back_every_language_of_every_text():
    """Restoring a version puts back the headline, lead and body of all nine languages and every language's
    image caption and alt text, after an editor changed all of them."""
    texts, images = every_column("v1")
    article = Article.objects.create(original_language="vi", **texts)
    image = ArticleImage.objects.create(article=article, position=0, **images)
    revisions.record(article, None)
    client = editor_client()
    new_texts, new_images = every_column("v2")
    form_save(client, article, **new_texts, **{f"images-0-{name}": value for name, value in new_images.items()})
    article.refresh_from_db()
    image.refresh_from_db()
    assert all(getattr(article, name) == value for name, value in new_texts.items())
    assert all(getattr(image, name) == value for name, value in new_images.items())
    restore_v1(client, article)
    article.refresh_from_db()
    restored = ArticleImage.objects.get(article=article)
    assert {name: getattr(article, name) for name in texts} == texts
    assert {name: getattr(restored, name) for name in images} == images
    assert article.outdated_languages() == []
