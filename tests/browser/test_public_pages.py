"""The public pages in a real browser, in Hindi, Japanese and English: rendered scripts, valid HTML,
Lighthouse accessibility, SEO and best-practices scores of 95 or more. Screenshots and Lighthouse
reports are kept in artifacts/."""

from urllib.parse import quote
from urllib.request import urlopen

import pytest

from newsroom.models import Article
from tests.browser.quality import failing_audits, run_lighthouse, scores, validate_documents

pytestmark = pytest.mark.browser

# A page in each language with stories written in it: (language, topic, seed headline start, search query).
LANGUAGES = [
    ("hi", "cross-border-cooperation", "प्रतिनिधिमंडल", "निन्ह"),
    ("ja", "industrial-promotion", "また、省人民委員会事務局", "バクニン省"),
    ("en", "industrial-promotion", "Perfecting the coordination mechanism", "bac ninh"),
]
FONTS = {"hi": "Noto Sans Devanagari", "ja": "Noto Sans CJK JP", "en": "Noto Sans"}


def story(language: str, headline_start: str) -> Article:
    return next(
        article
        for article in Article.objects.published()
        if article.original_language == language and article.headline().startswith(headline_start)
    )


def pages(live_server, language: str, topic: str, headline_start: str, query: str) -> dict[str, str]:
    return {
        "home": f"{live_server.url}/{language}/",
        "topic": f"{live_server.url}/{language}/topics/{topic}/",
        "article": live_server.url + story(language, headline_start).get_absolute_url(language),
        "search": f"{live_server.url}/{language}/search/?q={quote(query)}",
    }


@pytest.mark.parametrize(("language", "topic", "headline_start", "query"), LANGUAGES)
def test_public_pages_render_in_their_language(
    live_server, page, page_errors, published_seeds, screenshot, language, topic, headline_start, query
):
    """Home, topic, article and search pages load without errors, declare the language, show the story's
    script with an installed font, and are valid HTML; search results highlight the query."""
    documents = {}
    for kind, url in pages(live_server, language, topic, headline_start, query).items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_text(headline_start).first.is_visible()
        assert page.evaluate(f"document.fonts.check('16px \"{FONTS[language]}\"')")
        if kind == "search":
            assert page.locator(".passage mark").first.is_visible()
        screenshot(f"{kind}-{language}")
        documents[f"{kind}-{language}"] = urlopen(url).read().decode()
    assert page_errors == []
    assert validate_documents(documents) == {name: [] for name in documents}


def test_filters_work_in_the_browser(live_server, page, page_errors, published_seeds, screenshot):
    """Choosing a story language and submitting narrows a topic page; the filter stays chosen."""
    page.goto(f"{live_server.url}/en/topics/cross-border-cooperation/")
    assert page.locator("article.card").count() == 2
    page.select_option("#id_language", "hi")
    page.check("#id_translated")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "language=hi" in page.url and "translated=on" in page.url
    assert page.get_by_text("No stories match these filters.").is_visible()
    page.uncheck("#id_translated")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator("article.card").count() == 2
    assert page.locator("#id_language").input_value() == "hi"
    screenshot("topic-filtered-en")
    assert page_errors == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("topic-hi", "/hi/topics/cross-border-cooperation/"),
        ("article-ja", None),
    ],
)
def test_lighthouse_scores(live_server, published_seeds, name, path):
    """Lighthouse scores a topic page and an article page 95 or more in accessibility, SEO and best practices."""
    url = live_server.url + (path or story("ja", "また、省人民委員会事務局").get_absolute_url("ja"))
    report = run_lighthouse(url, name=name)
    result = scores(report)
    print(f"Lighthouse {name}: {result}")
    assert min(result.values()) >= 95, failing_audits(report)
