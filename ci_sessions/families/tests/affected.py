"""Affected-test selection: which tests a change can reach, from the map of main's (or the
last) full run; else why the whole suite runs.

The map is built from the full run's own coverage data, measured per test (pytest-cov's
`--cov-context=test`): for every function of the measured code, the tests whose run
executed its body. A change is the difference between the files the map was taken on
(a hash per file) and the working tree. A test runs when it executed a function that
changed or was removed (in its own run, or in the set-up of a wider fixture it shares),
when its own test module changed, when it is new (not in the map), when it failed in the
mapped run, or when it started a process and the measured code or a data file changed. A
file that is not code runs the tests that opened it (ci_sessions.families.tests.reads).
Everything the map cannot see runs the whole suite: module-level code, a function that ran
at import, conftest.py, test helpers, build and test settings, dependencies, C extensions,
and files read at import or collection. Pure: plain data in, a Plan out; no nox.
"""

from __future__ import annotations

import builtins
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from ci_sessions.families.tests.affected_map import (
    FORMAT,
    Now,
    Plan,
    SourceMap,
    TestMap,
    from_document,
    to_document,
)
from ci_sessions.families.tests.affected_option import OPTION, take_option
from ci_sessions.families.tests.changed_tests import changed_tests, node_key
from ci_sessions.families.tests.classes import added_method
from ci_sessions.families.tests.fingerprints import FileFingerprint, fingerprint
from ci_sessions.families.tests.imports import imports_of
from ci_sessions.families.tests.reads import data_change, reach, sharers

__all__ = [
    "FORMAT",
    "OPTION",
    "Now",
    "Plan",
    "SourceMap",
    "TestMap",
    "from_document",
    "take_option",
    "to_document",
]

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
    opened: Mapping[str, Sequence[str]] | None = None,
    listed: Mapping[str, Sequence[str]] | None = None,
) -> TestMap:
    """The map of a full run: `texts` the measured source files, `executed` their lines
    with the contexts that ran them (as coverage recorded them, paths mapped to sources),
    `fixtures` each test's fixtures of a wider scope than the function (None: unknown).

    Code that ran in a test's set-up or tear-down reaches that test, and every test that
    shares one of its wider fixtures (a session fixture runs once, in the first test's
    set-up, for all of them); without `fixtures` such code reaches every test. Code that ran
    at import or collection (no test's context) reaches every test. `spawners`: the tests
    that started a process, whose code no context covers. `opened` and `listed`: the
    project files each test opened and the folders it listed (None: not recorded)."""
    index = {test: number for number, test in enumerate(tests)}
    sharing = sharers(fixtures)
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
        None if opened is None else reach(opened, listed or {}, index, fixtures),
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
    # A process a test started runs code no context saw, and may read any file.
    if any(path in old.sources or not path.endswith(".py") for path in changed):
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
        return _source_change(path, old, now, reached, modules)
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
    if path.endswith(".py"):
        return f"{path} changed: a Python file outside the measured code and the tests"
    return data_change(path, old.reads, old.manifest, now.manifest, reached)


def _source_change(path: str, old: TestMap, now: Now, reached: set[int], modules: set[str]) -> str:
    mapped = old.sources[path]
    if path not in now.manifest:
        return f"{path} was removed"
    found = fingerprint(now.read(path))
    if found is None:
        return f"{path} does not parse"
    before = mapped.fingerprint
    if found.skeleton != before.skeleton:
        return f"{path}: module-level code changed (imports, class bodies, other statements)"
    why = _constants_change(path, before, found, old, now, reached, modules)
    if why:
        return why
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
    for key in sorted(found.functions.keys() - before.functions.keys()):
        name = key.split("#")[0]
        if "." in name:
            sources = [source for source in old.sources if source in now.manifest]
            runs = {source: mapped_source.runs for source, mapped_source in old.sources.items()}
            tests = added_method(path, key, sources, now.read, runs)
            if isinstance(tests, str):
                return tests
            reached.update(tests)
            continue
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
    for other, name, _ in imports_of(path, now.manifest, now.read):
        if name == "*":
            return other
    return None


def _constants_change(
    path: str,
    before: FileFingerprint,
    found: FileFingerprint,
    old: TestMap,
    now: Now,
    reached: set[int],
    modules: set[str],
) -> str:
    """A module-level constant changed, was added or removed: the tests of the functions
    that read it (by its name, or by an alias a `from ... import` gives it) run; the whole
    suite when it is read at import, by this module or by one that imports it by name."""
    changed = {
        name
        for name in before.constants.keys() | found.constants.keys()
        if before.constants.get(name) != found.constants.get(name)
    }
    if not changed:
        return ""
    at_import = sorted(changed & (before.module_reads | found.module_reads))
    if at_import:
        return f"{path}: {at_import[0]} changed, and the module reads it at import"
    for name in sorted(changed - before.constants.keys()):
        if name in BUILTIN_NAMES or before.star or name in before.bound:
            return f"{path}: {name} bound anew at module level, replacing a name it had"
    names = set(changed)
    for other, name, alias in imports_of(path, now.manifest, now.read):
        if name not in changed and name != "*":
            continue
        if name == "*":
            return f"{path}: {', '.join(sorted(changed))} changed, and {other} star-imports it"
        names.add(alias)
        mapped = old.sources.get(other) or None
        module = mapped.fingerprint if mapped else old.test_modules.get(other)
        if module is None or alias in module.module_reads:
            return f"{path}: {name} changed, and {other} imports it at import time"
    for source in old.sources.values():
        for function, facts in source.fingerprint.functions.items():
            if facts.reads & names:
                if function in source.shared:
                    return f"{path}: {function}, which reads a changed constant, ran at import"
                reached.update(source.runs.get(function, ()))
    for test_path, module in old.test_modules.items():
        if module.module_reads & names:
            modules.add(test_path)
        for key, facts in module.functions.items():
            if facts.reads & names:
                short = key.split("#")[0]
                test = short.rsplit(".", 1)[-1].startswith("test")
                modules.add(f"{test_path}::{short}" if test else test_path)
    return ""


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
