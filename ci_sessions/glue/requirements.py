"""What an install installs: the project with what its tests need, tools pinned by whose
pin wins (ci_sessions.pins), and the versions a uv.lock locks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import nox
import nox.virtualenv

from ci_sessions import pins, pylock
from ci_sessions.config import Config
from ci_sessions.glue.scratch import scratch_dir


def project(
    config: Config,
    *,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
    for_tests: bool = False,
) -> list[str]:
    """The project (with extras) and its PEP 735 groups, as installer arguments;
    for_tests: also the tests' requirements files and Poetry test groups."""
    extras = list(extras)
    installed = f".[{','.join(extras)}]" if extras else "."
    # Groups were resolved at load (include-group followed): no second read of the file.
    wanted = [requirement for group in groups for requirement in config.groups[group]]
    if for_tests:
        wanted += config.poetry_requirements
    files = [arg for path in config.test_requirements for arg in ("-r", path)] if for_tests else []
    # A workspace member's dependencies inside the workspace, from their folders ("../core").
    return [installed, *config.local_dependencies, *dict.fromkeys(wanted), *files]


def pinned_by(
    config: Config, groups: Iterable[str], requirement_files: Iterable[str]
) -> dict[str, str]:
    """Distribution -> where, for what these groups and requirements files name: installed
    together with a tool, the project's own pin of it wins (as for the tests' own)."""
    found: dict[str, str] = {}
    for group in groups:
        for name in pins.names_in(config.groups.get(group, ())):
            found.setdefault(name, f"the dependency group {group}")
    for path in requirement_files:
        for name in pins.requirement_file_names(config.root / path):
            found.setdefault(name, path)
    return found


def tool_pins(
    session: nox.Session,
    config: Config,
    tools: Iterable[str],
    *,
    project_wins: bool = True,
    also: Mapping[str, str] | None = None,
) -> list[str]:
    """The tools to install: the configured pins replace ci-sessions' own, and (where the
    project itself is installed) the project's own pin of a tool wins, said once; `also`:
    more of the project's pins (name -> where), from what this install adds."""
    chosen, said = pins.adjust(
        tools,
        dict(config.pins),
        {**(also or {}), **config.project_pins} if project_wins else {},
        config.pre_commit_versions,
    )
    for line in said:
        session.log(f"pins: {line}")
    return chosen


def lock_constraints(session: nox.Session, config: Config) -> list[str]:
    """`-c <file>` holding what uv.lock locks, so that the sessions test the locked versions;
    `-r pylock.toml` for a PEP 751 lock (uv installs it, verifying its hashes, and resolves
    the project against it: a lock that does not satisfy the project fails, naming the
    package).

    `uv export --locked` fails on a lock that no longer matches pyproject.toml:
    a stale lock is an error to fix (`uv lock`), not something to test around.
    """
    if config.pylock is not None:
        return _pylock_constraints(session, config, config.pylock)
    if config.lock is None:
        return []
    has_uv, uv, _ = nox.virtualenv.find_uv()
    target = scratch_dir(session) / "uv-lock-constraints.txt"
    session.run_install(uv if has_uv else "uv", *locked_export(target), external=True)
    return ["-c", str(target)]


def _pylock_constraints(session: nox.Session, config: Config, lock: str) -> list[str]:
    """The lock installed first, as it is (uv verifies its hashes; it takes no other
    requirement beside a pylock.toml), then its versions for this Python as constraints of
    the project's install."""
    session.install("-r", str(config.root / lock))
    locked = pylock.for_python(pylock.read(config.root / lock), str(session.python))
    target = scratch_dir(session) / "pylock-constraints.txt"
    target.write_text("".join(f"{p.name}=={p.version}\n" for p in locked), encoding="utf-8")
    return ["-c", str(target)]


def locked_export(
    target: Path,
    extras: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
) -> list[str]:
    """uv's arguments to write what uv.lock locks as requirements: every extra and group
    (None: for constraints, which install nothing), or the runtime dependencies with these
    extras and groups only (what the security scan covers: not docs or pre-commit groups)."""
    if extras is None or groups is None:
        chosen = ["--all-extras", "--all-groups"]
    else:
        chosen = [
            *(f"--extra={extra}" for extra in extras),
            "--no-default-groups",
            *(f"--group={group}" for group in groups),
        ]
    return [
        "export",
        "--locked",
        "--no-hashes",
        "--no-emit-project",
        *chosen,
        "--format=requirements-txt",
        f"--output-file={target}",
        "--quiet",
    ]
