"""The map affected-test selection keeps (which tests ran which functions, the files it
was taken on), the working tree it is compared with, and the plan; written and read back
as JSON. Plain data: ci_sessions.families.tests.affected decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ci_sessions.families.tests.fingerprints import FileFingerprint
from ci_sessions.families.tests.fingerprints import from_document as read_fingerprint
from ci_sessions.families.tests.fingerprints import to_document as fingerprint_document
from ci_sessions.families.tests.reads import Reads
from ci_sessions.families.tests.reads import from_document as read_reads
from ci_sessions.families.tests.reads import to_document as reads_document

# 6: the files tests read; 5: test modules' fingerprints; 4: docstrings apart; 3: names
# defined twice
FORMAT = 6


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
    # The project files each test opened and the folders it listed (None: not recorded).
    reads: Reads | None = None


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
        "reads": reads_document(found.reads),
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
            read_reads(document["reads"]),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"a damaged map ({error!r})") from error
