"""End-to-end: named suites, each its own session, JUnit, summary and coverage data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, add_config, new_copy
from tests.e2e.test_coverage import measured, project  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

SUITES = """
[tool.ci_sessions.suites.fast]
paths = ["tests"]
markers = "not slow"
python = "matrix"
tier = ["pr"]

[tool.ci_sessions.suites.journeys]
paths = ["journeys"]
env = { JOURNEY_MODE = "full" }
tier = ["nightly"]
"""
JOURNEY = (
    "import os\n\nfrom sample.shapes import area\n\n\n"
    "def test_a_journey():\n"
    "    assert os.environ['JOURNEY_MODE'] == 'full'\n"
    "    assert area(2, 3) == 6\n"
)


def with_suites(root: Path) -> Path:
    (root / "journeys").mkdir()
    (root / "journeys" / "test_journey.py").write_text(JOURNEY)
    add_config(root, SUITES)
    return root


def test_each_suite_is_a_session_of_its_tiers(sample: Path, run_nox: RunNox) -> None:
    with_suites(sample)
    listed = run_nox(sample, "--json", "-l", "-t", "pr")
    names = {entry["session"] for entry in json.loads(listed.stdout)}
    assert {"fast-3.11", "fast-3.12", "fast-3.13"} <= names and "journeys" not in names
    nightly = {
        entry["session"]
        for entry in json.loads(run_nox(sample, "--json", "-l", "-t", "nightly").stdout)
    }
    assert "journeys" in nightly
    result = run_nox(sample, "-s", "journeys", "fast-3.13")
    assert result.returncode == 0, result
    reports = sample / "reports"
    assert (reports / "junit-journeys.xml").is_file() and (
        reports / "junit-fast-3.13.xml"
    ).is_file()
    assert "1 passed." in (reports / "summary-journeys.md").read_text()
    assert (reports / "coverage-data" / "journeys" / ".coverage.py3.13").is_file()
    assert (reports / "coverage-data" / "fast" / ".coverage.py3.13").is_file()


def test_a_failing_suite_test_fails_its_session(sample: Path, run_nox: RunNox) -> None:
    with_suites(sample)
    (sample / "journeys" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    result = run_nox(sample, "-s", "journeys")
    assert result.returncode != 0, result
    assert "journeys: 1 of 2 tests failed" in result.output


def test_the_coverage_gate_combines_an_included_suite_or_names_it_missing(
    project: Path, run_nox: RunNox  # noqa: F811 - the measured sample
) -> None:
    with_suites(project)
    add_config(project, '[tool.ci_sessions.coverage]\ninclude-suites = ["journeys"]')
    missing = run_nox(project, "-s", "coverage")
    assert missing.returncode != 0, missing
    assert "no usable coverage data from suite journeys: run `nox -s journeys` first" in (
        missing.output
    )
    both = run_nox(project, "-s", "journeys", "coverage")
    assert both.returncode == 0, both
    assert "`.coverage.py3.13`: journeys, this run" in both.output


def test_an_unknown_included_suite_is_a_configuration_error(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions.coverage]\ninclude-suites = ["nope"]')
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0, result
    assert (
        "include-suites: nope is not a suite of [tool.ci_sessions.suites] (none)" in result.output
    )


def test_a_suite_with_a_service_starts_and_stops_it(projects_dir: Path, run_nox: RunNox) -> None:
    from tests.e2e.test_integration import assert_cleaned_up

    app = new_copy(projects_dir, FIXTURES / "mariadb_app")
    add_config(
        app, '[tool.ci_sessions.suites.db]\npaths = ["tests/integration"]\nservices = ["mariadb"]'
    )
    result = run_nox(app, "-s", "db")
    assert result.returncode == 0, result
    assert "2 passed" in result.output
    assert_cleaned_up(result.output, frozenset({"mariadb"}))


def test_integration_declared_as_a_suite_runs_as_before(
    projects_dir: Path, run_nox: RunNox
) -> None:
    from tests.e2e.test_integration import assert_cleaned_up

    app = new_copy(projects_dir, FIXTURES / "mariadb_app")
    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.ci_sessions.integration]", "[tool.ci_sessions.suites.integration]"
        )
    )
    result = run_nox(app, "-s", "integration")
    assert result.returncode == 0, result
    assert "2 passed" in result.output
    assert (app / "reports" / "junit-integration.xml").is_file()
    assert_cleaned_up(result.output, frozenset({"mariadb"}))
