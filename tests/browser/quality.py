"""Quality gates for the browser tests: the Nu Html Checker (vnu.jar) and Lighthouse.

Both come from the npm registry, pinned in .ci/package.json / .ci/package-lock.json and installed
by `make quality-tools` (`npm ci --prefix .ci --ignore-scripts` → .ci/node_modules/); .ci/run does it
before the tests. `--ignore-scripts` matters: vnu-jar's postinstall would try to download a Java
runtime when none is on PATH. Nothing here downloads anything at run time:

- vnu.jar runs on the machine's Java (Debian's default-jre-headless, Java 17): `java -jar vnu.jar`,
  never the package's `vnu` wrapper (which would fetch a Java runtime if java were missing).
- Lighthouse drives Debian's /usr/bin/chromium (CHROME_PATH), never a browser of its own.
  Lighthouse 12.8.2 is pinned, not 13: Lighthouse 13 needs Node >= 22.19, the machines have Node 20
  (and Debian's `nodejs` package is Node 18.19+); 12.8.2 needs Node >= 18.16.

Which host for Lighthouse: use pytest-django's `live_server.url` as it is (http://localhost:PORT).
Lighthouse's best-practices audit "is-on-https" treats `localhost`, `*.localhost` and `127.0.0.1`
as secure (as chromium treats them as secure contexts), so plain http on either host scores 100;
any other host name over http fails it.

What a page needs to score 100 beyond clean markup: a favicon that loads (`<link rel="icon" ...>`
to a file that exists; otherwise chromium's request for /favicon.ico 404s and "errors-in-console"
costs best-practices 4 points), `<html lang>`, `<title>`, `<meta name="description">` and
`<meta name="viewport">`. A missing robots.txt (404) is fine: the "robots-txt" audit is then not
applicable; a robots.txt answering 5xx or with invalid lines fails SEO.

Without the tools, the calls skip the test, or fail it when the environment variable CI is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / ".ci" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
LIGHTHOUSE_ARTIFACTS = ROOT / "artifacts" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, as the browser fixtures (conftest.py) and Lighthouse start it.
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CATEGORIES = ("accessibility", "seo", "best-practices")
INSTALL_HINT = "run `make quality-tools` (npm ci --prefix .ci)"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _missing(reason: str) -> None:
    """Skip the calling test, or fail it on CI, where .ci/run should have installed everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run should have installed it.", pytrace=False)
    pytest.skip(reason)


# --- the Nu Html Checker ------------------------------------------------------------------------


