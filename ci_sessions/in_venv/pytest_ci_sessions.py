"""pytest plugin: every test's exact outcome, and quarantined tests that do not gate.

Copied beside the test run and loaded with ``-p pytest_ci_sessions`` by the
sessions that run pytest, so it imports nothing from ci_sessions (which is not
installed in the project's venv).

- ``CI_SESSIONS_OUTCOMES``: where to write, at the end of the run, JSON with
  pytest's exit status and every test's node ID, outcome (passed, failed,
  error, skipped, xfailed, xpassed), duration, first line of its message and
  location, and how many times pytest-rerunfailures retried it. Node IDs are
  pytest's own, so an inherited test method is named by the class that ran
  it, not by the file that defines it (as JUnit does). A
  run that ends before this file is written (a test calling ``os._exit``) is
  told apart from a run that passed.
- ``CI_SESSIONS_QUARANTINE`` (JSON: node ID -> reason): those tests get a
  non-strict xfail mark, so they run and do not fail the session; their real
  outcome is recorded. With ``CI_SESSIONS_QUARANTINE_STRICT=1`` an entry that
  matches no collected test stops the run: a dead entry hides nothing.
- ``CI_SESSIONS_EXPECT_INSTALLED`` (comma-separated import names): once the
  tests are collected, each of these packages that was imported must come
  from this venv, not from a source tree on sys.path (benchmark-compare's
  two sides each measure their own install).
- ``CI_SESSIONS_DESELECT``: a JSON list of node IDs to leave out (affected-test
  selection: the tests no change reaches); the counts of collected and left-out
  tests are written beside it, to ``<that file>.counts``.
- ``CI_SESSIONS_RECORD``: for affected selection's map, what coverage cannot tell,
  written at the end of the run to ``<that path>.<pid>`` by every pytest process
  (pytest-xdist's workers included): each test's fixtures of a wider scope than the
  function (code such a fixture runs is measured in the set-up of the first test that
  needs it, and the map gives it to every test sharing the fixture), and the tests that
  started a process (fork, spawn, subprocess, os.system: what the child runs is in no
  test's coverage context; a process started before the first test, by a plugin or at
  collection, is nobody's).
- ``CI_SESSIONS_LEAK_LIMIT`` ("4 KB"): a suite's leak check. Every test without a
  memray mark of its own gets pytest-memray's ``limit_leaks`` at that limit, ignoring
  what pytest's and the import system's own frames keep, and its body runs once
  untracked before the tracked call (tests using ``benchmark`` excepted): what a
  first call builds once (caches, lazy imports, specialised code) is no leak.
- ``CI_SESSIONS_DROP_PERF_MAP=1``: remove this process's /tmp/perf-<pid>.map at
  the end (pytest-codspeed turns on CPython's perf trampoline, which writes it
  to that fixed place and never removes it).
"""

from __future__ import annotations

import functools
import importlib
import inspect
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
_DESELECT = "CI_SESSIONS_DESELECT"
_LEAK_LIMIT = "CI_SESSIONS_LEAK_LIMIT"
_RECORD = "CI_SESSIONS_RECORD"
# Where a process starts, whatever started it (subprocess, multiprocessing, os.system).
_SPAWNS = (("os", "fork"), ("os", "posix_spawn"), ("os", "posix_spawnp"), ("os", "system"))
# subprocess binds _posixsubprocess.fork_exec as its own _fork_exec when imported;
# multiprocessing calls _posixsubprocess.fork_exec itself.
_SPAWNS_C = (
    ("subprocess", "_fork_exec"),
    ("_posixsubprocess", "fork_exec"),
    ("_winapi", "CreateProcess"),
)
_MACHINERY = ("/_pytest/", "/pluggy/", "/importlib/", "<frozen importlib")

_tests: dict[str, dict[str, Any]] = {}
_quarantined: set[str] = set()


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
        reason = entries.get(item.nodeid)
        if reason is not None:
            _quarantined.add(item.nodeid)
            item.add_marker(pytest.mark.xfail(reason=f"quarantined: {reason}", strict=False))
    dead = sorted(set(entries) - _quarantined)
    if dead and os.environ.get(_STRICT) == "1":
        raise pytest.UsageError(
            "quarantine entries that match no collected test (remove or fix them): "
            + ", ".join(dead)
        )


def pytest_collection_finish(session: pytest.Session) -> None:
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


