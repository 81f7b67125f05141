"""``[tool.ci_sessions.suites.<name>]``: a named suite's keys, checked as one table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import tables, values
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.services import SERVICES
from ci_sessions.services.keys import image_table, unused_service_keys


def python_choice(value: Any) -> str:
    """`"matrix"` (one session per Python of the matrix), or one version."""
    if value == "matrix":
        return "matrix"
    try:
        return values.python_versions([value])[0]
    except ValueError:
        raise ValueError('expected "matrix" or a version such as "3.12"') from None


def memory_size(value: Any) -> str:
    """memray's notation, checked here so that a typo is a config error: "4 KB", "1.5MB"."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?B)\s*", str(value), re.IGNORECASE)
    if isinstance(value, bool) or not isinstance(value, str) or found is None:
        raise ValueError('expected a size such as "4 KB" (B, KB, MB or GB)')
    return f"{found.group(1)} {found.group(2).upper()}"


def max_failure_rate_setting() -> Any:
    """A suite's failure budget (the integration table's too): one declaration."""
    return setting(
        values.rate,
        0.0,
        "a failure budget: the session fails when more than this share of the tests it ran "
        "failed; within it, the failures are listed and the run warns",
    )


def warn_failure_rate_setting() -> Any:
    return setting(values.rate, 0.0, "within the budget, warn only above this share")


@dataclass(frozen=True)
class Suite:
    """`[tool.ci_sessions.suites.<name>]`: a named suite, its own session."""

    # The table's name: the session's (not a key of the table).
    name: str = ""
    paths: tuple[str, ...] = setting(
        values.project_paths, (), "the suite's test files or folders (required)"
    )
    markers: str | None = setting(values.marker_expression, None, "a pytest `-m` expression")
    python: str | None = setting(
        python_choice,
        None,
        '`"matrix"`: one session per Python of the matrix (`unit-3.12`); a version: that one',
        default_text="the newest Python of the matrix that starts here",
    )
    extras: tuple[str, ...] = setting(values.str_list, (), "extras it needs beside the tests'")
    groups: tuple[str, ...] = setting(
        values.str_list, (), "PEP 735 groups it needs beside the tests'"
    )
    env: tuple[tuple[str, str], ...] = setting(
        values.environment, (), 'environment variables its tests get: `{ NAME = "value" }`'
    )
    timeout: float | None = setting(
        values.seconds, None, "seconds a test may take", default_text="`test-timeout`"
    )
    tiers: tuple[str, ...] = setting(
        values.non_empty_str_list,
        ("pr", "nightly"),
        "the tiers (nox tags) that run it; the workflow places it where they are triggered",
        key="tier",
    )
    services: tuple[str, ...] = setting(
        values.subset_of(tuple(SERVICES)), (), "services it starts (or reads from `url-env`)"
    )
    url_env: tuple[tuple[str, str], ...] = setting(
        tables.env_table(tuple(SERVICES)),
        (),
        "service -> the variable a given URL is read from, and that the tests get",
    )
    ready_timeout: float = setting(
        values.seconds, 30.0, "seconds a service has to answer (wall clock, finite)"
    )
    images: tuple[tuple[str, str], ...] = setting(
        image_table, (), "service -> the container image CI runs it from"
    )
    leak_limit: str | None = setting(
        memory_size,
        None,
        '`"4 KB"`: every test fails that leaves more than that allocated at one place '
        "(pytest-memray)",
    )
    max_failure_rate: float = max_failure_rate_setting()
    warn_failure_rate: float = warn_failure_rate_setting()
    # Where its keys live, for messages: "integration" for the older table.
    table: str = ""

    def __post_init__(self) -> None:
        if not self.paths:
            raise ValueError("paths is required (the suite's test files or folders)")
        problem = unused_service_keys(
            self.services, self.images, self.url_env
        ) or values.budget_problem(self.max_failure_rate, self.warn_failure_rate)
        if problem:
            raise ValueError(problem)

    @property
    def paths_key(self) -> str:
        return f"{self.table or 'suites.' + self.name}.paths"

    def variable(self, service: str) -> str:
        return dict(self.url_env).get(service, SERVICES[service].URL_ENV)

    def image(self, service: str) -> str:
        return dict(self.images).get(service, str(SERVICES[service].CI_CONTAINER["image"]))


@dataclass(frozen=True)
class SuitesConfig:
    suites: tuple[Suite, ...] = setting(
        nested=Suite,
        keyed=True,
        default=(),
        doc="named suites, each its own session, `[tool.ci_sessions.suites.<name>]` (below); "
        "`integration` may be declared here too",
    )


def resolve(settings: SuitesConfig, context: ResolveContext) -> SuitesConfig:
    # A suite may not take the name of a session the families define; integration is a
    # suite itself, declared by its own table or here.
    taken = [
        suite.name
        for suite in settings.suites
        if suite.name in context.sessions and suite.name != "integration"
    ]
    if taken:
        raise ValueError(
            f"[tool.ci_sessions.suites.{taken[0]}]: {taken[0]!r} is the name of a session "
            'ci-sessions defines; name the suite otherwise (such as "e2e")'
        )
    own = context.document.get("tool", {}).get("ci_sessions", {})
    if "integration" in own and any(suite.name == "integration" for suite in settings.suites):
        raise ValueError(
            "[tool.ci_sessions.integration] and [tool.ci_sessions.suites.integration] both "
            "declare the integration suite: keep one"
        )
    return settings


SUITES = Section(table=None, name="suites", build=SuitesConfig, resolve=resolve)
