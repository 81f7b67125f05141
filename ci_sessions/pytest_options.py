"""pytest command-line decisions: marker expressions, timeouts. Plain data, no nox."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def take_marker(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """Split every -m expression off args (pytest keeps only the last one given)."""
    rest: list[str] = []
    found: str | None = None
    items = list(args)
    while items:
        item = items.pop(0)
        if item == "-m" and items:
            found = items.pop(0)
        elif item.startswith("-m") and len(item) > 2 and not item.startswith("--"):
            found = item[2:].lstrip("=")
        else:
            rest.append(item)
    return found, rest


def addopts_marker(addopts: Any) -> str | None:
    """The -m expression in an addopts setting (a string or a list), if any."""
    if isinstance(addopts, str):
        words = shlex.split(addopts)
    elif isinstance(addopts, list):
        words = [str(word) for word in addopts]
    else:
        return None
    return take_marker(words)[0]


def combined_marker(expressions: Iterable[str | None]) -> str | None:
    """One -m expression that keeps every given one: `(a) and (b)`.

    pytest applies only the last -m option it sees, so two options (the
    project's addopts, a quick tier's `not slow`, the user's own) would
    silently drop all but one.
    """
    kept = list(dict.fromkeys(e.strip() for e in expressions if e and e.strip()))
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return " and ".join(f"({expression})" for expression in kept)


def marker_args(
    posargs: Sequence[str],
    *,
    ini: Mapping[str, Any],
    environ: Mapping[str, str],
    extra: Sequence[str | None] = (),
) -> tuple[list[str], list[str]]:
    """(`-m EXPR` to append, or nothing; the posargs without their -m).

    EXPR combines, in order: `extra` (ci-sessions' own, such as `not slow`),
    the project's addopts, $PYTEST_ADDOPTS and the posargs' -m. When none
    applies, nothing is added and the project's own addopts work as they do.
    """
    given, rest = take_marker(posargs)
    from_project = addopts_marker(ini.get("addopts"))
    from_env = addopts_marker(environ.get("PYTEST_ADDOPTS", ""))
    if not [e for e in extra if e] and given is None:
        return [], rest  # nothing of ours: pytest reads addopts as usual
    expression = combined_marker([*extra, from_project, from_env, given])
    return (["-m", expression] if expression else []), rest


def timeout_args(ini: Mapping[str, Any], environ: Mapping[str, str], seconds: float) -> list[str]:
    """pytest-timeout's limit: the project's own `timeout` (ini or $PYTEST_TIMEOUT)
    wins; test-timeout = 0 means none."""
    if "timeout" in ini or environ.get("PYTEST_TIMEOUT") or seconds <= 0:
        return []
    return [f"--timeout={seconds:g}"]


# What pytest's exit statuses mean (pytest.ExitCode), worded for a session's error.
PYTEST_EXITS = {
    0: "every test passed",
    1: "tests failed",
    2: "interrupted: a test module failed to import, or Ctrl-C",
    3: "pytest hit an internal error",
    4: "a usage error: a bad option, path or plugin",
    5: "no tests were collected",
}
TESTS_FAILED = 1
NO_TESTS = 5


def exit_problem(status: int, *, failed_tests_ok: bool = False) -> str | None:
    """Why a pytest exit status fails a session, or None when it does not.

    `failed_tests_ok`: a run whose failing tests are what it measures (flaky,
    durations) only fails when pytest could not run the suite at all.
    """
    if status == 0 or (status == 1 and failed_tests_ok):
        return None
    return f"pytest exit {status}: {PYTEST_EXITS.get(status, 'an unexpected exit status')}"
