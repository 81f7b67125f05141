"""``[tool.ci_sessions]`` -> frozen dataclasses, validated in one place.

The whole schema lives in :data:`SCHEMA`: one row per key with its checker and
default. Every problem becomes one :class:`ConfigError` that names the file and
the exact key, raised before any session runs, so nothing is installed or
written on a bad configuration.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nox.project

from ci_sessions import interpreters
from ci_sessions.config import resolve, values
from ci_sessions.config.project import (
    DEFAULT_PYTHONS,
    default_package,
    default_paths,
    default_pythons,
    pytest_ini,
    source_dir,
)
from ci_sessions.config.values import Checker, Waiver
from ci_sessions.families.changes.docs import DEFAULT_DOCS

__all__ = [
    "DEFAULT_PYTHONS",
    "BenchmarkConfig",
    "Config",
    "ConfigError",
    "CoverageConfig",
    "FlakyConfig",
    "IntegrationConfig",
    "SecurityConfig",
    "Waiver",
    "WorkflowConfig",
    "load_config",
    "read_pyproject",
    "source_dir",
]

TABLE = "tool.ci_sessions"
LINT_TOOLS = ("ruff", "black", "ruff-format", "mypy")
VENV_BACKENDS = ("uv|virtualenv", "uv", "virtualenv")
DOWNLOAD_PYTHON = ("never", "auto", "always")


class ConfigError(Exception):
    """A configuration problem, worded for the user: file, key, what to do."""


@dataclass(frozen=True)
class CoverageConfig:
    """``[tool.ci_sessions.coverage]``: the combined gate's thresholds."""

    # Resolved at load: this key, else [tool.coverage.report] fail_under.
    fail_under: float | None = None
    fail_under_origin: str = "not set"
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
class SecurityConfig:
    """``[tool.ci_sessions.security]``: bandit and the dependency scan."""

    scanners: tuple[str, ...] = SCANNERS
    # None: the packages' source folders.
    bandit_paths: tuple[str, ...] | None = None
    bandit_severity: str = "medium"
    bandit_confidence: str = "medium"
    bandit_baseline: str | None = None
    # None: safety's online service. Resolved at load: $CI_SESSIONS_VULN_DB,
    # else this key, made absolute.
    db: str | None = None
    db_origin: str = "safety's online service"
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
class BenchmarkConfig:
    """``[tool.ci_sessions.benchmark]``: benchmark-compare, baseline against working tree."""

    paths: tuple[str, ...] = ("benchmarks",)
    # None: the merge-base with origin/main, falling back to main.
    baseline: str | None = None
    # None: 10% in walltime mode, 2% in instructions mode (counts are exact).
    threshold: float | None = None
    mode: str = "walltime"
    # Walltime mode only: instruction counts need one process per side.
    rounds: int = 6
    # Extra pairs of rounds, for the inconclusive benchmarks only. Measured
    # here (60 alternated rounds a side, replayed by bench/benchmark_rounds.py):
    # with 2, 14 of 129 benchmarks slowed by 30% stayed inconclusive; with 4,
    # none, at 8.0 rounds a side on average; 6 decided nothing more.
    reruns: int = 4
    # Benchmarks faster than this (seconds per call) are reported, not gated.
    shortest: float = 1e-7
    # Extra pytest options for the benchmark runs (pytest-benchmark's, say).
    pytest_args: tuple[str, ...] = ()
    # Instructions mode: changes smaller than this many instructions are the
    # interpreter's jitter (type-attribute cache hits), not the code's.
    noise_instructions: int = 500

    @property
    def limit(self) -> float:
        """The slowdown that fails: the threshold set, else the mode's default."""
        if self.threshold is not None:
            return self.threshold
        return 0.02 if self.mode == "instructions" else 0.10


@dataclass(frozen=True)
class WorkflowConfig:
    """``[tool.ci_sessions.workflow]``: the generated GitHub Actions workflow."""

    # action -> "sha # tag", replacing the built-in pin of that action.
    pins: tuple[tuple[str, str], ...] = ()
    # A change that touches only these skips every job but lint.
    docs: tuple[str, ...] = DEFAULT_DOCS


