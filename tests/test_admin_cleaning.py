"""The cleaning page: raw text beside the cleaned story, removed lines with their rules, re-cleaning."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from newsroom.ingest.load import fingerprint
from newsroom.models import Article, RawDocument
from tests.conftest import DATA, seed_path

pytestmark = pytest.mark.django_db


def import_file(path) -> Article:
    call_command("import_seeds", str(path), "--json", stdout=StringIO())
    return RawDocument.objects.get(file_name__endswith=path.name).article


def user_in(group: str, name: str = "user") -> User:
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(user_in("Editor", "editor"))
    return client


def removed_row(html: str, text: str) -> str:
    """The table row showing raw line ``text``; fails when there is none."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)
    return next(row for row in rows if text in row)


def reclean_url(article: Article) -> str:
    document = article.raw_documents.get()
    return reverse("admin:newsroom_article_reclean", args=[article.pk, document.pk])


def test_removed_lines_are_marked_with_their_rule(editor_client):
    """An editor sees each line the cleaner removed from seed 003, highlighted with the rule that took it."""
    article = import_file(seed_path(3))
    response = editor_client.get(reverse("admin:newsroom_article_cleaning", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    comment = removed_row(html, "Comment (0)")
    assert 'class="cleaning-removed"' in comment
    assert "comment-counter" in comment
    image = removed_row(html, "40.jpg")
    assert "image-file" in image
    assert "site-header" in removed_row(html, "Vietnam.vn - Nền tảng quảng bá Việt Nam")
    kept = removed_row(html, "Implement practical and effective industrial promotion projects")
    assert "cleaning-removed" not in kept
    # The raw lines are numbered as the ledger numbers them.
    assert '<td class="cleaning-number">45</td>' in comment
    # What the cleaner extracted: the caption with its credit, the source, the outlet.
    assert "Bac Ninh Industrial Promotion Center" in html
    assert "https://daibieunhandan.vn/hoan-thien-co-che-phoi-hop-trien-khai-hoat-dong-khuyen-cong-10396827.html" in html
    assert 'lang="en" dir="auto"' in html


def test_story_markup_is_shown_escaped(editor_client):
    """Markup in a story is text: the page shows ``<script>`` escaped, never runs it."""
    article = import_file(DATA / "markup_as_text.txt")
    html = editor_client.get(reverse("admin:newsroom_article_cleaning", args=[article.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html
    assert "&lt;b&gt;promotes&lt;/b&gt;" in html


def test_story_without_import_says_so(editor_client):
    """A story written in the admin has no raw text, and the page says so instead of failing."""
    article = Article.objects.create(original_language="en", title_en="Written here")
    response = editor_client.get(reverse("admin:newsroom_article_cleaning", args=[article.pk]))
    assert response.status_code == 200
    assert "This story was not imported" in response.content.decode()


def test_change_form_links_to_cleaning(editor_client):
    """The story's form links to its cleaning page."""
    article = Article.objects.create(original_language="en", title_en="Linked")
    html = editor_client.get(reverse("admin:newsroom_article_change", args=[article.pk])).content.decode()
    assert reverse("admin:newsroom_article_cleaning", args=[article.pk]) in html


def test_reclean_unticks_edited_fields_and_rewrites_only_ticked_ones(editor_client):
    """Re-cleaning proposes the raw text's values: a field an editor changed is shown unticked and kept
    unless ticked; a field nobody touched since the import is pre-ticked and rewritten on confirmation."""
    article = import_file(seed_path(3))
    imported_lead = article.lead_en
    article.body_en = "An editor rewrote the body."
    article.lead_en = "A lead the import wrote and nobody edited."
    article.save()
    document = article.raw_documents.get()
    # Pretend the import wrote this lead: the cleaner now (as with changed rules) would write another.
    document.written = {**document.written, "lead_en": fingerprint(article.lead_en)}
    document.save()
    url = reclean_url(article)

    html = editor_client.post(url).content.decode()
    assert re.search(r'<input type="checkbox" name="field" value="lead_en" checked>', html)
    assert re.search(r'<input type="checkbox" name="field" value="body_en">', html)
    assert "Edited by an editor: will be overwritten only if you tick it." in html
    article.refresh_from_db()
    assert article.body_en == "An editor rewrote the body."  # showing the proposal changes nothing

    version = article.version
    response = editor_client.post(url, {"confirm": "1", "version": version, "field": ["lead_en"]})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead_en == imported_lead
    assert article.body_en == "An editor rewrote the body."
    assert article.version == version + 1
    document.refresh_from_db()
    assert document.written["lead_en"] == fingerprint(imported_lead)


def test_ticking_an_edited_field_overwrites_it(editor_client):
    """An editor's change is overwritten when, and only when, the field is ticked."""
    article = import_file(seed_path(3))
    imported_body = article.body_en
    article.body_en = "An editor rewrote the body."
    article.save()
    editor_client.post(reclean_url(article), {"confirm": "1", "version": article.version, "field": ["body_en"]})
    article.refresh_from_db()
    assert article.body_en == imported_body


def test_get_changes_nothing(editor_client):
    """Opening the pages (even the re-clean URL with confirmation parameters) writes nothing."""
    article = import_file(seed_path(3))
    article.body_en = "An editor rewrote the body."
    article.save()
    before = Article.objects.values().get(pk=article.pk)
    editor_client.get(reverse("admin:newsroom_article_cleaning", args=[article.pk]))
    editor_client.get(reclean_url(article), {"confirm": "1", "version": article.version, "field": "body_en"})
    assert Article.objects.values().get(pk=article.pk) == before


def test_stale_confirmation_is_refused(editor_client):
    """A confirmation made on a version someone has since saved over writes nothing."""
    article = import_file(seed_path(3))
    article.body_en = "An editor rewrote the body."
    article.save()
    editor_client.post(reclean_url(article), {"confirm": "1", "version": article.version - 1, "field": ["body_en"]})
    article.refresh_from_db()
    assert article.body_en == "An editor rewrote the body."


def test_translator_may_not_reclean_the_original(client):
    """A translator cannot rewrite original-language fields, even with a forged POST."""
    article = import_file(seed_path(3))
    article.body_en = "An editor rewrote the body."
    article.save()
    client.force_login(user_in("Translator"))
    html = client.post(reclean_url(article)).content.decode()
    assert re.search(r'value="body_en" disabled', html)
    response = client.post(reclean_url(article), {"confirm": "1", "version": article.version, "field": ["body_en"]})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.body_en == "An editor rewrote the body."


def test_user_without_change_permission_cannot_reclean(client):
    """Re-cleaning needs the permission to change stories."""
    article = import_file(seed_path(3))
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="Translator").permissions.filter(codename="view_article"))
    client.force_login(user)
    assert client.get(reverse("admin:newsroom_article_cleaning", args=[article.pk])).status_code == 200
    assert client.post(reclean_url(article)).status_code == 403
