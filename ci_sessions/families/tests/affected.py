"""Affected-test selection: which tests a change can reach, from the map of main's (or the
last) full run; else why the whole suite runs.

The map is built from the full run's own coverage data, measured per test (pytest-cov's
`--cov-context=test`): for every function of the measured code, the tests whose run
executed its body. A change is the difference between the files the map was taken on
(a hash per file) and the working tree. A test runs when it executed a function that
changed or was removed (in its own run, or in the set-up of a wider fixture it shares),
when its own test module changed, when it is new (not in the map), when it failed in the
mapped run, or when it started a process and the measured code changed. Everything the map
cannot see runs the whole suite: module-level code, a function that ran at import,
conftest.py, test helpers, and any other file (data, configuration, dependencies, C
extensions) outside `affected-ignore`. Pure: plain data in, a Plan out; no nox.
"""

from __future__ import annotations

import builtins
import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ci_sessions.families.tests.changed_tests import changed_tests, node_key
from ci_sessions.families.tests.fingerprints import FileFingerprint, fingerprint, star_imports
from ci_sessions.families.tests.fingerprints import from_document as read_fingerprint
from ci_sessions.families.tests.fingerprints import to_document as fingerprint_document

OPTION = "--affected"
FORMAT = 5  # 5: test modules' fingerprints; 4: docstrings apart; 3: names defined twice
# Files no test reads, whatever the project: their change runs nothing.
DEFAULT_IGNORE = (
    "*.md",
    "*.rst",
    "docs/**",
    ".github/**",
    "LICENSE*",
    "AUTHORS*",
    ".gitignore",
    ".pre-commit-config.yaml",
)
DOC_FILES = ("*.md", "*.rst", "docs/**")
# Named in the reason when they change: what the map cannot see, by kind.
KINDS = (
    (("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in"), "the project's build settings"),
    (("*.lock", "pylock*.toml", "Pipfile*", "requirements*", "constraints*"), "dependencies"),
    (("*.c", "*.h", "*.cc", "*.cpp", "*.pyx", "*.pxd", "*.rs"), "a C (or Rust) extension"),
    (("pytest.ini", "tox.ini", "noxfile.py", ".coveragerc"), "the test settings"),
)


@dataclass(frozen=True)
class SourceMap:
    fingerprint: FileFingerprint
    runs: dict[str, frozenset[int]]  # function -> the tests (indices) whose run executed it
    shared: frozenset[str]  # functions executed at import or in a set-up/tear-down


@dataclass(frozen=True)
class TestMap:
    python: str
    packages: str
    tests: tuple[str, ...]
    failed: frozenset[str]
    manifest: dict[str, str]  # path -> content hash, every project file
    sources: dict[str, SourceMap] = field(default_factory=dict)
    # Tests that started a process (subprocess, fork, multiprocessing): what it ran is in
    # no test's context, so they run whenever the measured code changed.
    spawners: frozenset[str] = frozenset()
    # The test modules' fingerprints: a changed test module runs the tests that changed.
    test_modules: dict[str, FileFingerprint] = field(default_factory=dict)


@dataclass(frozen=True)
class Now:
    """The working tree and the venv the selected run would use."""

    python: str
    packages: str
    manifest: dict[str, str]
    read: Callable[[str], str]  # a project file's text
    test_paths: tuple[str, ...]
    ignore: tuple[str, ...]
    # Whether docstrings are run or read (doctests collected, `__doc__` read by the
    # project's code): then a docstring's change is a change of what runs.
    docstrings: bool = False


@dataclass(frozen=True)
class Plan:
    whole: bool
    why: str  # why the whole suite runs, or what the selection rests on
    deselect: frozenset[str] = frozenset()
    changed: tuple[str, ...] = ()


def take_option(posargs: Sequence[str]) -> tuple[bool, list[str]]:
    """(--affected given, the posargs left for pytest)."""
    rest = [arg for arg in posargs if arg != OPTION]
    return len(rest) != len(posargs), rest


def default_ignore(pytest_options: str) -> tuple[str, ...]:
    """DEFAULT_IGNORE, without the documentation files when pytest runs doctests in them."""
    if "doctest-glob" in pytest_options:
        return tuple(g for g in DEFAULT_IGNORE if g not in DOC_FILES)
    return DEFAULT_IGNORE


def matches(path: str, globs: Iterable[str]) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)


def test_of(context: str) -> tuple[str, str]:
    """pytest-cov's context 'tests/x.py::test_y|run' -> (node ID, phase); '' -> ('', '')."""
    test, _, phase = context.rpartition("|")
    return (test, phase) if test else ("", "")