# Session families a tier can name (the tests family is every tests-<python>).
FAMILIES = (
    "lint",
    "collect",
    "tests",
    "integration",
    "coverage",
    "security",
    "build",
    "flaky",
    "benchmark-compare",
)
DEFAULT_TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Seconds: static checks and "does the suite import and collect".
    ("smoke", ("lint", "collect")),
    # Before merge. The whole tests matrix, not only the newest Python: the
    # coverage gate refuses data missing from a Python of the matrix.
    ("pr", ("lint", "tests", "coverage", "security", "build")),
    # Everything but the smoke check, on a schedule.
    ("nightly", tuple(family for family in FAMILIES if family != "collect")),
)


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
    tiers: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_TIERS
    # Each tests-<python> run split across this many workflow jobs (pytest-split).
    shards: int = 1
    durations_file: str = ".test_durations"
    # pytest-xdist's -n auto in the tests sessions, unless nox -j already runs
    # them side by side.
    xdist: bool = False
    slowest: int = 10
    slow_marker: str = "slow"
    # pytest-timeout's limit per test, in seconds, when the project sets no
    # `timeout` of its own; 0: none. Large enough never to trip a sane test,
    # small enough that a hanging one ends before the CI job's limit.
    test_timeout: float = 900.0
    coverage: CoverageConfig = CoverageConfig()
    security: SecurityConfig = SecurityConfig()
    # None: not configured, so there is no integration session.
    integration: IntegrationConfig | None = None
    flaky: FlakyConfig = FlakyConfig()
    workflow: WorkflowConfig = WorkflowConfig()
    # None: not configured, so there is no benchmark-compare session.
    benchmark: BenchmarkConfig | None = None
    # Resolved at load (ci_sessions.config.resolve), so that sessions never read
    # pyproject.toml or probe the machine again:
    # the Python of the single-Python sessions: the newest of the matrix that
    # starts here (on CI, the newest of the matrix);
    session_python: str = ""
    # Pythons of the matrix that do not start here (always empty on CI);
    absent_pythons: tuple[str, ...] = ()
    # what the user should know about those choices, printed once by register();
    notes: tuple[str, ...] = ()
    # the project's name, its [tool.coverage] tables, whether it has [tool.bandit].
    project_name: str = ""
    coverage_settings: Mapping[str, Any] = field(default_factory=dict)
    bandit_config: bool = False
    # the settings of the file pytest reads (addopts, timeout, ...);
    pytest_ini: Mapping[str, Any] = field(default_factory=dict)
    # the requirements of each PEP 735 group named in the configuration.
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def newest_python(self) -> str:
        """The newest Python of the matrix, whatever order it is listed in."""
        return resolve.newest(self.python)

    def tiers_of(self, family: str) -> list[str]:
        """The tiers (nox tags) a session family belongs to."""
        return [tier for tier, families in self.tiers if family in families]

    def where(self, key: str) -> str:
        """``file: [tool.ci_sessions] key`` for messages raised after loading."""
        return f"{self.pyproject}: [{TABLE}] {key}"


@dataclass(frozen=True)
class Key:
    field: str
    check: Checker


# The schema: TOML key -> dataclass field and checker. Defaults that depend on
# the project (python, packages, paths) are computed in _defaults().
SCHEMA: dict[str, Key] = {
    "python": Key("python", values.python_versions),
    "package": Key("packages", values.str_or_str_list),
    "paths": Key("paths", values.project_paths),
    "test-paths": Key("test_paths", values.project_paths),
    "test-extras": Key("test_extras", values.str_list),
    "test-groups": Key("test_groups", values.str_list),
    "lint-tools": Key("lint_tools", values.subset_of(LINT_TOOLS)),
    "lint-extras": Key("lint_extras", values.str_list),
    "lint-groups": Key("lint_groups", values.str_list),
    "reports-dir": Key("reports_dir", values.relative_dir),
    "venv-backend": Key("venv_backend", values.choices(VENV_BACKENDS)),
    "download-python": Key("download_python", values.choices(DOWNLOAD_PYTHON)),
    "quarantine": Key(
        "quarantine", values.waivers("tests/test_api.py::test_fetch", expires_required=True)
    ),
    "slowest": Key("slowest", values.count),
    "slow-marker": Key("slow_marker", values.marker_name),
    "tiers": Key("tiers", values.tier_table(FAMILIES)),
    "shards": Key("shards", values.positive_int),
    "durations-file": Key("durations_file", values.relative_dir),
    "xdist": Key("xdist", values.boolean),
    "test-timeout": Key("test_timeout", values.seconds_or_zero),
}

COVERAGE_SCHEMA: dict[str, Key] = {
    "fail-under": Key("fail_under", values.percentage),
    "modules": Key("modules", values.percentage_table),
    "patch-fail-under": Key("patch_fail_under", values.percentage),
    "compare-branch": Key("compare_branch", values.git_ref),
    "require-all-pythons": Key("require_all_pythons", values.boolean),
    "worst-files": Key("worst_files", values.positive_int),
    "include-integration": Key("include_integration", values.boolean),
}


