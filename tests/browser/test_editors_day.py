"""An editor's day on the imported seeds, the concurrent-edit conflict, and a Translator's limits,
in real browsers. Screenshots of each step land in artifacts/screenshots/."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from newsroom.models import Article, Tag, TagAlias
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-1"  # a throwaway account of the test database


@pytest.fixture
def draft_seeds(desk):
    """The five seeds, imported as drafts."""
    call_command("import_seeds", stdout=StringIO())
    return {
        "xaisomboun": Article.objects.get(source_url__contains="postid430336"),
        "workshop": Article.objects.get(source_url__contains="postid430152"),
    }


def desk_user(username: str, role: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def open_tool(page, label: str) -> None:
    """Follow one of the links above a story's change form."""
    page.locator(".object-tools a", has_text=label).first.click()
    page.wait_for_load_state()


def log_in_with_form(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_an_editors_day(live_server, page, draft_seeds, page_errors, screenshot):
    """Log in, open the Hindi seed 000, compare raw and cleaned, accept a suggested tag, relate seed 002,
    add an English translation, publish, and find the story on the public home page."""
    story, workshop = draft_seeds["xaisomboun"], draft_seeds["workshop"]
    desk_user("editor", "Editor")
    log_in_with_form(page, live_server, "editor")
    screenshot("day-1-dashboard")

    change_url = f"{live_server.url}/admin/newsroom/article/{story.pk}/change/"
    page.goto(change_url)
    open_tool(page, "Cleaning")
    removed = page.locator(".removed, [data-rule]").filter(has_text="टिप्पणी (0)").first
    assert "comment-counter" in removed.inner_text() + (removed.get_attribute("data-rule") or "")
    screenshot("day-2-cleaning")

    # The registry grew after the import: the director now has a tag, so the story gets a suggestion.
    director = Tag.objects.create(slug="nguyen-minh-hieu", kind=Tag.Kind.PERSON, name_en="Nguyen Minh Hieu")
    TagAlias.objects.create(tag=director, name="गुयेन मिन्ह हियु")
    page.goto(change_url)
    open_tool(page, "Tags")
    assert "गुयेन मिन्ह हियु" in page.locator("tr", has_text="Nguyen Minh Hieu").inner_text()
    before = story.tags.count()
    page.locator("button", has_text="Accept").first.click()
    page.wait_for_load_state()
    assert story.tags.count() == before + 1 and story.tags.filter(pk=director.pk).exists()
    screenshot("day-3-tags")

    page.goto(change_url)
    open_tool(page, "Related")
    page.locator("li, tr", has_text=workshop.title_ja[:20]).locator("button", has_text="Relate").first.click()
    page.wait_for_load_state()
    assert list(story.related.all()) == [workshop]
    screenshot("day-4-related")

    page.goto(change_url + "?tab=en")
    page.wait_for_selector(".ui-tabs")
    page.fill("#id_title_en", "Bac Ninh and Xaisomboun strengthen industry and trade cooperation")
    page.fill(
        "#id_lead_en", "A delegation from Xaisomboun (Laos) worked with Bac Ninh's Department of Industry and Trade."
    )
    page.fill("#id_body_en", "Both sides agreed to share experience in industrial promotion and OCOP.")
    page.select_option("#id_status", "published")
    screenshot("day-5-translation")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    story.refresh_from_db()
    assert story.status == "published" and story.title_en.startswith("Bac Ninh and Xaisomboun")
    assert "en" in story.languages()

    # Published, the story is on the English site in English and on the Hindi site in Hindi.
    page.goto(f"{live_server.url}/en/")
    assert page.locator('article[lang="en"] .card-title:has-text("Bac Ninh and Xaisomboun")').count() == 1
    page.goto(f"{live_server.url}/hi/")
    assert page.locator(f'article[lang="hi"] .card-title:has-text("{story.title_hi[:30]}")').count() == 1
    page.click(f'.card-title:has-text("{story.title_hi[:30]}") a')
    page.wait_for_load_state()
    assert page.locator('link[rel="alternate"][hreflang="en"]').count() == 1
    screenshot("day-6-public")
    assert [error for error in page_errors if "favicon" not in error] == []


def test_concurrent_edit_is_refused_and_keeps_the_second_editors_work(live_server, browser, draft_seeds):
    """Two editors open the same story; the first saves; the second's save is refused with a clear
    message, their typed changes still in the form, and the first editor's work intact."""
    story = draft_seeds["workshop"]
    desk_user("first", "Editor")
    desk_user("second", "Editor")
    pages = []
    for username in ("first", "second"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in_with_form(page, live_server, username)
        page.goto(f"{live_server.url}/admin/newsroom/article/{story.pk}/change/")
        pages.append(page)
    first, second = pages
    first.fill("#id_byline", "First editor")
    first.click("input[name=_continue]")
    first.wait_for_load_state()
    second.fill("#id_byline", "Second editor")
    second.click("input[name=_continue]")
    second.wait_for_load_state()
    assert "after you opened it" in second.locator("#content").inner_text()
    assert second.input_value("#id_byline") == "Second editor"
    second.screenshot(path=str(ARTIFACTS / "conflict-refused.png"), full_page=True)
    story.refresh_from_db()
    assert story.byline == "First editor"
    for page in pages:
        page.context.close()


def test_a_translator_cannot_publish(live_server, page, draft_seeds, screenshot):
    """A Translator edits the English version but has no status field, no publish action, and the
    original Hindi text is read-only."""
    story = draft_seeds["xaisomboun"]
    desk_user("translator", "Translator")
    log_in_with_form(page, live_server, "translator")
    page.goto(f"{live_server.url}/admin/newsroom/article/")
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert not any("Publish" in action for action in actions)
    page.goto(f"{live_server.url}/admin/newsroom/article/{story.pk}/change/?tab=en")
    assert page.locator("#id_status").count() == 0
    assert page.locator("#id_title_hi").count() == 0
    page.fill("#id_title_en", "Bac Ninh and Xaisomboun strengthen cooperation")
    screenshot("translator-change-form")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    story.refresh_from_db()
    assert story.title_en == "Bac Ninh and Xaisomboun strengthen cooperation"
    assert story.status == "draft"
