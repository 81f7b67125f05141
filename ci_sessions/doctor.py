"""`python -m ci_sessions doctor`: what this machine has for a project's sessions.

Each check names a thing, where it was found, whether a configured session
needs it, and how to get it. The families declare their own checks (the
matrix' interpreters, the services' binaries, the vulnerability database);
this module adds uv and walks them. Probing goes through ``which`` so that
tests can hand in a fake one.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from ci_sessions import interpreters
from ci_sessions.config import Config
from ci_sessions.families.base import Check, Which

__all__ = ["Check", "exit_code", "render", "run_checks", "working_which"]


def run_checks(config: Config, which: Which) -> list[Check]:
    """Every family's checks, and uv."""
    found = [check for family in config.families for check in family.checks(config, which)]
    found.insert(
        len(config.python),  # after the interpreters, as the matrix reads first
        Check("uv", which("uv"), "", "`pip install uv`: faster venvs (else virtualenv)"),
    )
    return found


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
