"""The Content-Security-Policy in a real browser: the editors' admin and the public site work under it with no
violation, and every page is served with the header."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User

from newsroom.models import Article, Revision, Tag, Topic

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-1"  # a throwaway account of the test database

# Runs before any script of each page: keeps what the page's CSP refused, for the test to read.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}`,
        sample: event.sample,
    });
}, true);
"""


class CspWatch:
    """Visits pages, checking each answer's CSP header and collecting the violations the browser reports."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.visited: list[str] = []
        self.violations: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"{self.page.url}: console: {message.text}")

    def landed(self, response) -> None:
        """Check the page the browser is now on, reached with ``response``."""
        url = self.page.url
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, f"{url}: CSP header {csp!r}"
        self.page.wait_for_load_state("load")
        self.check()
        self.visited.append(url)

    def visit(self, path: str) -> None:
        self.landed(self.page.goto(self.base_url + path))

    def check(self) -> None:
        """Collect what the current page has refused so far."""
        for violation in self.page.evaluate("() => window.__cspViolations || []"):
            self.violations.append(f"{self.page.url}: {violation}")
        self.page.evaluate("() => { window.__cspViolations = []; }")


@pytest.fixture
def editor_account(published_seeds):
    user = User.objects.create_user("csp-editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_admin_and_public_pages_run_under_the_csp(live_server, page, editor_account, page_errors):
    """An editor logs in with the form, uses the dashboard, the story list with filters, a story's translation
    tabs, tag autocomplete and save, the add form, a bulk action, tags, coverage, revisions and diffs, the
    cleaning, tagging and related pages; then the public home, topic, tags, stories (with JSON-LD), search, a
    feed and the API. Every answer carries the CSP header, and the browser reports no violation and no script
    error."""
    watch = CspWatch(page, live_server.url)
    story = Article.objects.get(source_url__contains="postid430336")
    topic = Topic.objects.order_by("pk").first()
    tag = Tag.objects.filter(articles__isnull=False).order_by("pk").first()
    story_admin = f"/admin/newsroom/article/{story.pk}"

    # Logging in posts the form (form-action 'self') and lands on the desk dashboard.
    watch.visit("/admin/login/")
    page.fill("#id_username", editor_account.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=f"{live_server.url}/admin/") as navigation:
        page.click("input[type=submit]")
    watch.landed(navigation.value)

    watch.visit("/admin/newsroom/article/")
    watch.visit(f"/admin/newsroom/article/?status__exact=published&topics__id__exact={topic.pk}&q=Bac")
    # A sidebar filter link, clicked.
    with page.expect_navigation() as navigation:
        page.locator("#changelist-filter a", has_text="Published").first.click()
    watch.landed(navigation.value)

    # The change form: modeltranslation's jQuery UI tabs, the select2 tag autocomplete, then a save.
    watch.visit(f"{story_admin}/change/")
    headline_tabs = page.locator(".ui-tabs").first
    headline_tabs.locator("li[data-desk-language=en] a").click()
    assert page.locator("#id_title_en").is_visible()
    # Opening the autocomplete fetches the first tags (connect-src); typing would abort requests mid-flight.
    page.locator(".field-tags .select2-selection").click()
    page.wait_for_selector(".select2-results__option:not(.loading-results)")
    page.keyboard.press("Escape")
    watch.check()
    page.fill("#id_title_en", "Delegation visits Xaisomboun")
    with page.expect_navigation() as navigation:
        page.click("input[name=_continue]")
    watch.landed(navigation.value)
    assert page.locator(".messagelist .success").count() == 1

    watch.visit("/admin/newsroom/article/add/")
    watch.visit("/admin/newsroom/tag/")
    watch.visit(f"/admin/newsroom/tag/{tag.pk}/change/")
    watch.visit("/admin/newsroom/article/coverage/")

    latest = Revision.objects.filter(article=story).order_by("-version").first()
    watch.visit(f"{story_admin}/revisions/")
    watch.visit(f"{story_admin}/revisions/{latest.version}/")
    # The diff keeps line breaks through the stylesheet (it used to be a style attribute, which the CSP refuses).
    assert page.locator(".revision-diff td").first.evaluate("cell => getComputedStyle(cell).whiteSpace") == "pre-wrap"
    watch.visit(f"{story_admin}/revisions/{latest.version}/restore/")
    for tool in ("cleaning", "tags", "related"):
        watch.visit(f"{story_admin}/{tool}/")

    # A bulk action's intermediate page (admin/js/cancel.js and the form's media).
    watch.visit("/admin/newsroom/article/")
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", "add_tag")
    with page.expect_navigation() as navigation:
        page.click("button[name=index]")
    watch.landed(navigation.value)

    for path in (
        "/en/",
        topic.get_absolute_url("en"),
        "/en/tags/",
        tag.get_absolute_url("en"),
        story.get_absolute_url(story.original_language),
        story.get_absolute_url("ja"),
        f"/en/search/?q={quote('bac ninh')}",
        f"/{story.original_language}/search/?q={quote('निन्ह')}",
    ):
        watch.visit(path)
        if "/stories/" in path:
            assert page.locator('script[type="application/ld+json"]').count() == 1
    watch.visit("/en/rss/")
    watch.visit("/api/articles/")

    print(f"{len(watch.visited)} pages visited under the CSP, {len(watch.violations)} violations")
    assert watch.violations == []
    # The browser asks the feed and the API (no <link rel="icon">) for /favicon.ico, and a quick navigation
    # may abort the icon's request of the page before; nothing else may fail.
    assert [error for error in page_errors if "/favicon." not in error and "Failed to load resource" not in error] == []
    assert [error for error in page_errors if error.startswith("pageerror")] == []


def test_the_watch_sees_a_violation(live_server, page, desk):
    """The recording works: an inline script and a style attribute added to a page are refused, reported as
    events and on the console, and the script does not run."""
    watch = CspWatch(page, live_server.url)
    watch.visit("/en/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true;";
            document.body.append(script);
            document.body.setAttribute("style", "color: red");
        }"""
    )
    page.wait_for_function("() => window.__cspViolations.length >= 2")
    directives = page.evaluate("() => window.__cspViolations.map((violation) => violation.directive)")
    assert sorted(directives) == ["script-src-elem", "style-src-attr"]
    assert page.evaluate("() => window.inlineRan") is None
    page.wait_for_timeout(200)
    assert any("Content Security Policy directive 'script-src" in violation for violation in watch.violations)
    assert any("Content Security Policy directive 'style-src" in violation for violation in watch.violations)
