"""``[tool.ci_sessions]`` -> frozen dataclasses, validated in one place.

The whole schema lives in :data:`SCHEMA`: one row per key with its checker and
default. Every problem becomes one :class:`ConfigError` that names the file and
the exact key, raised before any session runs, so nothing is installed or
written on a bad configuration.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import nox.project

TABLE = "tool.ci_sessions"
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
# The newest Python we assume exists when only requires-python gives a range.
NEWEST_PYTHON = DEFAULT_PYTHONS[-1]
LINT_TOOLS = ("ruff", "black", "ruff-format", "mypy")
VENV_BACKENDS = ("uv|virtualenv", "uv", "virtualenv")
DOWNLOAD_PYTHON = ("never", "auto", "always")


class ConfigError(Exception):
    """A configuration problem, worded for the user: file, key, what to do."""


@dataclass(frozen=True)
class CoverageConfig:
    """``[tool.ci_sessions.coverage]``: the combined gate's thresholds."""

    fail_under: float | None = None
    modules: tuple[tuple[str, float], ...] = ()
    patch_fail_under: float | None = None
    # None: origin/main, falling back to main.
    compare_branch: str | None = None
    require_all_pythons: bool = True
    worst_files: int = 5
    # Add the integration session's data (reports/coverage-data/integration/).
    include_integration: bool = False


SEVERITIES = ("low", "medium", "high")
SCANNERS = ("bandit", "safety")


@dataclass(frozen=True)
class Waiver:
    """An accepted exception (an advisory to ignore, a test to quarantine): why, until when."""

    id: str
    reason: str
    expires: date | None = None


@dataclass(frozen=True)
class SecurityConfig:
    """``[tool.ci_sessions.security]``: bandit and the dependency scan."""

    scanners: tuple[str, ...] = SCANNERS
    # None: the packages' source folders.
    bandit_paths: tuple[str, ...] | None = None
    bandit_severity: str = "medium"
    bandit_confidence: str = "medium"
    bandit_baseline: str | None = None
    # None: safety's online service (CI_SESSIONS_VULN_DB still wins).
    db: str | None = None
    max_db_age_days: int = 30
    ignore: tuple[Waiver, ...] = ()


SERVICE_NAMES = ("postgres", "redis")


@dataclass(frozen=True)
class IntegrationConfig:
    """``[tool.ci_sessions.integration]``: tests against real services."""

    paths: tuple[str, ...] = ("tests/integration",)
    markers: str | None = None
    services: tuple[str, ...] = ()
    # Service -> the variable that gives its URL (and that the tests read).
    url_env: tuple[tuple[str, str], ...] = ()
    ready_timeout: float = 30.0


@dataclass(frozen=True)
class FlakyConfig:
    """``[tool.ci_sessions.flaky]``: the repeated runs that find flaky tests."""

    runs: int = 10
    # None: test-paths.
    paths: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Config:
    """Everything the sessions need, resolved and checked."""

    root: Path
    pyproject: Path
    python: tuple[str, ...]
    packages: tuple[str, ...]
    paths: tuple[str, ...]
    test_paths: tuple[str, ...]
    test_extras: tuple[str, ...]
    test_groups: tuple[str, ...]
    lint_tools: tuple[str, ...]
    lint_extras: tuple[str, ...]
    lint_groups: tuple[str, ...]
    reports_dir: str
    venv_backend: str
    download_python: str
    quarantine: tuple[Waiver, ...] = ()
    slowest: int = 10
    slow_marker: str = "slow"
    coverage: CoverageConfig = CoverageConfig()
    security: SecurityConfig = SecurityConfig()
    # None: not configured, so there is no integration session.
    integration: IntegrationConfig | None = None
    flaky: FlakyConfig = FlakyConfig()

    @property
    def newest_python(self) -> str:
        return self.python[-1]

    def where(self, key: str) -> str:
        """``file: [tool.ci_sessions] key`` for messages raised after loading."""
        return f"{self.pyproject}: [{TABLE}] {key}"


# --- value checkers: each returns the normalised value or raises ValueError ---

Checker = Callable[[Any], Any]


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    if any(not v.strip() for v in value):
        raise ValueError("expected non-empty strings")
    return tuple(value)


def _non_empty_str_list(value: Any) -> tuple[str, ...]:
    items = _str_list(value)
    if not items:
        raise ValueError("expected at least one entry")
    return items


