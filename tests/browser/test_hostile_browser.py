"""Hostile text in a real browser: chromium opens every public page and every desk page that holds the hostile
corpus (``tests/test_hostile.py``) and nothing runs. Every payload calls ``alert()``, so a payload that ran would
open a dialog; one that the CSP stopped would be reported as a violation; one that loaded something would ask
another host. ``pytest -s`` prints the figures."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from newsroom.models import Article, Tag
from tests.browser.test_csp import CspWatch
from tests.conftest import staff
from tests.test_hostile import (
    TAGS,
    admin_urls,
    create_tags,
    edit_story,
    edit_topic,
    hostile_public_urls,
    import_corpus,
    payloads_tried,
)

pytestmark = pytest.mark.browser


class Guard(CspWatch):
    """A ``CspWatch`` that also records every dialog (dismissing it) and refuses every request to another host."""

    def __init__(self, page, base_url: str):
        super().__init__(page, base_url)
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        own = urlsplit(base_url).netloc
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.context.route(
            "**/*",
            lambda route: route.continue_() if urlsplit(route.request.url).netloc == own else self._refuse(route),
        )

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def _refuse(self, route) -> None:
        self.foreign.append(f"{self.page.url}: {route.request.resource_type} {route.request.url}")
        route.abort()


def is_page(path: str) -> bool:
    """An HTML page: not a feed, sitemap, robots.txt or API answer (tests/test_hostile.py parses those). A few feeds
    and API answers are visited anyway; sitemaps are not: chromium's own XML viewer styles them inline, which the
    CSP refuses, reporting violations that have nothing to do with the site's content."""
    machine = ("/rss/", "/atom/", ".xml", ".txt")
    return not path.startswith(("/api/", "/feeds/")) and not path.split("?")[0].endswith(machine)


@pytest.fixture
def hostile_desk(desk):
    """The hostile tags and topic name made in the admin, the corpus imported and published, the Lai Chau story
    edited in the admin; the editor who did it, and the stories by file name."""
    editor = staff("hostile-editor", group="Editor")
    client = Client()
    client.force_login(editor)
    tags = create_tags(client)
    edit_topic(client)
    stories = import_corpus()
    edit_story(client, stories["01_script_tags.txt"], tags)
    return editor, stories


def test_no_payload_runs_in_the_browser(live_server, page, log_in, hostile_desk):
    """Chromium visits every public page holding the hostile stories (and the feeds and API answers of them), types
    a payload into the search box, then, logged in as an editor, visits every desk page holding them, opens the tag
    autocomplete with a hostile term and posts the bulk-tag and tag-merge forms: no dialog opens, the CSP reports
    no violation, no script fails and no request leaves the test server."""
    editor, stories = hostile_desk
    guard = Guard(page, live_server.url)
    public = [path for path in hostile_public_urls(Client(), stories) if is_page(path)] + [
        "/feeds/rss/",
        "/feeds/atom/",
        "/api/articles/?page_size=100",
        *(f"/api/articles/{story.pk}/" for story in stories.values()),
    ]
    for path in public:
        guard.visit(path)

    # A reader types a payload into the search box.
    guard.visit("/en/")
    page.fill("#site-search-q", "<img src=x onerror=alert('hx_typed')>")
    with page.expect_navigation() as navigation:
        page.press("#site-search-q", "Enter")
    guard.landed(navigation.value)

    log_in(editor)
    desk = admin_urls(stories)
    for path in desk:
        guard.visit(path)
    # The tag autocomplete renders hostile tag names with select2's JavaScript.
    lai_chau = stories["01_script_tags.txt"]
    guard.visit(reverse("admin:newsroom_article_change", args=[lai_chau.pk]))
    page.locator(".field-tags .select2-selection").click()
    page.keyboard.type("<script")
    option = page.locator(".select2-results__option", has_text="alert('hx_tag_en')")
    option.wait_for()
    assert option.inner_text() == TAGS["hx-script-tag"]["name_en"]
    page.keyboard.press("Escape")
    guard.check()
    # The bulk tag action's page and the tag merge page, reached by posting the changelists' forms.
    for changelist, action in (
        (reverse("admin:newsroom_article_changelist"), "add_tag"),
        (reverse("admin:newsroom_tag_changelist") + "?q=hx-", "merge_selected_tags"),
    ):
        guard.visit(changelist)
        for checkbox in page.locator("#result_list input.action-select").all():
            checkbox.check()
        page.select_option("select[name=action]", action)
        with page.expect_navigation() as navigation:
            page.click("button[name=index]")
        guard.landed(navigation.value)
    assert Tag.objects.filter(slug__in=TAGS).count() == len(TAGS)  # nothing was merged: the page only asks
    assert Article.objects.published().count() == len(stories)

    figures = payloads_tried()
    print(
        f"\nbrowser: {sum(figures.values())} payloads tried; {len(guard.visited)} pages visited "
        f"({len(public) + 2} public, {len(desk) + 5} desk); {len(guard.dialogs)} dialogs, "
        f"{len(guard.violations)} CSP violations, {len(guard.foreign)} requests to other hosts, "
        f"{len(guard.errors)} script errors"
    )
    assert guard.dialogs == []
    assert guard.violations == []
    assert guard.foreign == []
    assert guard.errors == []


def test_the_guard_sees_what_it_counts(live_server, page, desk):
    """The figures are real: a dialog, a handler the CSP refuses and a navigation to another host are each counted."""
    guard = Guard(page, live_server.url)
    guard.visit("/en/")
    page.evaluate("() => alert('probe')")
    assert guard.dialogs == [f"{live_server.url}/en/: alert 'probe'"]
    page.evaluate(
        """() => {
            const probe = document.createElement("div");
            probe.innerHTML = "<img src=x onerror=alert('probe')>";
            document.body.append(probe);
        }"""
    )
    page.wait_for_function("() => window.__cspViolations.length >= 1")
    guard.check()
    assert any("script-src-attr" in violation for violation in guard.violations)
    with pytest.raises(PlaywrightError):
        page.goto("https://elsewhere.example/")
    assert guard.foreign == [f"{live_server.url}/en/: document https://elsewhere.example/"]
