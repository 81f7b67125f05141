"""uv workspaces: each member's sessions, and the two that are the workspace's own.

`register()` at a workspace root (``[tool.uv.workspace]``) defines, for every member, the
sessions its configuration asks for, named for it (``lint-core``, ``tests-core-3.12``,
``coverage-core``), run from its folder with the members it depends on installed beside it;
then ``coverage-all``, the gate over every member's coverage report, and ``members``, which
says which members a change reaches and why (``CI_SESSIONS_MEMBERS`` then runs only those).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nox

from ci_sessions import git, github, workspace
from ci_sessions.config import Config, ConfigError, read_pyproject, values
from ci_sessions.families.changes.docs import base_ref

# The sessions that are the workspace's, not a member's.
ROOT_SESSIONS = ("changes", "report")


@dataclass(frozen=True)
class Workspace:
    """A uv workspace root, read once: its pyproject.toml, its members and their
    configurations (what register() and the commands share)."""

    root: Path
    document: Mapping[str, Any]
    members: tuple[workspace.Member, ...]
    configs: list[Config]  # each member's, in member order


def at_root(
    pyproject: Path, only: Sequence[str] | None, exclude: Sequence[str], load: Any
) -> Workspace | None:
    """The workspace whose root this pyproject.toml is; None for any other project (and
    without parsing it twice on every nox start: a file that never says `workspace` is
    none). `load`: registry.load_config."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None  # the loader says what is wrong with it
    if "workspace" not in text:
        return None
    document = read_pyproject(pyproject)
    if not workspace.is_workspace(document):
        return None
    found, configs = member_configs(pyproject.parent, document, only, exclude, load)
    return Workspace(pyproject.parent, document, found, configs)


def member_configs(
    root: Path,
    document: Mapping[str, Any],
    only: Sequence[str] | None,
    exclude: Sequence[str],
    load: Any,
) -> tuple[tuple[workspace.Member, ...], list[Config]]:
    """Each member's configuration: the root's table under its own, its sessions named for
    it, the members it depends on to install beside it. `load`: registry.load_config."""
    try:
        found = workspace.members(root, document)
    except workspace.WorkspaceError as exc:
        raise ConfigError(str(exc)) from None
    shared = document.get("tool", {}).get("ci_sessions", {})
    if not isinstance(shared, Mapping):
        raise ConfigError(f"{root / 'pyproject.toml'}: [tool.ci_sessions] must be a table")
    _fail_under(root, document)  # coverage-all's threshold: checked before any session runs
    paths = {member.name: member.path for member in found}
    configs = []
    for member in found:
        config = load(root / member.path / "pyproject.toml", inherited=shared)
        beside = tuple(
            posixpath.relpath(paths[name], member.path)
            for name in workspace.closure(found, member.name)
        )
        configs.append(
            replace(
                config,
                member=member.name,
                local_dependencies=beside,
                workspace_members=tuple(paths),
                only=None if only is None else tuple(n for n in only if n not in ROOT_SESSIONS),
                exclude=(*exclude, *ROOT_SESSIONS),
            )
        )
    return found, configs


