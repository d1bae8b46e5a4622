"""The public pages in a real browser, with the scripts of the seeds rendered."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_shows_the_seeds_in_their_scripts(live_server, page, published_seeds, screenshot):
    """The home page lists the five seeds; Hindi and Japanese headlines render in their own language."""
    page.goto(live_server.url + "/")
    articles = page.locator("article")
    assert articles.count() == 5
    assert page.locator('article[lang="hi"]').count() == 3
    assert page.locator('article[lang="ja"] h2').first.inner_text().startswith("また、省人民委員会事務局")
    screenshot("home")
