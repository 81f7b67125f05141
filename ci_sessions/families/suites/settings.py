"""``[tool.ci_sessions.suites.<name>]``: a named suite's keys, checked as one table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section
from ci_sessions.services import SERVICES

# A suite may not take the name of a session ci-sessions defines.
RESERVED = (
    "lint", "format", "tests", "collect", "durations", "integration", "coverage",
    "security", "build", "flaky", "benchmark-compare", "changes", "report",
)  # fmt: skip
KEYS = ("paths", "markers", "python", "extras", "groups", "env", "timeout", "tier", "services")


@dataclass(frozen=True)
class Suite:
    name: str
    paths: tuple[str, ...]
    markers: str | None = None
    # "matrix": one session per Python of the matrix; a version; None: the newest that starts.
    python: str | None = None
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    timeout: float | None = None
    tiers: tuple[str, ...] = ("pr", "nightly")
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuitesConfig:
    suites: tuple[Suite, ...]


def suite_table(value: Any) -> tuple[Suite, ...]:
    """{ name = { paths = [...], markers = "...", python = "matrix", tier = ["pr"], ... } }."""
    if not isinstance(value, dict):
        raise ValueError(
            'expected tables such as [tool.ci_sessions.suites.e2e] paths = ["tests/e2e"]'
        )
    return tuple(_suite(name, spec) for name, spec in value.items())


def _suite(name: str, spec: Any) -> Suite:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name) or name in RESERVED:
        raise ValueError(f'{name!r}: expected a new session name such as "e2e" (not one of ours)')
    if not isinstance(spec, dict):
        raise ValueError(f"{name}: expected a table with paths and more")
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise ValueError(f"{name}: unknown key {unknown[0]!r}; expected {', '.join(KEYS)}")
    if "paths" not in spec:
        raise ValueError(f"{name}: paths is required (the suite's test files or folders)")

    def checked(key: str, check: Any) -> Any:
        try:
            return check(spec[key])
        except ValueError as exc:
            raise ValueError(f"{name}.{key}: {exc}") from None

    python = spec.get("python")
    if python is not None and python != "matrix":
        checked("python", lambda v: values.python_versions([v]))
    return Suite(
        name=name,
        paths=checked("paths", values.project_paths),
        markers=checked("markers", values.non_empty_str) if "markers" in spec else None,
        python=python,
        extras=checked("extras", values.str_list) if "extras" in spec else (),
        groups=checked("groups", values.str_list) if "groups" in spec else (),
        env=checked("env", values.environment) if "env" in spec else (),
        timeout=checked("timeout", values.seconds) if "timeout" in spec else None,
        tiers=checked("tier", values.non_empty_str_list) if "tier" in spec else ("pr", "nightly"),
        services=(
            checked("services", values.subset_of(tuple(SERVICES))) if "services" in spec else ()
        ),
    )


SUITES = Section(
    table=None,
    name="suites",
    build=SuitesConfig,
    keys=(
        Key(
            "suites",
            "suites",
            suite_table,
            (),
            "named suites, each its own session: `[tool.ci_sessions.suites.e2e] paths = "
            '["tests/e2e"]`, with `markers`, `python` (`"matrix"`, a version, or the newest), '
            "`extras`, `groups`, `env`, `timeout` (seconds per test), `tier` (default pr and "
            "nightly), `services`",
        ),
    ),
)
