"""Static checks of the shipped code that CI keeps: bandit's security lint of newsroom/ and config/.

bandit is configured in pyproject.toml ([tool.bandit]); a false positive is marked where it is, with
``# nosec <ID>`` and its reason, so a new finding of the same kind elsewhere still fails.
"""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCANNED = ("newsroom", "config")
FAILING_SEVERITIES = {"HIGH", "MEDIUM"}


def bandit_report() -> dict:
    """bandit's JSON report on the shipped code, with the project's configuration."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", *SCANNED, "-c", "pyproject.toml", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Exit status 1 means findings of any severity (judged below); anything else is bandit failing to run.
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_bandit_finds_no_high_or_medium_severity_issue():
    """bandit reads every file of newsroom/ and config/ and reports no high or medium severity finding."""
    report = bandit_report()
    assert not report["errors"], report["errors"]
    assert any(path.startswith("newsroom/") for path in report["metrics"]), "bandit scanned nothing"
    findings = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} ({issue['issue_severity']}, "
        f"{issue['issue_confidence']} confidence): {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] in FAILING_SEVERITIES
    ]
    assert not findings, "\n".join(findings)
