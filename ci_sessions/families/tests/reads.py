"""What the tests read besides code: the project files each test opened and the folders it
listed, as the plugin's audit hook saw them (``open``, ``os.listdir``, ``os.scandir``,
``sqlite3.connect``), and the rule for a changed file that is not Python code.

A data file runs the tests that opened it, and a file no test opened runs none (CI
settings, docs configuration, a changelog). A file added or removed runs the tests that
listed its folder or a folder above it (a test that globs its cases). Whatever was opened
or listed outside any test (at import or collection, by the project's code or its tests'
modules, not by pytest itself) reaches every test, so its change runs the whole suite,
as does a file whose map recorded nothing (a map made without the plugin). Pure: plain
data in and out; no nox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# The plugin's key for what a test's set-up or tear-down did (a wider fixture's work).
PREPARING = " (set-up)"


@dataclass(frozen=True)
class Reads:
    """The map's part: project path -> the tests (indices) that opened or listed it."""

    opened: dict[str, frozenset[int]] = field(default_factory=dict)
    listed: dict[str, frozenset[int]] = field(default_factory=dict)
    # Paths opened or listed outside any test: their change may reach any test.
    outside: frozenset[str] = frozenset()


def reach(
    opened: Mapping[str, Sequence[str]],
    listed: Mapping[str, Sequence[str]],
    index: Mapping[str, int],
    fixtures: Mapping[str, Sequence[str]] | None,
) -> Reads:
    """The plugin's records (test key -> project paths; "" outside any test) as a map.

    A set-up's or tear-down's reads reach every test sharing one of that test's wider
    fixtures (a session fixture reads its file once, for all of them); with the fixtures
    unknown, they count as outside any test."""
    sharing = sharers(fixtures)
    outside: set[str] = set()

    def by_path(records: Mapping[str, Sequence[str]]) -> dict[str, frozenset[int]]:
        found: dict[str, set[int]] = {}
        for key, paths in records.items():
            test = key.removesuffix(PREPARING)
            if not test or (key != test and fixtures is None):
                outside.update(paths)
                continue
            tests = {test}
            if key != test:
                for fixture in (fixtures or {}).get(test, ()):
                    tests |= sharing.get(fixture, set())
            numbers = {index[t] for t in tests if t in index}
            for path in paths:
                found.setdefault(path, set()).update(numbers)
        return {path: frozenset(tests) for path, tests in sorted(found.items())}

    return Reads(by_path(opened), by_path(listed), frozenset(outside))


def sharers(fixtures: Mapping[str, Sequence[str]] | None) -> dict[str, set[str]]:
    """Each wider fixture -> the tests that use it (from each test's wider fixtures)."""
    sharing: dict[str, set[str]] = {}
    for test, names in (fixtures or {}).items():
        for name in names:
            sharing.setdefault(name, set()).add(test)
    return sharing


def data_change(
    path: str,
    reads: Reads | None,
    before: Mapping[str, str],
    now: Mapping[str, str],
    reached: set[int],
) -> str:
    """Why a changed file that is not code runs the whole suite ('' when the tests that
    read it, if any, are enough: they are added to `reached`). `before` and `now`: the
    project's files then and now (path -> hash)."""
    if reads is None:
        return f"{path} changed: tests may read it, and the map recorded no file reads"
    if path in reads.outside:
        return f"{path} changed: it was read at import or collection, outside any test"
    reached.update(reads.opened.get(path, ()))
    if (path in before) == (path in now):
        return ""
    for folder in PurePosixPath(path).parents:
        name = folder.as_posix()
        if name in reads.outside:
            return (
                f"{path} was added or removed, and {name}/ was listed at import or "
                "collection, outside any test"
            )
        reached.update(reads.listed.get(name, ()))
    return ""


def to_document(reads: Reads | None) -> dict[str, object] | None:
    if reads is None:
        return None
    return {
        "opened": {path: sorted(tests) for path, tests in reads.opened.items()},
        "listed": {path: sorted(tests) for path, tests in reads.listed.items()},
        "outside": sorted(reads.outside),
    }


def from_document(document: object) -> Reads | None:
    """Read back; KeyError, TypeError or AttributeError on a damaged document."""
    if document is None:
        return None
    if not isinstance(document, dict):
        raise TypeError("reads: not a table")
    return Reads(
        {path: frozenset(tests) for path, tests in document["opened"].items()},
        {path: frozenset(tests) for path, tests in document["listed"].items()},
        frozenset(document["outside"]),
    )