def _message(report: pytest.TestReport) -> str:
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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    test = _tests.setdefault(
        report.nodeid,
        {
            "id": report.nodeid,
            "outcome": "passed",
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
        test["outcome"] = outcome
        test["message"] = _message(report) if outcome != "passed" else ""


class _Selection:
    """The tests no change reaches, left out after every other selection (-k, -m), so
    that the counts say what this run dropped. In pytest-xdist's workers too: they collect."""

    def __init__(self, target: str) -> None:
        self.target = target

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        _deselect(config, items, self.target)


class _LeakCheck:
    def __init__(self, limit: str) -> None:
        self.limit = limit

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            own = item.get_closest_marker("limit_leaks") or item.get_closest_marker("limit_memory")
            if own is None:
                item.add_marker(pytest.mark.limit_leaks(self.limit, filter_fn=_not_machinery))

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Any:
        # Not a coroutine function (calling it would only make a coroutine), not a benchmark.
        if "benchmark" not in pyfuncitem.fixturenames and not inspect.iscoroutinefunction(
            pyfuncitem.obj
        ):
            names = pyfuncitem._fixtureinfo.argnames
            pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names})
        yield


def _not_machinery(stack: Any) -> bool:
    """pytest-memray's filter: False for what pytest or importlib keep, not the test."""
    return not any(part in frame.filename for frame in stack.frames for part in _MACHINERY)


class _Recording:
    def __init__(self, target: str) -> None:
        self.target = target
        self.fixtures: dict[str, list[str]] = {}
        self.spawners: set[str] = set()
        self.current: str | None = None
        for module, name in (*_SPAWNS, *_SPAWNS_C):
            self._watch(module, name)

    def _watch(self, module_name: str, name: str) -> None:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return  # not on this system (_winapi off Windows, _posixsubprocess on it)
        original = getattr(module, name, None)
        if original is None:
            return

        @functools.wraps(original)
        def started(*args: Any, **kwargs: Any) -> Any:
            if self.current is not None:
                self.spawners.add(self.current)
            return original(*args, **kwargs)

        setattr(module, name, started)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            info = getattr(item, "_fixtureinfo", None)
            definitions = getattr(info, "name2fixturedefs", {})
            self.fixtures[item.nodeid] = sorted(
                f"{defs[-1].baseid}::{name}"
                for name, defs in definitions.items()
                if defs and defs[-1].scope != "function"
            )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        self.current = item.nodeid
        yield
        self.current = None

    def pytest_sessionfinish(self) -> None:
        found = {"fixtures": self.fixtures, "spawners": sorted(self.spawners)}
        Path(f"{self.target}.{os.getpid()}").write_text(json.dumps(found), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    recording = os.environ.get(_RECORD)
    # Not in pytest-xdist's controller, which runs no test (its workers record, and the
    # processes it starts are the workers).
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if recording and not controller:
        config.pluginmanager.register(_Recording(recording), "ci_sessions_recording")
    target = os.environ.get(_DESELECT)
    if target:
        config.pluginmanager.register(_Selection(target), "ci_sessions_selection")
    limit = os.environ.get(_LEAK_LIMIT)
    if limit:
        config.pluginmanager.register(_LeakCheck(limit), "ci_sessions_leak_check")


def _deselect(config: pytest.Config, items: list[pytest.Item], target: str) -> None:
    unreached = set(json.loads(Path(target).read_text(encoding="utf-8")))
    left_out = [item for item in items if item.nodeid in unreached]
    if left_out:
        items[:] = [item for item in items if item.nodeid not in unreached]
        config.hook.pytest_deselected(items=left_out)
    counts = {"selected": len(items), "deselected": len(left_out)}
    Path(target + ".counts").write_text(json.dumps(counts), encoding="utf-8")


def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    target = os.environ.get(_OUTCOMES)
    if not target:
        return
    # Only the controlling process writes (pytest-xdist's workers have workerinput).
    if hasattr(session.config, "workerinput"):
        return
    document = {
        "exitstatus": int(exitstatus),
        "rootdir": str(session.config.rootpath),
        "tests": sorted(_tests.values(), key=lambda test: test["id"]),
    }
    Path(target).write_text(json.dumps(document, indent=2), encoding="utf-8")


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("CI_SESSIONS_DROP_PERF_MAP") == "1":
        # CPython keeps the file open and writes it until exit: unlinked now, it is
        # gone when the process ends. The path is fixed by CPython, hence the nosec.
        Path(f"/tmp/perf-{os.getpid()}.map").unlink(missing_ok=True)  # nosec B108