def register(found: Workspace) -> None:
    """The workspace's own sessions: coverage-all (over the members' reports, not a root
    project's) and members."""
    root, members, configs = found.root, found.members, found.configs
    threshold = _fail_under(root, found.document)

    # In the tiers of the members' coverage sessions: `nox -t pr` runs it after them.
    tiers = configs[0].tiers_of("coverage") if configs else []

    @nox.session(name="coverage-all", python=False, venv_backend="none", tags=["coverage", *tiers])
    def coverage_all(session: nox.Session) -> None:
        """The total over every member's coverage report (run each coverage-<member> first)."""
        chosen = workspace.chosen_members(os.environ)
        counted = [c for c in configs if chosen is None or c.member in chosen]
        reports = {c.member: _report(c) for c in counted}
        stale = [c.member for c in counted if reports[c.member] and _stale(c)]
        whole = workspace.whole_coverage(reports, stale)
        scope = "every member" if chosen is None else f"members {', '.join(reports) or '(none)'}"
        line = (
            f"coverage-all: {whole.percent:.2f}% over {scope} ({whole.covered} of "
            f"{whole.measured} lines and branches)"
        )
        session.log(line)
        github.append_step_summary(f"## coverage-all\n\n{line}\n")
        if whole.problems:
            session.error("coverage-all: " + "; ".join(whole.problems))
        if threshold is None:
            session.log("coverage-all: no fail-under at the root: the total is reported only")
        elif whole.percent < threshold:
            session.error(f"coverage-all: {whole.percent:.2f}% is below fail-under {threshold:g}")

    @nox.session(name="members", python=False, venv_backend="none", default=False)
    def members_(session: nox.Session) -> None:
        """Which members a change reaches, and why; `-- --base REV` (else the pull request's
        base or the push's previous commit). Writes members=,a,b, to $GITHUB_OUTPUT."""
        base = _base(session.posargs)
        if base is None:
            reasons = {
                m.name: "no base to compare with (a schedule, a new branch)" for m in members
            }
        else:
            changed, problem = git.changed_since(root, base)
            if changed is None:
                session.error(f"members: git diff against {base} failed: {problem}")
            reasons = selection(members, changed)
        lines = [
            (
                f"{m.name}: runs, {reasons[m.name]}"
                if m.name in reasons
                else f"{m.name}: skipped, nothing it depends on changed"
            )
            for m in members
        ]
        for text in lines:
            session.log(f"members: {text}")
        chosen = ",".join(m.name for m in members if m.name in reasons)
        (root / "reports").mkdir(exist_ok=True)
        (root / "reports" / "members.json").write_text(
            json.dumps({"base": base, "members": reasons}, indent=2), encoding="utf-8"
        )
        github.append_step_summary(
            f"## members (against {base or 'nothing'})\n\n" + "".join(f"- {t}\n" for t in lines)
        )
        output = os.environ.get("GITHUB_OUTPUT")
        if output:
            # Between commas, so that a job's condition tells `ws-app` from `ws-app-extra`;
            # code=true: the jobs' documentation-only skip is not decided per member.
            with open(output, "a", encoding="utf-8") as sink:
                sink.write(f"members=,{chosen},\ncode=true\n")
        session.log(f"members: {workspace.MEMBERS_ENV}={chosen}")


def selection(members: Sequence[workspace.Member], changed: Sequence[str]) -> dict[str, str]:
    """Member -> why it runs: every member when a file outside them changed."""
    outside = workspace.outside_members(members, changed)
    if outside:
        return {m.name: f"a file outside the members changed ({outside[0]})" for m in members}
    return workspace.affected(members, changed)


def _base(posargs: Sequence[str]) -> str | None:
    if "--base" in posargs and posargs.index("--base") + 1 < len(posargs):
        return posargs[posargs.index("--base") + 1]
    return base_ref(os.environ)


def _report(config: Config) -> Mapping[str, Any] | None:
    path = config.root / config.reports_dir / "coverage.json"
    try:
        document: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document


def _stale(config: Config) -> bool:
    """Whether a member's coverage.json is older than the data its tests wrote since."""
    reports = config.root / config.reports_dir
    report = (reports / "coverage.json").stat().st_mtime
    data = reports / "coverage-data"
    newest = max((p.stat().st_mtime for p in data.glob(".coverage.py*")), default=0.0)
    return newest > report


def _fail_under(root: Path, document: Mapping[str, Any]) -> float | None:
    """The root's [tool.ci_sessions.coverage] fail-under: the whole's threshold."""
    table = document.get("tool", {}).get("ci_sessions", {}).get("coverage", {})
    raw = table.get("fail-under") if isinstance(table, Mapping) else None
    if raw is None:
        return None
    try:
        return values.percentage(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{root / 'pyproject.toml'}: [tool.ci_sessions.coverage] fail-under: {exc}"
        ) from None
