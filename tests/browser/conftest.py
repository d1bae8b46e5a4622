"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Screenshots go to artifacts/screenshots/ (kept by CI). Never run `playwright install`:
the browser is the system's /usr/bin/chromium (`apt-get install chromium fonts-noto-core fonts-noto-cjk`).
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser.quality import CHROME_FLAGS, CHROMIUM

# Playwright's sync API runs an event loop in the test's thread; Django's ORM calls made by
# the tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run should have installed it.")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-core fonts-noto-cjk).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROME_FLAGS))
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot of the current page as artifacts/screenshots/<name>.png."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def desk(transactional_db):
    """What migrations made (registry, roles): live-server tests start from a flushed database."""
    from django.apps import apps

    from newsroom.roles import create_roles

    call_command("load_registry", stdout=StringIO())
    create_roles(apps)


@pytest.fixture
def published_seeds(desk):
    """The five seeds, published."""
    call_command("import_seeds", "--publish", stdout=StringIO())


@pytest.fixture
def log_in(page, live_server):
    """Log the page's browser in as a user (a session made server-side, set as a cookie)."""
    from django.test import Client

    def as_user(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return as_user


@pytest.fixture
def page_errors(page):
    """JavaScript errors, console errors and failed requests seen by the page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    return errors
