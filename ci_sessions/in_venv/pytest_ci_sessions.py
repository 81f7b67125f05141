"""pytest plugin: every test's exact outcome, and quarantined tests that do not gate.

Copied beside the test run and loaded with ``-p pytest_ci_sessions`` by the
sessions that run pytest, so it imports nothing from ci_sessions (which is not
installed in the project's venv).

- ``CI_SESSIONS_OUTCOMES``: where to write, at the end of the run, JSON with
  pytest's exit status and every test's node ID, outcome (passed, failed,
  error, skipped, xfailed, xpassed, unfinished), the phase that decided it,
  duration, first line of its message and location, and how many times
  pytest-rerunfailures retried it; beside them, how the run ended (collect- or
  setup-only, stopped early, interrupted by ``pytest.exit`` or Ctrl-C, modules
  that failed to collect, how many tests were selected). Node IDs are pytest's
  own, so an inherited test method is named by the class that ran it, not by
  the file that defines it (as JUnit does). While the run goes on, each test's
  start and outcome are appended to ``<that file>.progress``: a run killed
  before the end (``os._exit``, a signal) still tells which tests reported and
  which one was running.
- Outcomes are pytest's, with one exception: a test whose report a hook
  rewrote from failed to passed or skipped (a ``pytest_runtest_makereport``
  wrapper) counts as failed. The plugin reads each report twice, as pytest
  made it (its innermost wrapper) and as it was logged; only pytest's own
  xfail handling may turn a failure into something else.
- ``CI_SESSIONS_QUARANTINE`` (JSON: node ID -> reason): those tests get a
  non-strict xfail mark, so they run and do not fail the session; their real
  outcome is recorded. With ``CI_SESSIONS_QUARANTINE_STRICT=1`` an entry that
  matches no collected test stops the run: a dead entry hides nothing.
- ``CI_SESSIONS_EXPECT_INSTALLED`` (comma-separated import names): once the
  tests are collected, each of these packages that was imported must come
  from this venv, not from a source tree on sys.path (benchmark-compare's
  two sides each measure their own install).
- ``pytest_ci_sessions_extras`` (copied beside it): affected-test selection's
  deselection and recording, a suite's leak check.
- ``CI_SESSIONS_DROP_PERF_MAP=1``: remove this process's /tmp/perf-<pid>.map at
  the end (pytest-codspeed turns on CPython's perf trampoline, which writes it
  to that fixed place and never removes it).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

_OUTCOMES = "CI_SESSIONS_OUTCOMES"
_ENTRIES = "CI_SESSIONS_QUARANTINE"
_EXPECT = "CI_SESSIONS_EXPECT_INSTALLED"
_STRICT = "CI_SESSIONS_QUARANTINE_STRICT"
_tests: dict[str, dict[str, Any]] = {}
_quarantined: set[str] = set()
# How the run ended, beyond its exit status (see pytest_sessionfinish).
_run: dict[str, Any] = {"interrupted": "", "collection_errors": [], "selected": None}
# The report attribute that keeps the outcome pytest made, before any hook rewrote it.
_RAW = "ci_sessions_raw_outcome"


def _entries() -> dict[str, str]:
    entries = json.loads(os.environ.get(_ENTRIES, "{}"))
    return entries if isinstance(entries, dict) else {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # tryfirst: before -k/-m deselection, so every collected test is seen.
    entries = _entries()
    for item in items:
        # An entry without parameters holds every parametrization (the rule of
        # ci_sessions.test_outcomes.quarantine_entry; this file runs without ci_sessions).
        base = item.nodeid.partition("[")[0]
        entry = item.nodeid if item.nodeid in entries else base if base in entries else None
        if entry is not None:
            _quarantined.add(entry)
            reason = entries[entry]
            item.add_marker(pytest.mark.xfail(reason=f"quarantined: {reason}", strict=False))
    dead = sorted(set(entries) - _quarantined)
    if dead and os.environ.get(_STRICT) == "1":
        raise pytest.UsageError(
            "quarantine entries that match no collected test (remove or fix them): "
            + ", ".join(dead)
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    # What this run means to run, after every selection (-k, -m, deselection): each of
    # these must report an outcome. Unknown under pytest-xdist (its workers collect).
    if not getattr(session.config.option, "numprocesses", None):
        _run["selected"] = len(session.items)
    prefix = Path(sys.prefix).resolve()
    for name in filter(None, os.environ.get(_EXPECT, "").split(",")):
        module = sys.modules.get(name)
        if module is None:
            continue  # not imported by what was collected
        origins = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
        for origin in filter(None, origins):
            if not Path(origin).resolve().is_relative_to(prefix):
                raise pytest.UsageError(
                    f"{name} was imported from {origin}, not from this venv's install "
                    f"({prefix}): a source tree on sys.path shadows the installed package"
                )


class _Progress:
    """Appends one JSON line per test start and outcome, flushed at once, so that what
    a killed run did is known. Only the controlling process writes."""

    def __init__(self) -> None:
        self.stream: Any = None

    def write(self, entry: dict[str, str]) -> None:
        target = os.environ.get(_OUTCOMES)
        # pytest-xdist's workers log their own starts and reports too.
        if not target or os.environ.get("PYTEST_XDIST_WORKER") is not None:
            return
        if self.stream is None:
            self.stream = open(f"{target}.progress", "a", encoding="utf-8")  # noqa: SIM115
        self.stream.write(json.dumps(entry) + "\n")
        self.stream.flush()


_progress = _Progress()


def _controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_runtest_logstart(nodeid: str) -> None:
    _progress.write({"start": nodeid})


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    # trylast: the innermost wrapper, so the report is seen as pytest made it, before
    # pytest's xfail handling or any project hook changed it. Kept on the report itself,
    # which pytest-xdist carries from its workers to the controller.
    result = yield
    report = result.get_result()
    setattr(report, _RAW, str(report.outcome))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _run["collection_errors"].append({"id": report.nodeid, "message": _message(report)})


def pytest_keyboard_interrupt(excinfo: Any) -> None:
    # Ctrl-C, or pytest.exit() anywhere: the run stopped before its end, whatever the
    # exit status it was given.
    reason = getattr(excinfo.value, "msg", None) or str(excinfo.value)
    if excinfo.typename == "Exit":
        _run["interrupted"] = f"pytest.exit({reason!r})"
    else:
        _run["interrupted"] = f"{excinfo.typename} (Ctrl-C or a signal)"


def _message(report: Any) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    return text.strip().splitlines()[0] if text.strip() else ""


def _outcome(report: pytest.TestReport) -> str:
    xfail = hasattr(report, "wasxfail")
    if report.when != "call" and report.failed:
        return "error"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.failed:
        return "failed"
    return "xpassed" if xfail else "passed"


def _rewritten(report: pytest.TestReport, outcome: str) -> bool:
    """A failure that a hook turned into a pass or a skip (pytest's xfail excepted)."""
    raw = getattr(report, _RAW, None)
    return (
        raw == "failed" and outcome not in ("failed", "error") and not hasattr(report, "wasxfail")
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    test = _tests.setdefault(
        report.nodeid,
        {
            "id": report.nodeid,
            # Until a phase decides: a test the run stopped inside never passed.
            "outcome": "unfinished",
            "phase": "",
            "seconds": 0.0,
            "message": "",
            "file": report.location[0],
            # pytest's location line is 0-based.
            "line": (report.location[1] or 0) + 1,
            "reruns": 0,
        },
    )
    test["seconds"] += report.duration
    # "rerun" is pytest-rerunfailures' own outcome, outside pytest's typed three.
    if str(report.outcome) == "rerun":
        # pytest-rerunfailures retries it: the test counts once, by its last attempt;
        # each retry is kept as evidence of flakiness.
        test["reruns"] += 1
        test["retry_message"] = _message(report)
        return
    # The call phase decides, unless setup did not pass (an error, or a skip
    # mark) or teardown failed.
    decisive = (
        report.when == "call"
        or (report.when == "setup" and not report.passed)
        or (report.when == "teardown" and report.failed)
    )
    if decisive:
        outcome = _outcome(report)
        message = _message(report) if outcome != "passed" else ""
        if _rewritten(report, outcome):
            test["rewritten"] = outcome
            outcome = "failed" if report.when == "call" else "error"
            message = f"failed, but a hook rewrote its report to {test['rewritten']}"
        test["outcome"] = outcome
        test["phase"] = report.when
        test["message"] = message
        _progress.write({"id": report.nodeid, "outcome": outcome})
    elif report.when == "setup" and report.passed:
        # Set up: running now, and unfinished should it never report again.
        test["outcome"] = "unfinished"


def pytest_configure(config: pytest.Config) -> None:
    # The optional parts, each turned on by its variable: the file copied beside this one
    # (imported by name, as this plugin is: both are top-level modules in the project's venv).
    importlib.import_module("pytest_ci_sessions_extras").configure(config)


def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    target = os.environ.get(_OUTCOMES)
    if not target:
        return
    # Only the controlling process writes (pytest-xdist's workers have workerinput).
    if not _controller(session.config):
        return
    option = session.config.option
    document = {
        "exitstatus": int(exitstatus),
        "rootdir": str(session.config.rootpath),
        "collect_only": bool(getattr(option, "collectonly", False)),
        "setup_only": bool(
            getattr(option, "setuponly", False) or getattr(option, "setupplan", False)
        ),
        "interrupted": _run["interrupted"],
        # -x, --maxfail or a plugin asked the run to stop before its end.
        "stopped": str(session.shouldstop or session.shouldfail or ""),
        "collection_errors": _run["collection_errors"],
        "selected": _run["selected"],
        "tests": sorted(_tests.values(), key=lambda test: test["id"]),
    }
    Path(target).write_text(json.dumps(document, indent=2), encoding="utf-8")


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("CI_SESSIONS_DROP_PERF_MAP") == "1":
        # CPython keeps the file open and writes it until exit: unlinked now, it is
        # gone when the process ends. The path is fixed by CPython, hence the nosec.
        Path(f"/tmp/perf-{os.getpid()}.map").unlink(missing_ok=True)  # nosec B108
