"""[tool.ci_sessions] loading: defaults and every kind of bad input."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import ci_sessions
from ci_sessions.config import Config, ConfigError, Waiver
from ci_sessions.config.project import (
    default_pythons,
    discovered_as_package,
    past_end_of_life,
    setuptools_discovers,
    supported,
)
from ci_sessions.families.benchmark.settings import BenchmarkConfig
from ci_sessions.families.coverage.settings import COVERAGE, CoverageConfig
from ci_sessions.families.flaky.settings import FlakyConfig
from ci_sessions.families.integration.settings import IntegrationConfig
from ci_sessions.families.lint.settings import LintConfig
from ci_sessions.families.security.settings import SecurityConfig
from ci_sessions.registry import load_config


def write_project(
    root: Path, toml: str, *, layout: str = "src", packages: tuple[str, ...] = ("demo_pkg",)
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(textwrap.dedent(toml), encoding="utf-8")
    for name in packages:
        package = root / "src" / name if layout == "src" else root / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
    (root / "tests").mkdir()
    return pyproject


def load(pyproject: Path, **environ: str) -> Config:
    """load_config on CI (nothing probed) unless the environment given says otherwise."""
    return load_config(pyproject, environ=environ or {"CI": "true"})


MINIMAL = """
[project]
name = "Demo-Pkg"
requires-python = ">=3.12"
"""


def test_defaults_come_from_the_project(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path, MINIMAL))
    assert config.packages == ("demo_pkg",)
    assert config.paths == ("src/demo_pkg", "tests")
    # requires-python up to the newest CPython released (3.15 since October 2026)
    assert config.python == default_pythons({"project": {"requires-python": ">=3.12"}})
    assert config.python[:2] == ("3.12", "3.13")
    assert config.test_paths == ("tests",)
    assert config.of(LintConfig).tools == ("ruff",)  # nothing configured: no formatter,
    assert "no type checker: none is configured" in config.of(LintConfig).reasons  # no mypy
    assert config.reports_dir == "reports"
    assert config.newest_python == config.python[-1]


def test_flat_layout_is_found(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path, MINIMAL, layout="flat"))
    assert config.paths == ("demo_pkg", "tests")


def test_python_default_prefers_classifiers(tmp_path: Path) -> None:
    toml = MINIMAL + textwrap.dedent("""
        classifiers = [
            "Programming Language :: Python :: 3.13",
            "Programming Language :: Python :: 3.12",
        ]
        """)
    assert load_config(write_project(tmp_path, toml)).python == ("3.12", "3.13")


def test_python_default_without_any_hint(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path, '[project]\nname = "demo-pkg"\n'))
    assert config.python == supported(date.today())


def test_table_values_are_read(tmp_path: Path) -> None:
    toml = MINIMAL + textwrap.dedent("""
        [tool.ci_sessions]
        python = ["3.11", "3.13"]
        package = ["a", "b"]
        paths = ["src"]
        test-paths = ["tests/unit"]
        test-extras = ["fast"]
        lint-tools = ["ruff", "ruff-format"]
        reports-dir = "out/reports"
        venv-backend = "virtualenv"
        """)
    config = load_config(write_project(tmp_path, toml, packages=("a", "b")))
    assert config.python == ("3.11", "3.13")
    assert config.packages == ("a", "b")
    assert config.paths == ("src",)
    assert config.test_paths == ("tests/unit",)
    assert config.test_extras == ("fast",)
    assert config.of(LintConfig).tools == ("ruff", "ruff-format")
    assert config.reports_dir == "out/reports"
    assert config.venv_backend == "virtualenv"


def test_register_takes_no_keyword_override_and_says_where_the_key_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = write_project(tmp_path, MINIMAL)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        ci_sessions.register(python=["3.13"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "ci-sessions: error: register(python=...): the configuration has one place, so that "
        "the workflow and doctor see what the sessions do: set python under [tool.ci_sessions] "
        f"in {pyproject}; register() takes only= and exclude=\n"
    )


def test_dependency_groups_must_exist(tmp_path: Path) -> None:
    toml = MINIMAL + '[dependency-groups]\ntest = ["hypothesis"]\n'
    toml += '[tool.ci_sessions]\ntest-groups = ["test"]\nlint-groups = ["typing"]\n'
    with pytest.raises(
        ConfigError, match=r"lint-groups: no \[dependency-groups\] entry named 'typing'"
    ):
        load_config(write_project(tmp_path, toml))


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('pythn = ["3.12"]', r"unknown key 'pythn' \(did you mean 'python'\?\)"),
        ("frobnicate = 1", r"unknown key 'frobnicate'; known keys: python, package"),
        ('python = "3.12"', r'python: expected a list of strings, got "3.12"'),
        ('python = ["3.12", "3.12"]', r"python: lists a version twice"),
        (
            'python = ["twelve"]',
            r'python: expected versions like "3.12", "3.13t" \(free-threaded\) or "pypy3.11", '
            r'got "twelve"',
        ),
        (
            'python = ["3.9", "3.12"]',
            r"python: 3.9: older than 3.10, the oldest Python the sessions' tools run on",
        ),
        ('paths = ["../other"]', r'paths: "../other" is outside the project'),
        ('test-paths = ["/abs/tests"]', r'test-paths: "/abs/tests" is outside the project'),
        ("test-timeout = -1", r"test-timeout: expected a finite number of seconds, 0 or more"),
        ("test-timeout = inf", r"test-timeout: expected a finite number of seconds"),
        ("python = []", r"python: expected at least one entry"),
        ("package = 3", r"package: expected a list of strings, got 3"),
        ('paths = ["src", 1]', r"paths: expected a list of strings"),
        ('test-paths = [""]', r"test-paths: expected non-empty strings"),
        ('lint-tools = ["pylint"]', r'lint-tools: unknown entry "pylint"'),
        ('reports-dir = "../elsewhere"', r"reports-dir: expected a folder inside the project"),
        ('reports-dir = "/tmp/x"', r"reports-dir: expected a folder inside the project"),
        ('venv-backend = "conda"', r"venv-backend: expected one of 'uv\|virtualenv', 'uv'"),
        ('download-python = "yes"', r"download-python: expected one of 'never', 'auto'"),
    ],
)
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, table: str, expected: str) -> None:
    pyproject = write_project(tmp_path, MINIMAL + f"[tool.ci_sessions]\n{table}\n")
    with pytest.raises(ConfigError, match=expected) as raised:
        load_config(pyproject)
    assert str(raised.value).startswith(f"{pyproject}: [tool.ci_sessions]")


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, MINIMAL + "[tool]\nci_sessions = 3\n")
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions\] must be a table"):
        load_config(pyproject)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, MINIMAL + "[tool.ci_sessions\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML"):
        load_config(pyproject)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml: not found"):
        load_config(tmp_path / "pyproject.toml")


def test_package_needs_a_project_name(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, "[tool.ci_sessions]\n")
    with pytest.raises(ConfigError, match=r"package: not set, and neither the build backend"):
        load_config(pyproject)


def test_where_names_file_and_key(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, MINIMAL)
    assert load_config(pyproject).key_ref("paths") == f"{pyproject}: [tool.ci_sessions] paths"


def test_coverage_section_defaults_and_values(tmp_path: Path) -> None:
    defaults = load_config(write_project(tmp_path / "a", MINIMAL)).of(CoverageConfig)
    assert defaults == COVERAGE.make({})
    toml = MINIMAL + textwrap.dedent("""
        [tool.ci_sessions.coverage]
        fail-under = 85
        patch-fail-under = 90.5
        compare-branch = "origin/develop"
        require-all-pythons = false
        worst-files = 3

        [tool.ci_sessions.coverage.modules]
        "src/pkg/core/*" = 100
        """)
    coverage = load_config(write_project(tmp_path / "b", toml)).of(CoverageConfig)
    assert coverage == COVERAGE.make(
        {
            "fail_under": 85.0,
            "fail_under_origin": "[tool.ci_sessions.coverage] fail-under",
            "modules": (("src/pkg/core/*", 100.0),),
            "patch_fail_under": 90.5,
            "compare_branch": "origin/develop",
            "require_all_pythons": False,
            "worst_files": 3,
        }
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            "fail-unde = 80",
            r"\[tool.ci_sessions.coverage\] unknown key 'fail-unde' "
            r"\(did you mean 'fail-under'\?\)",
        ),
        (
            "fail-under = 101",
            r"\[tool.ci_sessions.coverage\] fail-under: expected a number",
        ),
        ("fail-under = true", r"fail-under: expected a number from 0 to 100, got true"),
        ("fail-under = nan", r"fail-under: expected a number from 0 to 100, got nan"),
        ('patch-fail-under = "90"', r"patch-fail-under: expected a number"),
        ("require-all-pythons = 1", r"require-all-pythons: expected true or false"),
        ("worst-files = 0", r"worst-files: expected a whole number of at least 1"),
        ('compare-branch = "--all"', r"compare-branch: expected a git branch or ref"),
        ('modules = {"a/*" = "high"}', r"modules: entry 'a/\*': expected a number from 0 to 100"),
        ("modules = 3", r'modules: expected a table of "glob" = percentage'),
    ],
)
def test_bad_coverage_values_name_the_sub_table_and_key(
    tmp_path: Path, table: str, expected: str
) -> None:
    pyproject = write_project(tmp_path, MINIMAL + f"[tool.ci_sessions.coverage]\n{table}\n")
    with pytest.raises(ConfigError, match=expected):
        load_config(pyproject)


def test_coverage_must_be_a_table(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, MINIMAL + "[tool.ci_sessions]\ncoverage = 80\n")
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions.coverage\] must be a table, got 80"):
        load_config(pyproject)


def test_security_section(tmp_path: Path) -> None:
    toml = MINIMAL + textwrap.dedent("""
        [tool.ci_sessions.security]
        scanners = ["safety"]
        bandit-severity = "high"
        db = "mirror/vulns"
        max-db-age-days = 7
        ignore = [
            { id = "PYSEC-2018-28", reason = "internal only", expires = 2026-12-31 },
            { id = "CVE-2024-1", reason = "no fix yet", expires = "2027-01-02" },
            { id = "GHSA-x", reason = "never reached" },
        ]
        """)
    security = load(write_project(tmp_path, toml)).of(SecurityConfig)
    assert security.scanners == ("safety",)
    assert security.bandit_severity == "high"
    assert security.db == str(tmp_path / "mirror/vulns")  # resolved against the project
    assert security.db_origin == "[tool.ci_sessions.security] db"
    assert security.max_db_age_days == 7
    assert security.ignore == (
        Waiver("PYSEC-2018-28", "internal only", date(2026, 12, 31)),
        Waiver("CVE-2024-1", "no fix yet", date(2027, 1, 2)),
        Waiver("GHSA-x", "never reached", None),
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('{ id = "X" }', r"ignore: entry 1 \(X\): reason is required"),
        ('{ reason = "r" }', r"ignore: entry 1: id is required"),
        (
            '{ id = "X", reason = "r", expires = "soon" }',
            r"ignore: entry 1: expires must be a date",
        ),
        ('{ id = "X", reason = "r", until = 2026-01-01 }', r"ignore: entry 1: unknown key 'until'"),
        ('"X"', r"ignore: entry 1: expected a table"),
    ],
)
def test_bad_ignore_entries(tmp_path: Path, entry: str, expected: str) -> None:
    toml = MINIMAL + f"[tool.ci_sessions.security]\nignore = [{entry}]\n"
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions.security\] " + expected):
        load_config(write_project(tmp_path, toml))


def test_bad_security_values(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.ci_sessions.security]\nbandit-severity = "critical"\n'
    with pytest.raises(ConfigError, match=r"bandit-severity: expected one of 'low', 'medium'"):
        load_config(write_project(tmp_path, toml))


def test_integration_section(tmp_path: Path) -> None:
    assert load_config(write_project(tmp_path / "a", MINIMAL)).get(IntegrationConfig) is None
    toml = MINIMAL + textwrap.dedent("""
        [tool.ci_sessions.integration]
        services = ["postgres", "redis"]
        markers = "integration and not slow"
        url-env = { postgres = "PG_URL" }
        ready-timeout = 5
        """)
    integration = load_config(write_project(tmp_path / "b", toml)).get(IntegrationConfig)
    assert integration == IntegrationConfig(
        paths=("tests/integration",),
        markers="integration and not slow",
        services=("postgres", "redis"),
        url_env=(("postgres", "PG_URL"),),
        ready_timeout=5.0,
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('services = ["mysql"]', r'services: unknown entry "mysql"'),
        ('url-env = { kafka = "K" }', r"url-env: unknown service 'kafka'"),
        ('url-env = { redis = "not a name" }', r"url-env: redis: expected an environment"),
        ("ready-timeout = 0", r"ready-timeout: expected a finite number of seconds above 0"),
        ("ready-timeout = inf", r"ready-timeout: expected a finite number of .* 0, got inf"),
        ("ready-timeout = nan", r"ready-timeout: expected a finite number of .* 0, got nan"),
        (
            'services = ["redis"]\nimages = { postgres = "postgres:17" }',
            r"images names postgres, which services does not list \(redis\)",
        ),
        (
            'services = ["redis"]\nurl-env = { postgres = "PG_URL" }',
            r"url-env names postgres, which services does not list \(redis\)",
        ),
    ],
)
def test_bad_integration_values(tmp_path: Path, table: str, expected: str) -> None:
    toml = MINIMAL + f"[tool.ci_sessions.integration]\n{table}\n"
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions.integration\] " + expected):
        load_config(write_project(tmp_path, toml))


def test_quarantine_flaky_and_slow_settings(tmp_path: Path) -> None:
    toml = MINIMAL + textwrap.dedent("""
        [tool.ci_sessions]
        slowest = 0
        slow-marker = "sluggish"
        quarantine = [{ id = "tests/test_a.py::test_x", reason = "issue 7", expires = 2026-12-31 }]

        [tool.ci_sessions.flaky]
        runs = 20
        """)
    config = load_config(write_project(tmp_path, toml))
    assert config.quarantine == (Waiver("tests/test_a.py::test_x", "issue 7", date(2026, 12, 31)),)
    assert (config.slowest, config.slow_marker, config.of(FlakyConfig).runs) == (0, "sluggish", 20)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'quarantine = [{ id = "t", reason = "r" }]',
            r"quarantine: entry 1 \(t\): expires is required",
        ),
        (
            'quarantine = [{ id = "t", reason = "r", expires = 2026-01-01 },'
            ' { id = "t", reason = "s", expires = 2026-01-01 }]',
            r"quarantine: 't' is listed twice",
        ),
        ("slowest = -1", r"slowest: expected a whole number, 0 or more"),
        ('slow-marker = "not slow"', r"slow-marker: expected a pytest marker name"),
        (
            "flaky = { runs = 1 }",
            r"\[tool.ci_sessions.flaky\] runs: expected a whole number of at least 2",
        ),
    ],
)
def test_bad_quarantine_and_flaky_values(tmp_path: Path, table: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(write_project(tmp_path, MINIMAL + f"[tool.ci_sessions]\n{table}\n"))


def test_tiers(tmp_path: Path) -> None:
    default = load_config(write_project(tmp_path / "a", MINIMAL))
    assert default.tiers_of("tests") == ["pr", "nightly"]
    assert default.tiers_of("collect") == ["smoke"]
    toml = MINIMAL + '[tool.ci_sessions.tiers]\nquick = ["lint"]\n'
    config = load_config(write_project(tmp_path / "b", toml))
    assert config.tiers == (("quick", ("lint",)),)
    bad = MINIMAL + '[tool.ci_sessions.tiers]\npr = ["lint", "spelling"]\n'
    with pytest.raises(ConfigError, match=r'tiers: pr: unknown entry "spelling"'):
        load_config(write_project(tmp_path / "c", bad))


def test_benchmark_section(tmp_path: Path) -> None:
    toml = MINIMAL + "[tool.ci_sessions.benchmark]\nthreshold = 0.05\nrounds = 8\n"
    benchmark = load_config(write_project(tmp_path / "a", toml)).get(BenchmarkConfig)
    assert benchmark is not None
    assert (benchmark.limit, benchmark.rounds, benchmark.mode) == (0.05, 8, "walltime")
    toml = MINIMAL + '[tool.ci_sessions.benchmark]\nmode = "instructions"\n'
    counted = load_config(write_project(tmp_path / "d", toml)).get(BenchmarkConfig)
    assert counted is not None and (counted.mode, counted.limit) == ("instructions", 0.02)
    toml = MINIMAL + '[tool.ci_sessions.benchmark]\nmode = "memory"\nnoise-bytes = 64\n'
    peaks = load_config(write_project(tmp_path / "m", toml)).get(BenchmarkConfig)
    assert peaks is not None and (peaks.mode, peaks.limit, peaks.noise_bytes) == ("memory", 0.1, 64)
    default = load_config(write_project(tmp_path / "e", MINIMAL + "[tool.ci_sessions.benchmark]\n"))
    assert default.of(BenchmarkConfig).limit == 0.10
    bad = MINIMAL + '[tool.ci_sessions.benchmark]\nmode = "cycles"\n'
    with pytest.raises(ConfigError, match=r"mode: expected one of 'walltime', 'instructions'"):
        load_config(write_project(tmp_path / "b", bad))
    bad = MINIMAL + "[tool.ci_sessions.benchmark]\nthreshold = 10\n"
    with pytest.raises(ConfigError, match=r"threshold: expected a fraction"):
        load_config(write_project(tmp_path / "c", bad))


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ('fail_under = "99.5"', 99.5),  # a string: coverage.py reads it, so must we
        ("fail_under = 95", 95.0),
        ("", None),
    ],
)
def test_fail_under_is_resolved_from_coverage_s_own_table(
    tmp_path: Path, report: str, expected: float | None
) -> None:
    toml = MINIMAL + f"[tool.coverage.report]\n{report}\n"
    coverage = load(write_project(tmp_path, toml)).of(CoverageConfig)
    assert coverage.fail_under == expected
    if expected is not None:
        assert coverage.fail_under_origin == "[tool.coverage.report] fail_under"


def test_the_key_wins_over_coverage_s_fail_under(tmp_path: Path) -> None:
    toml = MINIMAL + "[tool.coverage.report]\nfail_under = 50\n"
    toml += "[tool.ci_sessions.coverage]\nfail-under = 80\n"
    assert load(write_project(tmp_path, toml)).of(CoverageConfig).fail_under == 80.0


def test_a_fail_under_coverage_cannot_read_is_refused(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.coverage.report]\nfail_under = "high"\n'
    with pytest.raises(ConfigError, match=r"\[tool.coverage.report\] fail_under: expected a num"):
        load(write_project(tmp_path, toml))


def test_the_vulnerability_database_variable_wins_over_the_key(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.ci_sessions.security]\ndb = "mirror"\n'
    pyproject = write_project(tmp_path, toml)
    security = load(pyproject, CI="1", CI_SESSIONS_VULN_DB="/srv/advisories").of(SecurityConfig)
    assert (security.db, security.db_origin) == ("/srv/advisories", "$CI_SESSIONS_VULN_DB")


def test_newest_python_is_the_newest_not_the_last_listed(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.ci_sessions]\npython = ["3.13", "3.11"]\n'
    config = load(write_project(tmp_path, toml))
    assert config.newest_python == "3.13"
    assert config.session_python == "3.13"


def test_sessions_move_to_the_newest_python_that_starts_here(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.ci_sessions]\npython = ["3.12", "3.99"]\n'
    config = load_config(
        write_project(tmp_path, toml),
        environ={},
        finder=lambda version: None if version == "3.99" else f"/bin/python{version}",
    )
    assert config.session_python == "3.12"
    assert config.absent_pythons == ("3.99",)
    assert "python3.99 does not start here" in config.notes[0]
    on_ci = load_config(write_project(tmp_path / "ci", toml), environ={"CI": "true"})
    assert (on_ci.session_python, on_ci.absent_pythons) == ("3.99", ())


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("tool = 1\n", r"\[tool\] must be a table, got tool = 1"),
        ('[project]\nname = "x"\n[tool]\nci_sessions = 3\n', r"\[tool.ci_sessions\] must be"),
        ('project = "x"\n', r"\[project\] must be a table"),
        (MINIMAL + "[tool.coverage]\nreport = 1\n", r"\[tool.coverage.report\] must be a table"),
    ],
)
def test_tables_that_are_not_tables(tmp_path: Path, toml: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load(write_project(tmp_path, toml))


def test_a_package_that_is_not_there_is_refused(tmp_path: Path) -> None:
    toml = MINIMAL + '[tool.ci_sessions]\npackage = "demo_pgk"\n'
    with pytest.raises(
        ConfigError, match=r"package: package 'demo_pgk' not found in src/ or the project root"
    ):
        load(write_project(tmp_path, toml))


def test_an_empty_scanner_list_is_refused(tmp_path: Path) -> None:
    toml = MINIMAL + "[tool.ci_sessions.security]\nscanners = []\n"
    with pytest.raises(ConfigError, match=r"scanners: expected at least one of bandit, safety"):
        load(write_project(tmp_path, toml))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 11, 1), ("3.12", "3.13")),
        (date(2025, 11, 1), ("3.12", "3.13", "3.14")),
        (date(2026, 12, 2), ("3.12", "3.13", "3.14", "3.15")),
    ],
)
def test_requires_python_reaches_the_newest_release_of_the_day(
    today: date, expected: tuple[str, ...]
) -> None:
    document = {"project": {"requires-python": ">=3.12"}}
    assert default_pythons(document, today) == expected


def test_without_any_hint_every_supported_release() -> None:
    # 3.10 reached its end of life in October 2026; 3.15 came out.
    assert default_pythons({}, date(2026, 12, 2)) == ("3.11", "3.12", "3.13", "3.14", "3.15")
    assert default_pythons({}, date(2026, 6, 1)) == ("3.10", "3.11", "3.12", "3.13", "3.14")


def test_old_pythons_from_the_project_are_left_out_with_a_note(tmp_path: Path) -> None:
    toml = '[project]\nname = "demo-pkg"\nrequires-python = ">=3.8"\n'
    config = load(write_project(tmp_path, toml))
    assert config.python[0] == "3.10"
    assert "3.8, 3.9 too: left out of the matrix" in config.notes[0]


def test_a_free_threaded_build_is_opt_in_and_never_runs_the_single_sessions(
    tmp_path: Path,
) -> None:
    toml = MINIMAL + '[tool.ci_sessions]\npython = ["3.13", "3.14", "3.14t"]\n'
    config = load(write_project(tmp_path, toml))
    assert config.python == ("3.13", "3.14", "3.14t")
    assert config.session_python == "3.14"


def test_a_suites_leak_limit_is_memrays_notation(tmp_path: Path) -> None:
    from ci_sessions.families.suites.settings import SuitesConfig

    toml = MINIMAL + '[tool.ci_sessions.suites.memory]\npaths = ["tests"]\nleak-limit = "4kb"\n'
    [suite] = load_config(write_project(tmp_path / "a", toml)).of(SuitesConfig).suites
    assert suite.leak_limit == "4 KB"
    bad = toml.replace('"4kb"', '"4 kilobytes"')
    with pytest.raises(
        ConfigError, match=r"\[tool.ci_sessions.suites.memory\] leak-limit: expected a size such as"
    ):
        load_config(write_project(tmp_path / "b", bad))


def test_a_suite_s_image_for_a_service_it_does_not_start_is_refused(tmp_path: Path) -> None:
    toml = MINIMAL + (
        '[tool.ci_sessions.suites.db]\npaths = ["tests"]\nservices = ["redis"]\n'
        'images = { postgres = "postgres:17" }\n'
    )
    with pytest.raises(
        ConfigError, match=r"\[tool.ci_sessions.suites.db\] images names postgres, which services"
    ):
        load_config(write_project(tmp_path, toml))


SETUPTOOLS = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'


def flat_setuptools(root: Path, extra: str = "") -> Path:
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text("")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(SETUPTOOLS + '[project]\nname = "calc"\n' + extra)
    return pyproject


def test_a_flat_setuptools_layout_keeps_its_reports_out_of_the_build(tmp_path: Path) -> None:
    # setuptools would take reports/ for a second top-level package and fail the install.
    assert load_config(flat_setuptools(tmp_path / "a")).reports_dir == "ci-reports"
    explicit = flat_setuptools(tmp_path / "b", '[tool.ci_sessions]\nreports-dir = "out-put"\n')
    assert load_config(explicit).reports_dir == "out-put"
    with pytest.raises(ConfigError, match=r"reports-dir: setuptools finds this project's"):
        load_config(flat_setuptools(tmp_path / "c", '[tool.ci_sessions]\nreports-dir = "out"\n'))
    # A package list of its own, or another backend: reports/ changes nothing.
    listed = flat_setuptools(tmp_path / "d", '[tool.setuptools]\npackages = ["calc"]\n')
    assert load_config(listed).reports_dir == "reports"


@pytest.mark.parametrize(
    ("files", "document", "discovers"),
    [
        ({}, {"build-system": {"build-backend": "setuptools.build_meta"}}, True),
        ({"setup.py": "from setuptools import setup\nsetup()\n"}, {}, True),
        ({"setup.py": "setup(packages=['calc'])\n"}, {}, False),
        ({"setup.cfg": "[options]\npackages = find:\n"}, {"build-system": {}}, False),
        ({"src/calc/__init__.py": ""}, {"build-system": {"build-backend": "setuptools"}}, False),
        ({}, {"build-system": {"build-backend": "hatchling.build"}}, False),
        (
            {},
            {
                "build-system": {"build-backend": "setuptools.build_meta"},
                "tool": {"setuptools": {"py-modules": ["calc"]}},
            },
            False,
        ),
    ],
)
def test_when_setuptools_discovers_a_flat_layout_s_packages(
    tmp_path: Path, files: dict[str, str], document: dict[str, Any], discovers: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert setuptools_discovers(tmp_path, document) is discovers
    assert discovered_as_package("reports") and discovered_as_package("out/reports")
    assert not discovered_as_package("ci-reports") and not discovered_as_package("build/reports")


FREE_THREADED_CLASSIFIERS = [
    "Programming Language :: Python :: 3.14",
    "Programming Language :: Python :: 3.15",
    "Programming Language :: Python :: Free Threading :: 3 - Stable",
]


@pytest.mark.parametrize(
    ("classifiers", "today", "expected"),
    [
        # Declared support: each version from 3.14 on gets its free-threaded build.
        (FREE_THREADED_CLASSIFIERS, date(2026, 12, 7), ("3.14", "3.15", "3.14t", "3.15t")),
        # No declaration: never a default.
        (FREE_THREADED_CLASSIFIERS[:2], date(2026, 12, 7), ("3.14", "3.15")),
        # The bare prefix counts; 3.13t is left out (experimental in 3.13).
        (
            [
                "Programming Language :: Python :: 3.12",
                "Programming Language :: Python :: Free Threading",
            ],
            date(2026, 12, 7),
            ("3.12",),
        ),
        (
            [
                "Programming Language :: Python :: 3.13",
                "Programming Language :: Python :: Free Threading",
            ],
            date(2026, 12, 7),
            ("3.13",),
        ),
    ],
)
def test_free_threaded_default_follows_the_classifiers(
    classifiers: list[str], today: date, expected: tuple[str, ...]
) -> None:
    document = {"project": {"name": "x", "classifiers": classifiers}}
    assert default_pythons(document, today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Before 3.15's release the newest CPython is 3.14.
        (date(2026, 9, 1), ("3.11", "3.12", "3.13", "3.14", "3.14t")),
        (date(2026, 12, 7), ("3.11", "3.12", "3.13", "3.14", "3.15", "3.14t", "3.15t")),
    ],
)
def test_requires_python_runs_up_to_the_newest_release_of_the_day(
    today: date, expected: tuple[str, ...]
) -> None:
    document = {
        "project": {
            "name": "x",
            "requires-python": ">=3.11",
            "classifiers": ["Programming Language :: Python :: Free Threading :: 2 - Beta"],
        }
    }
    assert default_pythons(document, today) == expected


def test_supported_follows_end_of_life() -> None:
    # 3.10's end of life is October 2026: in December it is no longer a default.
    assert supported(date(2026, 10, 30))[0] == "3.10"
    assert supported(date(2026, 12, 7)) == ("3.11", "3.12", "3.13", "3.14", "3.15")


def test_versions_past_end_of_life_are_named() -> None:
    assert past_end_of_life(("3.10", "3.11", "3.10t"), date(2026, 12, 7)) == (
        ("3.10", date(2026, 10, 31)),
        ("3.10t", date(2026, 10, 31)),
    )
    assert past_end_of_life(("3.10", "3.11"), date(2026, 10, 1)) == ()


def test_init_notes_the_free_threaded_entry_and_an_ended_python(tmp_path: Path) -> None:
    toml = MINIMAL.replace('requires-python = ">=3.12"', 'requires-python = ">=3.10"') + (
        'classifiers = ["Programming Language :: Python :: Free Threading :: 3 - Stable"]\n'
    )
    config = load_config(write_project(tmp_path, toml))
    assert config.python[-1].endswith("t")
    notes = " ".join(config.notes)
    threaded = [version for version in config.python if version.endswith("t")]
    assert f"{', '.join(threaded)} (free-threaded) too" in notes
    if date.today() > date(2026, 10, 31):
        assert "3.10 reached its end of life on 2026-10-31" in notes
