"""uv workspaces: the members, what each depends on inside the workspace, and which of them
a change reaches.

A workspace root's ``[tool.uv.workspace] members`` (globs, less ``exclude``) are each a
project with its own sessions (``tests-<member>-3.12``, ``lint-<member>``) and its own
``[tool.ci_sessions]`` table, on top of the root's. A member depends on another when its
``[project] dependencies`` (or optional dependencies, or dependency groups) name it. Pure
functions, but for reading the members' pyproject.toml files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Keys of the root's [tool.ci_sessions] that belong to the root alone: a member has its own
# package, paths and reports, and the workflow is the workspace's.
# (The workflow table is shared: the generator builds each member's jobs with it.)
ROOT_ONLY = frozenset(
    {"package", "paths", "test-paths", "reports-dir", "suites", "integration", "narrow"}
)  # fmt: skip


# The members whose sessions run (comma-separated; the `members` session writes it as a
# job output on CI); unset: every member's.
MEMBERS_ENV = "CI_SESSIONS_MEMBERS"


def chosen_members(environ: Mapping[str, str]) -> tuple[str, ...] | None:
    """The members `CI_SESSIONS_MEMBERS` names (normalised); None when it is not set."""
    value = environ.get(MEMBERS_ENV)
    if value is None:
        return None
    return tuple(canonicalize_name(part.strip()) for part in value.split(",") if part.strip())


class WorkspaceError(ValueError):
    """A workspace that cannot be read: the message names the file and the key."""


@dataclass(frozen=True)
class Member:
    name: str  # normalised distribution name: "my-core"
    path: str  # relative to the workspace root, "/"-separated: "packages/core"
    depends_on: tuple[str, ...]  # other members' names

    @property
    def session_suffix(self) -> str:
        return self.name


def is_workspace(document: Mapping[str, Any]) -> bool:
    uv = document.get("tool", {}).get("uv", {})
    return isinstance(uv, Mapping) and "workspace" in uv


def members(root: Path, document: Mapping[str, Any]) -> tuple[Member, ...]:
    """The workspace's members, in path order, with their dependencies on each other."""
    pyproject = root / "pyproject.toml"
    table = document.get("tool", {}).get("uv", {}).get("workspace", {})
    if not isinstance(table, Mapping):
        raise WorkspaceError(f"{pyproject}: [tool.uv.workspace] must be a table")
    patterns = _strings(table.get("members", []), pyproject, "members")
    excluded = _strings(table.get("exclude", []), pyproject, "exclude")
    folders = sorted(
        {
            folder
            for pattern in patterns
            for folder in root.glob(pattern)
            if (folder / "pyproject.toml").is_file() and folder.resolve() != root.resolve()
        }
    )
    folders = [f for f in folders if not any(f.match(str(root / e)) for e in excluded)]
    if not folders:
        raise WorkspaceError(
            f"{pyproject}: [tool.uv.workspace] members {list(patterns)} match no folder with a "
            "pyproject.toml"
        )
    documents = {folder: _read(folder / "pyproject.toml") for folder in folders}
    names = {folder: _name(folder / "pyproject.toml", doc) for folder, doc in documents.items()}
    known = set(names.values())
    return tuple(
        Member(
            names[folder],
            PurePosixPath(folder.relative_to(root).as_posix()).as_posix(),
            tuple(sorted(dependency_names(documents[folder]) & known - {names[folder]})),
        )
        for folder in folders
    )


def dependency_names(document: Mapping[str, Any]) -> set[str]:
    """Every distribution a project's pyproject names as a dependency: runtime, optional,
    dependency groups (strings only; include-group tables name no distribution)."""
    project = document.get("project", {})
    lists: list[Iterable[Any]] = [project.get("dependencies", [])]
    lists += list(project.get("optional-dependencies", {}).values())
    lists += list(document.get("dependency-groups", {}).values())
    found: set[str] = set()
    for items in lists:
        for item in items if isinstance(items, list) else []:
            try:
                found.add(canonicalize_name(Requirement(str(item)).name))
            except InvalidRequirement:
                continue
    return found


