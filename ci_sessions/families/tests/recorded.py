"""What the pytest plugin recorded for affected selection's map, read back: one file per
pytest process (pytest-xdist's workers too), merged, and its absolute paths turned into
the project's (an installed copy in the venv maps back to its source)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Never part of the project's files: venvs and what the sessions write.
NOT_PROJECT = (".nox/", ".git/", ".venv", "__pycache__/", ".pytest_cache/", ".mypy_cache/")


@dataclass
class Recorded:
    """The plugin's files merged: each test's wider fixtures (None when no process wrote
    any: every set-up then counts as shared), the tests that started a process, and the
    absolute paths each test opened and listed (None when not recorded)."""

    fixtures: dict[str, list[str]] | None = None
    spawners: set[str] = field(default_factory=set)
    opened: dict[str, set[str]] | None = None
    listed: dict[str, set[str]] = field(default_factory=dict)


def recorded_by_plugin(target: Path | None) -> Recorded:
    found = Recorded()
    for path in [] if target is None else sorted(target.parent.glob(f"{target.name}.*")):
        document = json.loads(path.read_text(encoding="utf-8"))
        found.fixtures = {**(found.fixtures or {}), **document["fixtures"]}
        found.spawners.update(document["spawners"])
        if "opened" in document:
            found.opened = found.opened or {}
            for kind, into in (("opened", found.opened), ("listed", found.listed)):
                for test, paths in document[kind].items():
                    into.setdefault(test, set()).update(paths)
    return found


def project_paths(
    records: Mapping[str, set[str]],
    to_project: Callable[[str], str | None],
    keep: Callable[[str], bool],
) -> dict[str, list[str]]:
    """Absolute paths -> the project's (`to_project`: None for a path outside it)."""
    found: dict[str, list[str]] = {}
    for test, paths in records.items():
        mapped = {path for p in paths if (path := to_project(p)) and keep(path)}
        found[test] = sorted(mapped)
    return found


def is_project_folder(path: str) -> bool:
    """A folder the project's files live in (not a venv, a cache or the reports)."""
    return not any(part in f"{path}/" for part in NOT_PROJECT)
