"""Which interpreters of the matrix really start on this machine.

Found the way nox finds them (python-discovery: PATH, pyenv, uv, ...), so that
ci-sessions and nox agree on what is missing: a pyenv shim that fails unless
its version is activated is on PATH, yet nox cannot use it, and neither can we.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable

import nox.virtualenv

Finder = Callable[[str], "str | None"]


def find(version: str) -> str | None:
    """The interpreter nox would use for `version`, or None when none starts here."""
    discover: Finder | None = getattr(nox.virtualenv, "_find_python", None)
    if discover is not None:
        try:
            return discover(version)
        except Exception:
            return None
    return _which_and_start(f"python{version}")


def _which_and_start(name: str) -> str | None:
    """shutil.which, but the interpreter must also start (a failing shim does not)."""
    path = shutil.which(name)
    if path is None:
        return None
    try:
        started = subprocess.run([path, "-c", "pass"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if started.returncode == 0 else None


def runnable(versions: Iterable[str], finder: Finder = find) -> tuple[str, ...]:
    """The versions that start here, in the order given."""
    return tuple(version for version in versions if finder(version) is not None)