def closure(members: Sequence[Member], name: str) -> tuple[str, ...]:
    """What a member needs installed beside it: its dependencies inside the workspace,
    theirs, and so on (not itself), in member order."""
    by_name = {member.name: member for member in members}
    seen: set[str] = set()
    stack = list(by_name[name].depends_on)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(by_name[current].depends_on)
    return tuple(member.name for member in members if member.name in seen)


def affected(members: Sequence[Member], changed_files: Iterable[str]) -> dict[str, str]:
    """Member -> why it runs on this change: its own files changed, or a member it depends
    on (directly or not) did. Members the change does not reach are left out."""
    files = [PurePosixPath(path) for path in changed_files]
    reasons: dict[str, str] = {}
    for member in members:
        own = [str(f) for f in files if f.is_relative_to(member.path)]
        if own:
            more = f" and {len(own) - 1} more" if len(own) > 1 else ""
            reasons[member.name] = f"its files changed ({own[0]}{more})"
    for member in members:
        if member.name in reasons:
            continue
        reached = [dep for dep in closure(members, member.name) if dep in reasons]
        if reached:
            via = "" if reached[0] in member.depends_on else " (indirectly)"
            reasons[member.name] = f"it depends on {reached[0]}, which changed{via}"
    return reasons


def outside_members(members: Sequence[Member], changed_files: Iterable[str]) -> list[str]:
    """Changed files under no member (the root's pyproject.toml, uv.lock, CI files): they
    may reach every member, so a change with any of them runs them all."""
    return [
        path
        for path in changed_files
        if not any(PurePosixPath(path).is_relative_to(m.path) for m in members)
    ]


def member_table(root_table: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """A member's [tool.ci_sessions]: the root's shared keys, its own over them (a
    sub-table such as coverage merged key by key)."""
    merged: dict[str, Any] = {k: v for k, v in root_table.items() if k not in ROOT_ONLY}
    for key, value in own.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
    return merged


def _strings(value: Any, pyproject: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WorkspaceError(
            f"{pyproject}: [tool.uv.workspace] {key} must be a list of glob strings"
        )
    return tuple(value)


def _read(pyproject: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorkspaceError(f"{pyproject}: cannot be read: {exc}") from None


def _name(pyproject: Path, document: Mapping[str, Any]) -> str:
    name = document.get("project", {}).get("name")
    if not isinstance(name, str) or not name:
        raise WorkspaceError(f"{pyproject}: [project].name is missing (a workspace member)")
    return canonicalize_name(name)


@dataclass(frozen=True)
class WholeCoverage:
    """The workspace's total over its members' coverage reports, and what keeps it from
    counting: members without a report, or with one older than their data."""

    percent: float
    covered: int
    measured: int
    problems: tuple[str, ...]


def whole_coverage(
    reports: Mapping[str, Mapping[str, Any] | None], stale: Iterable[str] = ()
) -> WholeCoverage:
    """Lines and branches covered over lines and branches measured, summed over the
    members' coverage.json totals (coverage.py's own formula: the files are disjoint, so the
    sums are the total a combination would give). `reports`: member -> its coverage.json
    (None: missing); `stale`: members whose report is older than their data."""
    covered = measured = 0
    problems = [
        f"{name}: no coverage report; run `nox -s coverage-{name}` (after its tests)"
        for name, report in reports.items()
        if report is None
    ]
    problems += [
        f"{name}: its coverage report is older than its tests' data; run `nox -s "
        f"coverage-{name}` again"
        for name in stale
    ]
    for report in reports.values():
        if report is None:
            continue
        totals = report.get("totals", {})
        covered += int(totals.get("covered_lines", 0)) + int(totals.get("covered_branches", 0))
        measured += int(totals.get("num_statements", 0)) + int(totals.get("num_branches", 0))
    percent = 100.0 * covered / measured if measured else 0.0
    if not problems and measured == 0:
        problems.append("the members' reports measured no line: nothing to gate")
    return WholeCoverage(percent, covered, measured, tuple(problems))
