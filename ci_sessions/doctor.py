"""`python -m ci_sessions doctor`: what this machine has for a project's sessions.

Each check names a thing, where it was found, whether a configured session
needs it, and how to get it. Probing goes through ``which`` so that tests can
hand in a fake one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ci_sessions import interpreters
from ci_sessions.config import Config
from ci_sessions.services import SERVICES, ServiceError
from ci_sessions.services._base import find_binary

Which = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Check:
    name: str
    found: str | None
    needed_by: str  # empty: nice to have
    hint: str

    @property
    def missing_but_needed(self) -> bool:
        return self.found is None and bool(self.needed_by)


def checks(config: Config, which: Which) -> list[Check]:
    found: list[Check] = [
        Check(
            f"python{version}",
            which(f"python{version}"),
            f"tests-{version}",
            f"`uv python install {version}` or `pyenv install {version}`, then put it on PATH",
        )
        for version in config.python
    ]
    found.append(Check("uv", which("uv"), "", "`pip install uv`: faster venvs (else virtualenv)"))
    patch = config.coverage.patch_fail_under is not None
    found.append(Check("git", which("git"), "coverage (patch)" if patch else "", "install git"))
    if config.integration is not None:
        for name in config.integration.services:
            service = SERVICES[name]
            binary = "initdb" if name == "postgres" else "redis-server"
            found.append(
                Check(
                    binary,
                    _service_binary(binary, service.INSTALL_HINT),
                    "integration",
                    service.INSTALL_HINT,
                )
            )
    database = config.security.db  # resolved at load: the variable, else the key
    if database and "safety" in config.security.scanners:
        found.append(
            Check(
                f"vulnerability database from {config.security.db_origin}",
                database if Path(database).exists() else None,
                "security",
                f"{database} does not exist: point {config.security.db_origin} at an "
                "advisory mirror",
            )
        )
    return found


def working_which(name: str) -> str | None:
    """shutil.which, but an interpreter must also start, found as nox finds it:
    pyenv's shims are on PATH and fail unless their version is activated."""
    if name.startswith("python"):
        return interpreters.find(name.removeprefix("python"))
    return shutil.which(name)


def _service_binary(binary: str, hint: str) -> str | None:
    try:
        return find_binary(binary, hint)
    except ServiceError:
        return None


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
