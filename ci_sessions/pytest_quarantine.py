"""pytest plugin: run quarantined tests without letting them fail the run.

Copied beside the test run and loaded with ``-p pytest_quarantine`` by the
tests sessions, so it imports nothing from ci_sessions (which is not installed
in the project's venv). Reads ``CI_SESSIONS_QUARANTINE`` (JSON: test id ->
reason); a quarantined test gets a non-strict xfail mark, so it still runs and
its outcome is recorded in ``CI_SESSIONS_QUARANTINE_REPORT`` (JSON: test id ->
outcome). With ``CI_SESSIONS_QUARANTINE_STRICT=1`` an entry that matches no
collected test stops the run: a dead entry would hide nothing and mislead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

_ENTRIES = "CI_SESSIONS_QUARANTINE"
_REPORT = "CI_SESSIONS_QUARANTINE_REPORT"
_STRICT = "CI_SESSIONS_QUARANTINE_STRICT"

_outcomes: dict[str, str] = {}


def _entries() -> dict[str, str]:
    entries = json.loads(os.environ.get(_ENTRIES, "{}"))
    return entries if isinstance(entries, dict) else {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # tryfirst: before -k/-m deselection, so every collected test is seen.
    entries = _entries()
    seen = set()
    for item in items:
        reason = entries.get(item.nodeid)
        if reason is not None:
            seen.add(item.nodeid)
            item.add_marker(pytest.mark.xfail(reason=f"quarantined: {reason}", strict=False))
            _outcomes[item.nodeid] = "not run"
    dead = sorted(set(entries) - seen)
    if dead and os.environ.get(_STRICT) == "1":
        raise pytest.UsageError(
            "quarantine entries that match no collected test (remove or fix them): "
            + ", ".join(dead)
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _outcomes:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        # The xfail mark turns a failure into "xfailed" (skipped + wasxfail) and
        # a pass into "xpassed" (passed + wasxfail): record what really happened.
        if hasattr(report, "wasxfail"):
            _outcomes[report.nodeid] = "failed" if report.skipped else "passed"
        else:
            _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    target = os.environ.get(_REPORT)
    if target:
        Path(target).write_text(json.dumps(_outcomes, indent=2, sort_keys=True))