def build(
    *,
    python: str,
    packages: str,
    tests: Sequence[str],
    failed: Iterable[str],
    manifest: Mapping[str, str],
    texts: Mapping[str, str],
    executed: Mapping[str, Mapping[int, Sequence[str]]],
    fixtures: Mapping[str, Sequence[str]] | None = None,
    spawners: Iterable[str] = (),
    test_modules: Mapping[str, FileFingerprint] | None = None,
) -> TestMap:
    """The map of a full run: `texts` the measured source files, `executed` their lines
    with the contexts that ran them (as coverage recorded them, paths mapped to sources),
    `fixtures` each test's fixtures of a wider scope than the function (None: unknown).

    Code that ran in a test's set-up or tear-down reaches that test, and every test that
    shares one of its wider fixtures (a session fixture runs once, in the first test's
    set-up, for all of them); without `fixtures` such code reaches every test. Code that ran
    at import or collection (no test's context) reaches every test. `spawners`: the tests
    that started a process, whose code no context covers."""
    index = {test: number for number, test in enumerate(tests)}
    sharing: dict[str, set[str]] = {}
    for test, names in (fixtures or {}).items():
        for name in names:
            sharing.setdefault(name, set()).add(test)
    sources = {}
    for path, text in texts.items():
        found = fingerprint(text)
        if found is None:
            continue  # it did not parse, so it did not run: its change runs all (see plan)
        lines = executed.get(path, {})
        runs: dict[str, frozenset[int]] = {}
        shared = set()
        for name, function in found.functions.items():
            contexts = {
                c for line in range(function.first, function.last + 1) for c in lines.get(line, ())
            }
            ran = {test_of(c) for c in contexts}
            reached = {t for t, phase in ran if phase == "run"}
            prepared = {t for t, phase in ran if phase in ("setup", "teardown")}
            if any(not phase for _, phase in ran) or (prepared and fixtures is None):
                shared.add(name)
            for test in prepared:
                reached.add(test)
                for fixture in (fixtures or {}).get(test, ()):
                    reached |= sharing[fixture]
            runs[name] = frozenset(index[t] for t in reached if t in index)
        sources[path] = SourceMap(found, runs, frozenset(shared))
    # A process a test's set-up started may be a wider fixture's (a server): it serves
    # every test that shares one of that test's wider fixtures.
    started = set(spawners)
    for test in list(started):
        for fixture in (fixtures or {}).get(test, ()):
            started |= sharing[fixture]
    return TestMap(
        python,
        packages,
        tuple(tests),
        frozenset(failed),
        dict(manifest),
        sources,
        frozenset(started & set(tests)),
        dict(test_modules or {}),
    )


def plan(old: TestMap | None, now: Now, occasion: str = "") -> Plan:
    """Run the whole suite (and why), or deselect the tests no change reaches."""
    if occasion:
        return Plan(True, occasion)
    if old is None:
        return Plan(True, "no map of an earlier full run: this run makes one")
    if old.python != now.python:
        return Plan(True, f"the map is from Python {old.python}, this run uses {now.python}")
    if old.packages != now.packages:
        return Plan(True, "the installed packages differ from the map's (a dependency changed)")
    changed = sorted(
        path
        for path in set(old.manifest) | set(now.manifest)
        if old.manifest.get(path) != now.manifest.get(path) and not matches(path, now.ignore)
    )
    reached: set[int] = set()
    modules: set[str] = set()
    for path in changed:
        why = _unseen(path, old, now, reached, modules)
        if why:
            return Plan(True, why, changed=tuple(changed))
    run = {old.tests[number] for number in reached} | set(old.failed)
    if any(path in old.sources for path in changed):
        run |= old.spawners
    run |= {
        test for test in old.tests if test.split("::")[0] in modules or node_key(test) in modules
    }
    deselect = frozenset(test for test in old.tests if test not in run)
    what = f"{len(changed)} changed file(s)" if changed else "no change"
    return Plan(False, f"{what} since the map", deselect, tuple(changed))


def _unseen(path: str, old: TestMap, now: Now, reached: set[int], modules: set[str]) -> str:
    """Why the map cannot tell what `path`'s change reaches ('' when it can: the tests it
    reaches are added to `reached`, the changed test modules to `modules`)."""
    name = PurePosixPath(path).name
    if name == "conftest.py":
        return f"{path} changed: a conftest.py reaches every test below it"
    for globs, kind in KINDS:
        if matches(path, globs):
            return f"{path} changed: {kind}, which the map cannot see"
    if path in old.sources:
        return _source_change(path, old.sources[path], now, reached)
    if path.endswith(".py") and _under(path, now.test_paths):
        if path not in now.manifest:
            return ""  # a removed test module: its tests are gone
        if name.startswith("test_") or name.endswith("_test.py"):
            if _imported_by_others(path, now):
                return f"{path} changed and other test modules import it"
            changed = changed_tests(path, old.test_modules.get(path), now.read(path))
            modules.update(changed if changed is not None else {path})
            return ""
        return f"{path} changed: a test helper, which any test may use"
    if path.endswith(".py") and path not in old.manifest and name != "__init__.py":
        return ""  # a new module: only changed code can use it, and that is seen
    return f"{path} changed: tests may read it, and the map sees only Python code that runs"


