"""The optional parts of the ci-sessions pytest plugin, each turned on by its variable.

Copied beside ``pytest_ci_sessions`` (which imports it from its ``pytest_configure``), so
it imports nothing from ci_sessions either.

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
  collection, is nobody's); and, when ``CI_SESSIONS_RECORD_READS`` names the project
  (``{"root": ..., "packages": [...]}``), the project's files each test opened and the
  folders it listed (an audit hook on ``open``, ``os.listdir``, ``os.scandir``,
  ``sqlite3.connect``), under the project or in the venv's copy of its packages; Python
  sources are left out (the coverage contexts see them). What was opened outside any
  test (at import, at collection) is recorded under the test ``""``, and what a wider
  fixture's set-up or tear-down opened apart from what the test's call did.
- ``CI_SESSIONS_LEAK_LIMIT`` ("4 KB"): a suite's leak check. Every test without a
  memray mark of its own gets pytest-memray's ``limit_leaks`` at that limit, ignoring
  what pytest's and the import system's own frames keep, and its body runs once
  untracked before the tracked call (tests using ``benchmark`` excepted): what a
  first call builds once (caches, lazy imports, specialised code) is no leak.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

_DESELECT = "CI_SESSIONS_DESELECT"
_LEAK_LIMIT = "CI_SESSIONS_LEAK_LIMIT"
_RECORD = "CI_SESSIONS_RECORD"
_READS = "CI_SESSIONS_RECORD_READS"
# Audit events that name a file read (or written) or a folder listed.
_OPENS = {"open", "sqlite3.connect"}
_LISTS = {"os.listdir", "os.scandir"}
# The standard library's folder: a listing's caller is the first frame outside it.
_STDLIB = os.path.join(os.path.dirname(os.__file__), "")
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
    def __init__(self, target: str, reads: str | None) -> None:
        self.target = target
        self.fixtures: dict[str, list[str]] = {}
        self.spawners: set[str] = set()
        self.current: str | None = None
        self.preparing = False  # in a set-up or tear-down (a wider fixture's work)
        # test ("" outside any test; "<test> (set-up)" in its set-up or tear-down) -> paths
        self.opened: dict[str, set[str]] = {}
        self.listed: dict[str, set[str]] = {}
        for module, name in (*_SPAWNS, *_SPAWNS_C):
            self._watch(module, name)
        self.roots = _roots(reads) if reads else ()
        if self.roots:
            sys.addaudithook(self._audit)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        # Called for every audited event of the process: the cheap test first.
        if event in _OPENS:
            found = self.opened
        elif event in _LISTS:
            found = self.listed
        else:
            return
        try:
            full = _path_of(event, args)
        except Exception:
            # A hook that raises fails the test's own call: never (say, a relative path
            # after the test removed its working directory).
            return
        if full is None or not os.path.join(full, "").startswith(self.roots):
            return
        if found is self.listed and _by_pytest(sys._getframe(1)):
            return  # collection walking the test folders: pytest's, not the tests'
        key = self.current or ""
        if self.current is not None and self.preparing:
            key = f"{self.current} (set-up)"
        found.setdefault(key, set()).add(full)

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

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self) -> Any:
        self.preparing = True
        yield
        self.preparing = False

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self) -> Any:
        self.preparing = True
        yield
        self.preparing = False

    def pytest_sessionfinish(self) -> None:
        found: dict[str, Any] = {"fixtures": self.fixtures, "spawners": sorted(self.spawners)}
        if self.roots:
            found["opened"] = {test: sorted(paths) for test, paths in self.opened.items()}
            found["listed"] = {test: sorted(paths) for test, paths in self.listed.items()}
        Path(f"{self.target}.{os.getpid()}").write_text(json.dumps(found), encoding="utf-8")


def configure(config: pytest.Config) -> None:
    recording = os.environ.get(_RECORD)
    # Not in pytest-xdist's controller, which runs no test (its workers record, and the
    # processes it starts are the workers).
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if recording and not controller:
        recorder = _Recording(recording, os.environ.get(_READS))
        config.pluginmanager.register(recorder, "ci_sessions_recording")
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


def _path_of(event: str, args: tuple[Any, ...]) -> str | None:
    """The absolute path an audit event names; None for a file descriptor or for code
    (Python sources: the coverage contexts see them)."""
    path = args[0] if args else None
    if path is None and event in _LISTS:
        path = "."
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or path.endswith((".py", ".pyc")):
        return None
    return os.path.abspath(path)


def _by_pytest(frame: Any) -> bool:
    """Whether the code that asked (the first caller outside the standard library) is
    pytest's or pluggy's own. Only listings pay for this walk; they are few."""
    while frame is not None and frame.f_code.co_filename.startswith(_STDLIB):
        frame = frame.f_back
    name = "" if frame is None else frame.f_code.co_filename
    return any(part in name for part in _MACHINERY)


def _roots(reads: str) -> tuple[str, ...]:
    """The folders whose files count: the project's, and the venv's copies of its packages
    (the tests sessions install it; its data files are read from there)."""
    named = json.loads(reads)
    purelib = sysconfig.get_paths()["purelib"]
    roots = [os.path.join(os.path.abspath(named["root"]), "")]
    roots += [os.path.join(purelib, package, "") for package in named["packages"]]
    return tuple(roots)
