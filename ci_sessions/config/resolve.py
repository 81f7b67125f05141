"""Precedence rules, one pure function each, applied once when the configuration loads.

Each function takes plain values (what the key says, what another tool's table
says, what the environment says) and returns the effective value with where it
came from, so that ``check-config`` prints exactly what the sessions use and
no session reads pyproject.toml or the environment again for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def version_key(version: str) -> tuple[int, int, bool]:
    """ "3.13t" -> (3, 13, True): orders versions numerically, not as text ("pypy3.11"
    orders as the 3.11 it implements)."""
    threaded = version.endswith("t")
    major, minor = version.removeprefix("pypy").removesuffix("t").split(".")[:2]
    return int(major), int(minor), threaded


def language_version(version: str) -> str:
    """The Python language version of a matrix entry: "3.13t" and "pypy3.13" are 3.13."""
    return version.removeprefix("pypy").removesuffix("t")


def newest(versions: Iterable[str]) -> str:
    """The newest version of a matrix, whatever order it is listed in; a free-threaded
    build (3.14t) or PyPy only when no regular CPython is listed (the tools ship wheels
    for CPython)."""
    listed = list(versions)
    regular = [v for v in listed if not v.endswith("t") and not v.startswith("pypy")]
    return max(regular or listed, key=version_key)


def resolve_session_python(
    matrix: Sequence[str], runnable: Iterable[str], *, on_ci: bool
) -> tuple[str, str | None]:
    """The Python of the single-Python sessions (lint, coverage, security, build, ...).

    ==========  ===============================  ==============================
    on CI       the newest of the matrix starts  result
    ==========  ===============================  ==============================
    yes         either                           the newest (missing: it fails)
    no          yes                              the newest
    no          no, an older one does            the newest that starts, noted
    no          none starts                      the newest, noted (skipped)
    ==========  ===============================  ==============================

    Returns (version, a note to print, or None).
    """
    wanted = newest(matrix)
    here = [version for version in matrix if version in set(runnable)]
    if on_ci or wanted in here:
        return wanted, None
    if not here:
        return wanted, (
            f"no Python of the matrix ({', '.join(matrix)}) starts here: every session "
            "is skipped; install one and put it on PATH"
        )
    chosen = newest(here)
    return chosen, (
        f"python{wanted} does not start here, so the single-Python sessions (lint, "
        f"coverage, security, build, ...) run on {chosen}, the newest of the matrix that "
        f"does; on CI they run on {wanted}"
    )


def _number(value: Any) -> float | None:
    """A number as coverage.py reads one: a TOML number, or a string holding one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def resolve_fail_under(
    key: float | None, coverage_report: Mapping[str, Any]
) -> tuple[float | None, str]:
    """The combined coverage gate's minimum total.

    =====================  ========================================  ==============
    coverage fail-under    [tool.coverage.report] fail_under          result
    =====================  ========================================  ==============
    set                    anything                                   the key
    unset                  a number, or a string coverage.py reads    that number
    unset                  a string that is no number                 ValueError
    unset                  absent                                     None (no gate)
    =====================  ========================================  ==============

    coverage.py accepts ``fail_under = "99.5"``, so ci-sessions must apply it too.
    Returns (value, where it came from).
    """
    if key is not None:
        return key, "[tool.ci_sessions.coverage] fail-under"
    if "fail_under" not in coverage_report:
        return None, "not set"
    raw = coverage_report["fail_under"]
    value = _number(raw)
    if value is None or not math.isfinite(value) or not 0 <= value <= 100:
        raise ValueError(
            "[tool.coverage.report] fail_under: expected a number from 0 to 100 "
            f"(coverage.py reads it as one), got {raw!r}"
        )
    return value, "[tool.coverage.report] fail_under"


def vulnerability_db(
    given: str | None, root: Path, from_env: str | None
) -> tuple[Path | None, str]:
    """The vulnerability database the security session scans against: the key's folder
    (or the environment variable's, which the loader lets win over it), made absolute
    against the project; None for safety's online service. Returns (path, where from):
    `from_env` names the variable when it gave the value."""
    if not given:
        return None, "safety's online service"
    path = Path(given)
    origin = from_env or "[tool.ci_sessions.security] db"
    return (path if path.is_absolute() else root / path), origin