def _require_vnu() -> str:
    java = shutil.which("java")
    if java is None:
        _missing("java is not installed (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        _missing(f"{_shown(VNU_JAR)} is missing: {INSTALL_HINT}")
    return java


def _format_message(message: Mapping[str, Any]) -> str:
    line = message.get("firstLine", message.get("lastLine", "?"))
    return f"line {line}: {message.get('message', '').strip()}"


def validate_documents(documents: Mapping[str, str], *, timeout: float = 120) -> dict[str, list[str]]:
    """Validate several HTML documents in one run of vnu.jar (one JVM start, ~2 s).

    Returns, for each key of `documents`, its errors as "line N: message" (warnings and info
    messages are left out); an empty list means the document is valid.
    """
    java = _require_vnu()
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        files: dict[str, str] = {}
        for index, (key, html) in enumerate(documents.items()):
            path = Path(tmp) / f"{index}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = key
        command = [java, "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
        command += sorted((str(Path(tmp) / name) for name in files), key=lambda p: int(Path(p).stem))
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            pytest.fail(f"vnu.jar did not finish within {timeout:.0f} s", pytrace=False)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no JSON report (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    errors: dict[str, list[str]] = {key: [] for key in documents}
    for message in messages:
        if message.get("type") == "non-document-error":
            pytest.fail(f"vnu.jar could not check a document: {message.get('message')}", pytrace=False)
        if message.get("type") != "error":
            continue
        key = files.get(Path(message.get("url", "")).name)
        if key is None:  # a message not tied to one file: report it against every document
            for problems in errors.values():
                problems.append(_format_message(message))
        else:
            errors[key].append(_format_message(message))
    return errors


def validate_html(html: str) -> list[str]:
    """The errors vnu.jar finds in one HTML document, as "line N: message"; [] when it is valid."""
    return validate_documents({"document": html})["document"]


# --- Lighthouse ---------------------------------------------------------------------------------


def _require_lighthouse() -> None:
    if shutil.which("node") is None:
        _missing("node is not installed (apt-get install nodejs npm)")
    if not LIGHTHOUSE.exists():
        _missing(f"{_shown(LIGHTHOUSE)} is missing: {INSTALL_HINT}")
    if not CHROMIUM.exists():
        _missing("Debian's chromium is not installed (apt-get install chromium fonts-noto-core fonts-noto-cjk)")


def report_path(name: str) -> Path:
    """Where lighthouse_scores(..., name=name) saved its JSON report (the HTML one is beside it)."""
    return LIGHTHOUSE_ARTIFACTS / f"{name}.json"


def run_lighthouse(url: str, *, name: str, desktop: bool = False, timeout: float = 120) -> dict[str, Any]:
    """Run Lighthouse (accessibility, SEO, best practices) on `url`; return its report (the LHR).

    Saves artifacts/lighthouse/<name>.json and <name>.html. `desktop=True` uses Lighthouse's
    desktop preset instead of its default mobile emulation. One run takes ~13 s.
    """
    _require_lighthouse()
    LIGHTHOUSE_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = LIGHTHOUSE_ARTIFACTS / name
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        "--output=html",
        f"--output-path={base}",  # with two outputs Lighthouse writes <base>.report.json and .report.html
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--locale=en-US",
        "--quiet",
    ]
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Lighthouse did not finish {url} within {timeout:.0f} s", pytrace=False)
    json_report = base.with_name(f"{name}.report.json")
    if result.returncode != 0 or not json_report.exists():
        output = (result.stderr or result.stdout).strip()[-3000:]
        pytest.fail(f"Lighthouse failed on {url} (exit {result.returncode}):\n{output}", pytrace=False)
    json_report.replace(report_path(name))
    html_report = base.with_name(f"{name}.report.html")
    if html_report.exists():
        html_report.replace(base.with_name(f"{name}.html"))
    report = json.loads(report_path(name).read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        error = report["runtimeError"]
        pytest.fail(f"Lighthouse could not audit {url}: {error.get('code')}: {error.get('message')}", pytrace=False)
    return report


def scores(report: Mapping[str, Any]) -> dict[str, int]:
    """The category scores of a Lighthouse report, ×100 and rounded: {"accessibility": 98, ...}."""
    result = {}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        if score is None:
            pytest.fail(f"Lighthouse gave no {category} score (see the report's runWarnings)", pytrace=False)
        result[category] = round(score * 100)
    return result


def lighthouse_scores(url: str, *, name: str, desktop: bool = False, timeout: float = 120) -> dict[str, int]:
    """Lighthouse's accessibility, SEO and best-practices scores for `url`, 0–100.

    The report is saved as artifacts/lighthouse/<name>.json (+ .html); failing_audits(name) lists
    what cost points.
    """
    return scores(run_lighthouse(url, name=name, desktop=desktop, timeout=timeout))


def _item_hint(item: Mapping[str, Any]) -> str | None:
    """A short pointer to what an audit found: the element's markup, or the message and its URL."""
    node = item.get("node")
    if isinstance(node, Mapping) and (node.get("snippet") or node.get("selector")):
        return node.get("snippet") or node.get("selector")
    location = item.get("sourceLocation")
    url = item.get("url") or (location.get("url") if isinstance(location, Mapping) else None)
    text = item.get("description") or item.get("message")
    parts = [part for part in (text, url) if isinstance(part, str) and part]
    return " ".join(parts) or None


def failing_audits(report_or_name: Mapping[str, Any] | str, *, examples: int = 3) -> list[str]:
    """The audits that cost points, as "category/audit-id: title — e.g. <snippet>; ...".

    Takes a report from run_lighthouse() or the `name` given to lighthouse_scores(). Only scored
    audits with a score below 1 are listed (not the manual or informative ones).
    """
    report = (
        json.loads(report_path(report_or_name).read_text(encoding="utf-8"))
        if isinstance(report_or_name, str)
        else report_or_name
    )
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit.get("score") is None or audit["score"] >= 1 or not ref.get("weight"):
                continue
            line = f"{category}/{ref['id']}: {audit['title']}"
            items = (audit.get("details") or {}).get("items") or []
            hints = [hint for hint in map(_item_hint, items[:examples]) if hint]
            if hints:
                line += " — e.g. " + "; ".join(" ".join(hint.split())[:160] for hint in hints)
            lines.append(line)
    return lines