SECURITY_SCHEMA: dict[str, Key] = {
    "scanners": Key("scanners", values.subset_of(SCANNERS, at_least_one=True)),
    "bandit-paths": Key("bandit_paths", values.project_paths),
    "bandit-severity": Key("bandit_severity", values.choices(SEVERITIES)),
    "bandit-confidence": Key("bandit_confidence", values.choices(SEVERITIES)),
    "bandit-baseline": Key("bandit_baseline", values.non_empty_str),
    "db": Key("db", values.non_empty_str),
    "max-db-age-days": Key("max_db_age_days", values.positive_int),
    "ignore": Key("ignore", values.waivers("PYSEC-2018-28", expires_required=False)),
}


INTEGRATION_SCHEMA: dict[str, Key] = {
    "paths": Key("paths", values.project_paths),
    "markers": Key("markers", values.non_empty_str),
    "services": Key("services", values.subset_of(SERVICE_NAMES)),
    "url-env": Key("url_env", values.env_table(SERVICE_NAMES)),
    "ready-timeout": Key("ready_timeout", values.seconds),
}


FLAKY_SCHEMA: dict[str, Key] = {
    "runs": Key("runs", values.at_least_two),
    "paths": Key("paths", values.project_paths),
}


BENCHMARK_SCHEMA: dict[str, Key] = {
    "paths": Key("paths", values.project_paths),
    "baseline": Key("baseline", values.git_ref),
    "threshold": Key("threshold", values.fraction),
    "mode": Key("mode", values.choices(("walltime", "instructions"))),
    "rounds": Key("rounds", values.at_least_two),
    "reruns": Key("reruns", values.count),
    "shortest": Key("shortest", values.seconds),
    "pytest-args": Key("pytest_args", values.str_list),
    "noise-instructions": Key("noise_instructions", values.count),
}

