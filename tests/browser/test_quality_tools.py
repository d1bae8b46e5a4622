"""The quality gates themselves (tests/browser/quality.py): each one passes good markup and fails bad.

Lighthouse runs twice here (~13 s each) on two static pages served from a temporary folder by
Python's http.server, reached as http://localhost:PORT like pytest-django's live_server.
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import quality

pytestmark = pytest.mark.browser

INVALID_HTML = '<!doctype html><html lang="en"><head><title>x</title></head><body><p><div></p></body></html>'
VALID_HTML = '<!doctype html><html lang="en"><head><title>x</title></head><body><p>Hello</p></body></html>'
# Valid, but vnu warns ("The type attribute is unnecessary for JavaScript resources"): warnings don't count.
VALID_WITH_WARNING = (
    '<!doctype html><html lang="en"><head><title>x</title><script type="text/javascript"></script></head>'
    "<body><p>Hello</p></body></html>"
)

GOOD_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="A small page that does everything right, for the quality gates' own test.">
<title>A good page</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<main>
<h1>A good page</h1>
<p>Readable text in a readable size, with <a href="/bad.html">a link that says where it goes</a>.</p>
<img src="/favicon.svg" alt="The site's logo" width="32" height="32">
</main>
</body>
</html>
"""
BAD_PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
</head>
<body>
<img src="/favicon.svg" width="32" height="32">
<p style="color:#bbb;background:#fff">Grey on white, too faint to read.</p>
<a href="/good.html"></a>
</body>
</html>
"""
FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" fill="#036"/></svg>'


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    """http://localhost:PORT serving good.html, bad.html and favicon.svg."""
    root = tmp_path_factory.mktemp("site")
    (root / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (root / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (root / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_vnu_reports_errors_and_ignores_warnings():
    results = quality.validate_documents(
        {"invalid": INVALID_HTML, "valid": VALID_HTML, "warning only": VALID_WITH_WARNING}
    )
    assert results["valid"] == []
    assert results["warning only"] == []
    assert "line 1: No “p” element in scope but a “p” end tag seen." in results["invalid"]
    assert all(error.startswith("line 1: ") for error in results["invalid"])


def test_validate_html_on_one_document():
    assert any("Unclosed element “div”" in error for error in quality.validate_html(INVALID_HTML))


def test_missing_tools_skip_locally_and_fail_on_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(quality, "VNU_JAR", tmp_path / "vnu.jar")
    monkeypatch.setattr(quality, "LIGHTHOUSE", tmp_path / "lighthouse")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        quality.validate_html(VALID_HTML)
    with pytest.raises(pytest.skip.Exception):
        quality.lighthouse_scores("http://localhost:1/", name="never")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="should have installed it"):
        quality.validate_html(VALID_HTML)
    with pytest.raises(pytest.fail.Exception, match="should have installed it"):
        quality.lighthouse_scores("http://localhost:1/", name="never")


def test_lighthouse_scores_a_good_page_high(static_site):
    scores = quality.lighthouse_scores(f"{static_site}/good.html", name="quality-tools-good")
    assert set(scores) == {"accessibility", "seo", "best-practices"}
    assert all(score >= 95 for score in scores.values()), (scores, quality.failing_audits("quality-tools-good"))
    assert quality.report_path("quality-tools-good").exists()
    assert quality.report_path("quality-tools-good").with_suffix(".html").exists()


def test_lighthouse_fails_a_bad_page_and_says_why(static_site):
    scores = quality.lighthouse_scores(f"{static_site}/bad.html", name="quality-tools-bad")
    assert scores["accessibility"] < 90, scores
    assert scores["seo"] < 90, scores
    failing = quality.failing_audits("quality-tools-bad")
    failing_ids = {line.split(":", 1)[0] for line in failing}
    assert {
        "accessibility/html-has-lang",
        "accessibility/image-alt",
        "accessibility/color-contrast",
        "accessibility/link-name",
        "seo/document-title",
        "seo/meta-description",
    } <= failing_ids, failing
    contrast = next(line for line in failing if line.startswith("accessibility/color-contrast"))
    assert "Grey on white" in contrast or "<p" in contrast, contrast
