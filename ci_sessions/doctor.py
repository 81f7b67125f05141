"""`python -m ci_sessions doctor`: what this machine has for a project's sessions.

Each check names a thing, where it was found, whether a configured session
needs it, and how to get it. The families declare their own checks (the
matrix' interpreters, the services' binaries, the vulnerability database);
this module adds uv and walks them. Probing goes through ``which`` so that
tests can hand in a fake one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import nox.virtualenv

from ci_sessions import interpreters
from ci_sessions.config import Config
from ci_sessions.families.base import Check, Which
from ci_sessions.requirement import script_dependencies

__all__ = ["Check", "exit_code", "render", "run_checks", "working_which"]


# Resolves requirements as CI's `uvx nox` would: an error message, or None.
Resolver = Callable[[Sequence[str]], "str | None"]


NOXFILE_CHECK = "noxfile dependencies, as CI installs them"


def run_checks(config: Config, which: Which, resolver: Resolver | None = None) -> list[Check]:
    """The checks of every family the noxfile defines sessions of (register()'s only= and
    exclude=, as the generator sees them), uv, and whether CI can install the noxfile's
    dependencies."""
    found = [
        check
        for family in config.families
        if any(config.defines(name) for name in family.SESSIONS)
        for check in family.checks(config, which)
    ]
    found.insert(
        len(config.python),  # after the interpreters, as the matrix reads first
        Check("uv", which("uv"), "", "`pip install uv`: faster venvs (else virtualenv)"),
    )
    found.append(noxfile_check(config.root / "noxfile.py", resolver or resolve_with_uv))
    return found


def workspace_checks(
    root: Path, members: Sequence[Config], which: Which, resolver: Resolver | None = None
) -> list[Check]:
    """A uv workspace's checks: every member's, each once (who needs it merged), then the
    root noxfile's (the members have none of their own)."""
    merged: dict[str, Check] = {}
    for config in members:
        for check in run_checks(config, which, lambda _: None):
            if check.name == NOXFILE_CHECK:
                continue  # a member has no noxfile: the root's is checked once, below
            known = merged.get(check.name)
            if known is None:
                merged[check.name] = check
                continue
            needs = [part for part in (known.needed_by, check.needed_by) if part]
            merged[check.name] = replace(known, needed_by=", ".join(dict.fromkeys(needs)))
    return [*merged.values(), noxfile_check(root / "noxfile.py", resolver or resolve_with_uv)]


def noxfile_check(noxfile: Path, resolver: Resolver) -> Check:
    """CI runs `uvx nox`, which installs the noxfile's PEP 723 dependencies first."""
    name = NOXFILE_CHECK
    dependencies = script_dependencies(noxfile)
    if dependencies is None:
        return Check(
            name,
            None,
            "CI",
            f"{noxfile} has no `# /// script` block naming nox and ci-sessions: "
            "`python -m ci_sessions init` writes one (on a project without a noxfile)",
        )
    problem = resolver(dependencies)
    if problem:
        return Check(name, None, "CI", f"{', '.join(dependencies)} do not resolve: {problem}")
    return Check(name, ", ".join(dependencies), "CI", "")


def resolve_with_uv(requirements: Sequence[str]) -> str | None:
    """Resolve as CI would (uv, from the package index); the error's last line, or None."""
    has_uv, uv, _ = nox.virtualenv.find_uv()
    if not has_uv:
        return "uv is not here to resolve them (`pip install uv`)"
    done = subprocess.run(
        [uv, "pip", "compile", "--quiet", "--no-header", "-"],
        input="\n".join(requirements),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"uv exited {done.returncode}"


def working_which(name: str) -> str | None:
    """shutil.which, but an interpreter must also start, found as nox finds it:
    pyenv's shims are on PATH and fail unless their version is activated."""
    if name.startswith("python"):
        return interpreters.find(name.removeprefix("python"))
    return shutil.which(name)


def render(found: Sequence[Check]) -> str:
    lines = []
    for check in found:
        status = "ok     " if check.found else ("MISSING" if check.needed_by else "absent ")
        where = check.found or f"-> {check.hint}"
        needed = f" (needed by {check.needed_by})" if check.needed_by else ""
        lines.append(f"{status} {check.name}{needed}: {where}")
    missing = [check for check in found if check.missing_but_needed]
    lines.append(f"{len(missing)} missing thing(s) that a session needs" if missing else "all set")
    return "\n".join(lines)


def exit_code(found: Sequence[Check]) -> int:
    return 1 if any(check.missing_but_needed for check in found) else 0