def _source_change(path: str, mapped: SourceMap, now: Now, reached: set[int]) -> str:
    if path not in now.manifest:
        return f"{path} was removed"
    found = fingerprint(now.read(path))
    if found is None:
        return f"{path} does not parse"
    before = mapped.fingerprint
    if found.skeleton != before.skeleton:
        return f"{path}: module-level code changed (imports, constants or class bodies)"
    if found.docs != before.docs and now.docstrings:
        return f"{path}: a module or class docstring changed, and doctests or __doc__ read them"
    for name, function in before.functions.items():
        mine = found.functions.get(name)
        # The same code: a docstring that alone changed runs nothing, unless it is run.
        if (
            mine is not None
            and mine.digest == function.digest
            and (mine.doc == function.doc or not now.docstrings)
        ):
            continue
        if name in mapped.shared:
            # At import: what it made (a default, a registry, a module-level object) may
            # reach any test. (In a set-up only when the wider fixtures went unrecorded.)
            return f"{path}: {name} changed and ran at import, outside any test"
        reached.update(mapped.runs.get(name, ()))
    for key in found.functions.keys() - before.functions.keys():
        name = key.split("#")[0]
        if "." in name:
            return f"{path}: method {name} added (it may override an inherited one)"
        if "#" in key:
            return f"{path}: {name} defined once more (it replaces the one before)"
        if name in before.bound:
            return f"{path}: function {name} added, replacing a name the module had"
        if name in BUILTIN_NAMES:
            return f"{path}: function {name} added, replacing the builtin for the module's code"
        if before.star:
            return f"{path}: function {name} added, which may replace a name a star import gave"
        importer = _star_importer(path, now)
        if importer:
            return f"{path}: function {name} added, and {importer} star-imports the module"
    return ""


# A module-level function with one of these names replaces the builtin for the code that
# reads it by name.
BUILTIN_NAMES = frozenset(dir(builtins))


def _star_importer(path: str, now: Now) -> str | None:
    """A project file that star-imports the module at `path` (absolute or relative)."""
    module = PurePosixPath(path).with_suffix("")
    parts = [p for p in module.parts if p not in ("src",)]
    dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    last = parts[-1]
    for other in now.manifest:
        if not other.endswith(".py") or other == path:
            continue
        for name in star_imports(now.read(other)):
            relative = name.lstrip(".")
            package = last == "__init__" and relative == ""  # `from . import *`
            if name == dotted or (name.startswith(".") and (relative == last or package)):
                return other
    return None


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _imported_by_others(path: str, now: Now) -> bool:
    """Whether another test file names this test module in an import (a shared base class)."""
    module = PurePosixPath(path).stem
    for other in now.manifest:
        if other == path or not other.endswith(".py") or not _under(other, now.test_paths):
            continue
        text = now.read(other)
        if module in text and any(
            f"{word} {module}" in text or f".{module} " in text or f".{module}\n" in text
            for word in ("import", "from")
        ):
            return True
    return False


def to_document(found: TestMap) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "python": found.python,
        "packages": found.packages,
        "tests": list(found.tests),
        "failed": sorted(found.failed),
        "spawners": sorted(found.spawners),
        "manifest": dict(sorted(found.manifest.items())),
        "sources": {
            path: {
                **fingerprint_document(source.fingerprint),
                "runs": {name: sorted(tests) for name, tests in sorted(source.runs.items())},
                "shared": sorted(source.shared),
            }
            for path, source in sorted(found.sources.items())
        },
        "test_modules": {
            path: fingerprint_document(module)
            for path, module in sorted(found.test_modules.items())
        },
    }


def from_document(document: Any) -> TestMap:
    """A map read back; ValueError when it is not one this version writes."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a map of format {FORMAT}")
    try:
        sources = {
            path: SourceMap(
                read_fingerprint(entry),
                {name: frozenset(tests) for name, tests in entry["runs"].items()},
                frozenset(entry["shared"]),
            )
            for path, entry in document["sources"].items()
        }
        return TestMap(
            str(document["python"]),
            str(document["packages"]),
            tuple(document["tests"]),
            frozenset(document["failed"]),
            dict(document["manifest"]),
            sources,
            frozenset(document["spawners"]),
            {path: read_fingerprint(entry) for path, entry in document["test_modules"].items()},
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"a damaged map ({error!r})") from error
