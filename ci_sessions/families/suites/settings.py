"""``[tool.ci_sessions.suites.<name>]``: a named suite's keys, checked as one table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ci_sessions.config import values
from ci_sessions.config.schema import Key, ResolveContext, Section
from ci_sessions.families.integration.settings import image_table, unused_service_keys
from ci_sessions.services import SERVICES

# A suite may not take the name of a session ci-sessions defines.
RESERVED = (
    "lint", "format", "tests", "collect", "durations", "coverage",
    "security", "build", "flaky", "benchmark-compare", "changes", "report",
)  # fmt: skip
KEYS = (
    "paths", "markers", "python", "extras", "groups", "env", "timeout", "tier", "services",
    "url-env", "ready-timeout", "images", "leak-limit",
)  # fmt: skip


@dataclass(frozen=True)
class Suite:
    # check-config shows a suite as its table: [tool.ci_sessions.suites.<name>].
    TOML_KEYS: ClassVar[dict[str, str]] = {"tiers": "tier"}
    TOML_SKIP: ClassVar[tuple[str, ...]] = ("name", "table")

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
    # service -> the variable its URL is read from; seconds to answer; the CI images.
    url_env: tuple[tuple[str, str], ...] = ()
    ready_timeout: float = 30.0
    images: tuple[tuple[str, str], ...] = ()
    # memray's leak limit per allocating place and test ("4 KB"); None: no leak check.
    leak_limit: str | None = None

    # Where its keys live, for messages: "integration" for the older table.
    table: str = ""

    @property
    def paths_key(self) -> str:
        return f"{self.table or 'suites.' + self.name}.paths"

    def variable(self, service: str) -> str:
        return dict(self.url_env).get(service, SERVICES[service].URL_ENV)

    def image(self, service: str) -> str:
        return dict(self.images).get(service, str(SERVICES[service].CI_CONTAINER["image"]))


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

    def optional(key: str, check: Any, default: Any) -> Any:
        return checked(key, check) if key in spec else default

    suite = Suite(
        name=name,
        paths=checked("paths", values.project_paths),
        markers=optional("markers", values.marker_expression, None),
        python=python,
        extras=optional("extras", values.str_list, ()),
        groups=optional("groups", values.str_list, ()),
        env=optional("env", values.environment, ()),
        timeout=optional("timeout", values.seconds, None),
        tiers=optional("tier", values.non_empty_str_list, ("pr", "nightly")),
        services=optional("services", values.subset_of(tuple(SERVICES)), ()),
        url_env=optional("url-env", values.env_table(tuple(SERVICES)), ()),
        ready_timeout=optional("ready-timeout", values.seconds, 30.0),
        images=optional("images", image_table, ()),
        leak_limit=optional("leak-limit", memory_size, None),
    )
    problem = unused_service_keys(suite.services, suite.images, suite.url_env)
    if problem:
        raise ValueError(f"{name}.{problem}")
    return suite


def memory_size(value: Any) -> str:
    """memray's notation, checked here so that a typo is a config error: "4 KB", "1.5MB"."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?B)\s*", str(value), re.IGNORECASE)
    if isinstance(value, bool) or not isinstance(value, str) or found is None:
        raise ValueError('expected a size such as "4 KB" (B, KB, MB or GB)')
    return f"{found.group(1)} {found.group(2).upper()}"


def resolve(settings: SuitesConfig, context: ResolveContext) -> SuitesConfig:
    own = context.document.get("tool", {}).get("ci_sessions", {})
    if "integration" in own and any(suite.name == "integration" for suite in settings.suites):
        raise ValueError(
            "[tool.ci_sessions.integration] and [tool.ci_sessions.suites.integration] both "
            "declare the integration suite: keep one"
        )
    return settings


SUITES = Section(
    table=None,
    name="suites",
    build=SuitesConfig,
    resolve=resolve,
    keys=(
        Key(
            "suites",
            "suites",
            suite_table,
            (),
            "named suites, each its own session: `[tool.ci_sessions.suites.e2e] paths = "
            '["tests/e2e"]`, with `markers`, `python` (`"matrix"`, a version, or the newest), '
            "`extras`, `groups`, `env`, `timeout` (seconds per test), `tier` (default pr and "
            "nightly), `services` with `url-env`, `ready-timeout` and `images`, `leak-limit` "
            '(`"4 KB"`: every test fails that leaves more than that allocated at one place, '
            "pytest-memray); `integration` may be declared here too",
        ),
    ),
)