WORKFLOW_SCHEMA: dict[str, Key] = {
    "pins": Key("pins", values.action_pins),
    "docs": Key("docs", values.str_list),
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
    "workflow": Section("workflow", WORKFLOW_SCHEMA, WorkflowConfig),
    "benchmark": Section("benchmark", BENCHMARK_SCHEMA, BenchmarkConfig),
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


def load_config(
    pyproject: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    finder: interpreters.Finder = interpreters.find,
) -> Config:
    """Read, merge, validate and resolve; raise one ConfigError on the first problem.

    `environ` (os.environ by default) and `finder` (which interpreter starts)
    are what the resolved settings depend on besides the file.
    """
    environ = os.environ if environ is None else environ
    document = read_pyproject(pyproject)
    from_keywords = _override_keys(overrides or {})
    resolved = dict(STATIC_DEFAULTS)
    for key, raw in _merge(_table(document, pyproject), from_keywords).items():
        origin = " (register() keyword)" if key in from_keywords else ""
        if key in SECTIONS:
            section = SECTIONS[key]
            resolved[section.field] = _load_section(pyproject, key, section, raw, origin)
            continue
        spec = SCHEMA.get(key)
        if spec is None:
            known = [*SCHEMA, *SECTIONS]
            raise ConfigError(_unknown_key_message(pyproject, TABLE, key, known) + origin)
        resolved[spec.field] = _check(pyproject, key, spec, raw, origin)
    defaults = _defaults(document, pyproject, resolved)
    for name, default in defaults.items():
        resolved.setdefault(name, default)
    for dep_key, name in (("test-groups", "test_groups"), ("lint-groups", "lint_groups")):
        _check_groups(document, pyproject, dep_key, resolved[name])
    _check_packages(pyproject, resolved["packages"], explicit="packages" not in defaults)
    config = Config(root=pyproject.parent, pyproject=pyproject, **resolved)
    return _resolve(config, document, environ, finder)


def _resolve(
    config: Config,
    document: Mapping[str, Any],
    environ: Mapping[str, str],
    finder: interpreters.Finder,
) -> Config:
    """Every effective setting that depends on more than its own key, decided once."""
    coverage_tables = _sub_table(document, config.pyproject, "tool", "coverage")
    report = _sub_table(coverage_tables, config.pyproject, "report", prefix="tool.coverage")
    try:
        fail_under, origin = resolve.resolve_fail_under(config.coverage.fail_under, report)
    except ValueError as exc:
        raise ConfigError(f"{config.pyproject}: {exc}") from None
    db, db_origin = resolve.resolve_vulnerability_db(
        environ.get(DB_ENV), config.security.db, config.root, env_name=DB_ENV
    )
    on_ci = "CI" in environ
    # On CI nothing is probed: a missing interpreter fails there, as it must.
    runnable = config.python if on_ci else interpreters.runnable(config.python, finder)
    session_python, note = resolve.resolve_session_python(config.python, runnable, on_ci=on_ci)
    missing = tuple(version for version in config.python if version not in runnable)
    project = document.get("project", {})
    return replace(
        config,
        coverage=replace(config.coverage, fail_under=fail_under, fail_under_origin=origin),
        security=replace(config.security, db=None if db is None else str(db), db_origin=db_origin),
        session_python=session_python,
        absent_pythons=missing,
        notes=(note,) if note else (),
        project_name=str(project.get("name", "")),
        coverage_settings=coverage_tables,
        bandit_config="bandit" in document.get("tool", {}),
        pytest_ini=pytest_ini(config.root, document),
        groups={
            group: tuple(nox.project.dependency_groups(dict(document), group))
            for group in (*config.test_groups, *config.lint_groups)
        },
    )


# The variable that names the vulnerability database; it wins over the key.
DB_ENV = "CI_SESSIONS_VULN_DB"


def _sub_table(
    document: Mapping[str, Any], pyproject: Path, *keys: str, prefix: str = ""
) -> dict[str, Any]:
    """document[keys...] as a table ({} when absent); a non-table is a ConfigError."""
    current: Any = document
    walked = prefix
    for key in keys:
        walked = f"{walked}.{key}" if walked else key
        current = current.get(key, {})
        if not isinstance(current, dict):
            raise ConfigError(
                f"{pyproject}: [{walked}] must be a table, got {key} = {values.toml(current)}"
            )
    return dict(current)


def _check_packages(pyproject: Path, packages: tuple[str, ...], *, explicit: bool) -> None:
    """A package that is not there would make lint check only the tests and
    coverage measure nothing: refuse it before anything runs."""
    for package in packages:
        if source_dir(pyproject.parent, package) is None:
            relative = package.replace(".", "/")
            what = (
                f"package {package!r}"
                if explicit
                else (f"package {package!r} (from [project].name)")
            )
            raise ConfigError(
                f"{pyproject}: [{TABLE}] package: {what} not found in src/ or the project "
                f"root (looked for src/{relative}, {relative}, {relative}.py); set package "
                '= "your_import_name"'
            )


def _check(pyproject: Path, key: str, spec: Key, raw: Any, origin: str, table: str = TABLE) -> Any:
    try:
        return spec.check(raw)
    except ValueError as exc:
        got = values.toml(raw)
        raise ConfigError(f"{pyproject}: [{table}] {key}: {exc}, got {got}{origin}") from None


def _load_section(pyproject: Path, name: str, section: Section, raw: Any, origin: str) -> Any:
    table = f"{TABLE}.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{pyproject}: [{table}] must be a table, got {values.toml(raw)}{origin}")
    resolved = {}
    for key, value in raw.items():
        spec = section.schema.get(key)
        if spec is None:
            raise ConfigError(
                _unknown_key_message(pyproject, table, key, list(section.schema)) + origin
            )
        resolved[spec.field] = _check(pyproject, key, spec, value, origin, table)
    return section.build(**resolved)


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
    for top in ("project", "dependency-groups"):
        _sub_table(document, pyproject, top)
    return _sub_table(document, pyproject, "tool", "ci_sessions")


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
    document: Mapping[str, Any], pyproject: Path, resolved: Mapping[str, Any]
) -> dict[str, Any]:
    """Defaults derived from the project itself, computed only when needed."""
    defaults: dict[str, Any] = {}
    if "python" not in resolved:
        defaults["python"] = default_pythons(document)
    packages = resolved.get("packages")
    if packages is None:
        name = default_package(document)
        if name is None:
            raise ConfigError(
                f"{pyproject}: [{TABLE}] package: not set and [project].name is "
                'missing; set package = "your_import_name"'
            )
        packages = (name,)
        defaults["packages"] = packages
    if "paths" not in resolved:
        defaults["paths"] = default_paths(pyproject.parent, packages)
    return defaults


def _check_groups(
    document: Mapping[str, Any], pyproject: Path, key: str, groups: tuple[str, ...]
) -> None:
    declared = document.get("dependency-groups", {})
    for group in groups:
        if group not in declared:
            raise ConfigError(
                f"{pyproject}: [{TABLE}] {key}: no [dependency-groups] entry named {group!r}"
            )