def _str_or_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    return _non_empty_str_list(value)


_VERSION = re.compile(r"^3\.\d+t?$")


def _python_versions(value: Any) -> tuple[str, ...]:
    versions = _non_empty_str_list(value)
    bad = [v for v in versions if not _VERSION.match(v)]
    if bad:
        raise ValueError(f'expected versions like "3.12", got {bad[0]!r}')
    if len(set(versions)) != len(versions):
        raise ValueError("lists a version twice")
    return versions


def _choices(allowed: tuple[str, ...]) -> Checker:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(map(repr, allowed))}")
        return str(value)

    return check


def _subset_of(allowed: tuple[str, ...]) -> Checker:
    def check(value: Any) -> tuple[str, ...]:
        items = _str_list(value)
        unknown = [v for v in items if v not in allowed]
        if unknown:
            raise ValueError(f"unknown entry {unknown[0]!r}; expected some of {', '.join(allowed)}")
        return items

    return check


def _relative_dir(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a folder name")
    if Path(value).is_absolute() or ".." in Path(value).parts:
        raise ValueError("expected a folder inside the project")
    return value


def _percentage(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number from 0 to 100")
    if not 0 <= value <= 100:
        raise ValueError("expected a number from 0 to 100")
    return float(value)


def _percentage_table(value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise ValueError('expected a table of "glob" = percentage')
    entries = []
    for pattern, minimum in value.items():
        try:
            entries.append((pattern, _percentage(minimum)))
        except ValueError as exc:
            raise ValueError(f"entry {pattern!r}: {exc}") from None
    return tuple(entries)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("expected a whole number of at least 1")
    return value


def _git_ref(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or value.startswith("-"):
        raise ValueError("expected a git branch or ref")
    return value


def _non_empty_str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value


def _waivers(id_example: str, *, expires_required: bool) -> Checker:
    """A list of { id, reason, expires } tables; a reason is always required."""
    shape = f'{{ id = "{id_example}", reason = "...", expires = 2026-12-31 }}'

    def check(value: Any) -> tuple[Waiver, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list of {shape}")
        entries = []
        for index, item in enumerate(value):
            where = f"entry {index + 1}"
            if not isinstance(item, dict):
                raise ValueError(f"{where}: expected a table with id, reason and expires")
            unknown = set(item) - {"id", "reason", "expires"}
            if unknown:
                raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
            if not isinstance(item.get("id"), str) or not item["id"].strip():
                raise ValueError(f"{where}: id is required (such as {id_example})")
            if not isinstance(item.get("reason"), str) or not item["reason"].strip():
                raise ValueError(f"{where} ({item['id']}): reason is required: say why")
            if expires_required and "expires" not in item:
                raise ValueError(f"{where} ({item['id']}): expires is required: a date to revisit")
            entries.append(Waiver(item["id"], item["reason"], _date(item.get("expires"), where)))
        ids = [entry.id for entry in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{duplicates[0]!r} is listed twice")
        return tuple(entries)

    return check


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: expires must be a date such as 2026-12-31")


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("expected a whole number, 0 or more")
    return value


def _at_least_two(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValueError("expected a whole number of at least 2 (one run shows no flake)")
    return value


def _marker_name(value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError('expected a pytest marker name such as "slow"')
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("expected a number of seconds above 0")
    return float(value)


def _env_table(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ValueError('expected a table of service = "VARIABLE"')
    for service, variable in value.items():
        if service not in SERVICE_NAMES:
            raise ValueError(
                f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}"
            )
        if not isinstance(variable, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
            raise ValueError(f"{service}: expected an environment variable name")
    return tuple(value.items())


@dataclass(frozen=True)
class Key:
    field: str
    check: Checker


# The schema: TOML key -> dataclass field and checker. Defaults that depend on
# the project (python, packages, paths) are computed in _defaults().
SCHEMA: dict[str, Key] = {
    "python": Key("python", _python_versions),
    "package": Key("packages", _str_or_str_list),
    "paths": Key("paths", _non_empty_str_list),
    "test-paths": Key("test_paths", _non_empty_str_list),
    "test-extras": Key("test_extras", _str_list),
    "test-groups": Key("test_groups", _str_list),
    "lint-tools": Key("lint_tools", _subset_of(LINT_TOOLS)),
    "lint-extras": Key("lint_extras", _str_list),
    "lint-groups": Key("lint_groups", _str_list),
    "reports-dir": Key("reports_dir", _relative_dir),
    "venv-backend": Key("venv_backend", _choices(VENV_BACKENDS)),
    "download-python": Key("download_python", _choices(DOWNLOAD_PYTHON)),
    "quarantine": Key(
        "quarantine", _waivers("tests/test_api.py::test_fetch", expires_required=True)
    ),
    "slowest": Key("slowest", _count),
    "slow-marker": Key("slow_marker", _marker_name),
}

COVERAGE_SCHEMA: dict[str, Key] = {
    "fail-under": Key("fail_under", _percentage),
    "modules": Key("modules", _percentage_table),
    "patch-fail-under": Key("patch_fail_under", _percentage),
    "compare-branch": Key("compare_branch", _git_ref),
    "require-all-pythons": Key("require_all_pythons", _bool),
    "worst-files": Key("worst_files", _positive_int),
    "include-integration": Key("include_integration", _bool),
}


SECURITY_SCHEMA: dict[str, Key] = {
    "scanners": Key("scanners", _subset_of(SCANNERS)),
    "bandit-paths": Key("bandit_paths", _non_empty_str_list),
    "bandit-severity": Key("bandit_severity", _choices(SEVERITIES)),
    "bandit-confidence": Key("bandit_confidence", _choices(SEVERITIES)),
    "bandit-baseline": Key("bandit_baseline", _non_empty_str),
    "db": Key("db", _non_empty_str),
    "max-db-age-days": Key("max_db_age_days", _positive_int),
    "ignore": Key("ignore", _waivers("PYSEC-2018-28", expires_required=False)),
}


INTEGRATION_SCHEMA: dict[str, Key] = {
    "paths": Key("paths", _non_empty_str_list),
    "markers": Key("markers", _non_empty_str),
    "services": Key("services", _subset_of(SERVICE_NAMES)),
    "url-env": Key("url_env", _env_table),
    "ready-timeout": Key("ready_timeout", _seconds),
}


FLAKY_SCHEMA: dict[str, Key] = {
    "runs": Key("runs", _at_least_two),
    "paths": Key("paths", _non_empty_str_list),
}


@dataclass(frozen=True)
class Section:
    """A sub-table: [tool.ci_sessions.<name>] -> a dataclass with defaults."""

    field: str
    schema: dict[str, Key]
    build: Callable[..., Any]


SECTIONS: dict[str, Section] = {
    "coverage": Section("coverage", COVERAGE_SCHEMA, CoverageConfig),
    "security": Section("security", SECURITY_SCHEMA, SecurityConfig),
    "integration": Section("integration", INTEGRATION_SCHEMA, IntegrationConfig),
    "flaky": Section("flaky", FLAKY_SCHEMA, FlakyConfig),
}

STATIC_DEFAULTS: dict[str, Any] = {
    "test_paths": ("tests",),
    "test_extras": (),
    "test_groups": (),
    "lint_tools": ("ruff", "black", "mypy"),
    "lint_extras": (),
    "lint_groups": (),
    "reports_dir": "reports",
    "venv_backend": "uv|virtualenv",
    # Never fetch interpreters behind the user's back: a missing one is
    # skipped locally (with a hint) and fails on CI, as nox does.
    "download_python": "never",
}


def load_config(pyproject: Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read, merge and validate; raise one ConfigError on the first problem."""
    document = read_pyproject(pyproject)
    from_keywords = _override_keys(overrides or {})
    values = dict(STATIC_DEFAULTS)
    for key, raw in _merge(_table(document, pyproject), from_keywords).items():
        origin = " (register() keyword)" if key in from_keywords else ""
        if key in SECTIONS:
            section = SECTIONS[key]
            values[section.field] = _load_section(pyproject, key, section, raw, origin)
            continue
        spec = SCHEMA.get(key)
        if spec is None:
            known = [*SCHEMA, *SECTIONS]
            raise ConfigError(_unknown_key_message(pyproject, TABLE, key, known) + origin)
        values[spec.field] = _check(pyproject, key, spec, raw, origin)
    for field, default in _defaults(document, pyproject, values).items():
        values.setdefault(field, default)
    for dep_key, field in (("test-groups", "test_groups"), ("lint-groups", "lint_groups")):
        _check_groups(document, pyproject, dep_key, values[field])
    return Config(root=pyproject.parent, pyproject=pyproject, **values)


def _check(pyproject: Path, key: str, spec: Key, raw: Any, origin: str, table: str = TABLE) -> Any:
    try:
        return spec.check(raw)
    except ValueError as exc:
        raise ConfigError(f"{pyproject}: [{table}] {key}: {exc}, got {raw!r}{origin}") from None


def _load_section(pyproject: Path, name: str, section: Section, raw: Any, origin: str) -> Any:
    table = f"{TABLE}.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{pyproject}: [{table}] must be a table, got {raw!r}{origin}")
    values = {}
    for key, value in raw.items():
        spec = section.schema.get(key)
        if spec is None:
            raise ConfigError(
                _unknown_key_message(pyproject, table, key, list(section.schema)) + origin
            )
        values[spec.field] = _check(pyproject, key, spec, value, origin, table)
    return section.build(**values)


def read_pyproject(pyproject: Path) -> dict[str, Any]:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{pyproject}: not found; ci-sessions reads [{TABLE}] from the "
            "pyproject.toml next to the noxfile"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None


def _table(document: Mapping[str, Any], pyproject: Path) -> dict[str, Any]:
    table = document.get("tool", {}).get("ci_sessions", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [{TABLE}] must be a table")
    return dict(table)


def _merge(table: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Keywords win; a keyword sub-table is merged into the file's, key by key."""
    merged = dict(table)
    for key, value in overrides.items():
        if key in SECTIONS and isinstance(value, dict) and isinstance(table.get(key), dict):
            merged[key] = {**table[key], **value}
        else:
            merged[key] = value
    return merged


def _override_keys(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """register(test_paths=...) means the TOML key test-paths."""
    return {name.replace("_", "-"): value for name, value in overrides.items()}


def _unknown_key_message(pyproject: Path, table: str, key: str, known: list[str]) -> str:
    message = f"{pyproject}: [{table}] unknown key {key!r}"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message + f"; known keys: {', '.join(known)}"


def _defaults(
    document: Mapping[str, Any], pyproject: Path, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Defaults derived from the project itself, computed only when needed."""
    defaults: dict[str, Any] = {}
    if "python" not in values:
        defaults["python"] = default_pythons(document)
    packages = values.get("packages")
    if packages is None:
        packages = (default_package(document, pyproject),)
        defaults["packages"] = packages
    if "paths" not in values:
        defaults["paths"] = default_paths(pyproject.parent, packages)
    return defaults


def default_pythons(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Classifiers first, then requires-python up to NEWEST_PYTHON."""
    for max_version in (None, NEWEST_PYTHON):
        try:
            versions = nox.project.python_versions(dict(document), max_version=max_version)
        except ValueError:
            continue
        if versions:
            return tuple(versions)
    return DEFAULT_PYTHONS


def default_package(document: Mapping[str, Any], pyproject: Path) -> str:
    name = document.get("project", {}).get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(
            f"{pyproject}: [{TABLE}] package: not set and [project].name is "
            'missing; set package = "your_import_name"'
        )
    return re.sub(r"[-.]+", "_", name).lower()


def default_paths(root: Path, packages: tuple[str, ...]) -> tuple[str, ...]:
    """The packages' source folders (src/ or flat layout) and tests/."""
    found = [source_dir(root, package) for package in packages]
    paths = [p for p in found if p is not None]
    if (root / "tests").is_dir():
        paths.append("tests")
    # Nothing found: fall back to the package names so that lint reports the
    # missing folder by name instead of checking nothing.
    return tuple(paths) if paths else packages


def source_dir(root: Path, package: str) -> str | None:
    """Where a package's source lives, relative to root (src/ layout first)."""
    relative = package.replace(".", "/")
    for candidate in (f"src/{relative}", relative, f"{relative}.py", f"src/{relative}.py"):
        if (root / candidate).exists():
            return candidate
    return None


def _check_groups(
    document: Mapping[str, Any], pyproject: Path, key: str, groups: tuple[str, ...]
) -> None:
    declared = document.get("dependency-groups", {})
    for group in groups:
        if group not in declared:
            raise ConfigError(
                f"{pyproject}: [{TABLE}] {key}: no [dependency-groups] entry " f"named {group!r}"
            )
