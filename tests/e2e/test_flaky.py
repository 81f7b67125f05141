"""End-to-end: flaky-test detection, quarantine with expiry, slowest tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, add_config, new_copy
from tests.e2e.test_foundation import junit_tests

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

SOMETIMES = "tests/test_app.py::test_sometimes"


@pytest.fixture
def app(projects_dir: Path) -> Path:
    return new_copy(projects_dir, FIXTURES / "flaky_app")


def quarantine(project: Path, test_id: str, expires: date) -> None:
    add_config(
        project,
        f'[[tool.ci_sessions.quarantine]]\nid = "{test_id}"\n'
        f'reason = "races the clock, issue 42"\nexpires = {expires.isoformat()}',
    )


NEXT_MONTH = date.today() + timedelta(days=30)
YESTERDAY = date.today() - timedelta(days=1)


def test_flaky_names_exactly_the_flaky_test_and_fails(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "flaky")
    assert result.returncode != 0, result
    report = json.loads((app / "reports" / "flaky.json").read_text())
    assert report["runs"] == 6
    assert [flake["id"] for flake in report["flaky"]] == [SOMETIMES]
    assert 0 < report["flaky"][0]["failure_rate"] < 1
    assert report["flaky"][0]["first_failure"].startswith("AssertionError: assert 0.9")
    assert report["failing_every_run"] == []
    assert f"flaky: {SOMETIMES} failed 3 of 6 runs" in result.output
    assert len(list((app / "reports" / "flaky").glob("junit-run-*.xml"))) == 6


def test_quarantine_makes_flaky_and_tests_pass_while_reporting_it(
    app: Path, run_nox: RunNox
) -> None:
    quarantine(app, SOMETIMES, NEXT_MONTH)
    flaky = run_nox(app, "-s", "flaky")
    assert flaky.returncode == 0, flaky
    assert f"| `{SOMETIMES}` | 50% | 3/6 | yes |" in flaky.output

    # In a plain tests run (run 0) the flaky test fails: quarantined, it does not gate.
    tests = run_nox(app, "-s", "tests-3.12")
    assert tests.returncode == 0, tests
    summary = (app / "reports" / "summary-tests-3.12.md").read_text()
    assert f"| `{SOMETIMES}` | failed | races the clock, issue 42 |" in summary
    assert "1 xfailed" in tests.output


def test_without_quarantine_the_flaky_failure_fails_tests(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "tests-3.12")
    assert result.returncode != 0, result
    assert "1 failed, 3 passed" in result.output


def test_an_expired_quarantine_fails_both_sessions(app: Path, run_nox: RunNox) -> None:
    quarantine(app, SOMETIMES, YESTERDAY)
    for session in ("tests-3.12", "flaky"):
        result = run_nox(app, "-s", session)
        assert result.returncode != 0, result
        assert f"quarantine entries past their expiry: {SOMETIMES} (expired {YESTERDAY})" in (
            result.output
        )


def test_a_quarantine_of_a_test_that_does_not_exist_fails(app: Path, run_nox: RunNox) -> None:
    quarantine(app, SOMETIMES, NEXT_MONTH)
    quarantine(app, "tests/test_app.py::test_gone", NEXT_MONTH)
    tests = run_nox(app, "-s", "tests-3.12")
    assert tests.returncode != 0, tests
    assert "quarantine entries that match no collected test" in tests.output
    assert "tests/test_app.py::test_gone" in tests.output
    flaky = run_nox(app, "-s", "flaky")
    assert flaky.returncode != 0, flaky
    assert "entries that match no test (remove or fix them): tests/test_app.py::test_gone" in (
        flaky.output
    )


def test_slowest_tests_are_reported_and_slow_ones_can_be_skipped(
    app: Path, run_nox: RunNox
) -> None:
    quarantine(app, SOMETIMES, NEXT_MONTH)
    result = run_nox(app, "-s", "tests-3.12")
    assert result.returncode == 0, result
    summary = (app / "reports" / "summary-tests-3.12.md").read_text()
    slowest = summary.split("### Slowest", 1)[1]
    assert slowest.splitlines()[4].startswith("| `tests/test_app.py::test_slow_one` | 0.3")
    assert "slowest 10 durations" in result.output  # pytest's own --durations

    fast = run_nox(app, "-s", "tests-3.12", env={"CI_SESSIONS_SKIP_SLOW": "1"})
    assert fast.returncode == 0, fast
    assert junit_tests(app / "reports" / "junit-tests-3.12.xml") == 3


def test_one_entry_quarantines_every_parametrization_of_a_test(app: Path, run_nox: RunNox) -> None:
    """#29: a racy parametrized test (12 IDs) could not be quarantined in one entry."""
    (app / "tests" / "test_racy.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('n', range(3))\n"
        "def test_race(n: int) -> None:\n    assert n == 0\n"
    )
    quarantine(app, "tests/test_racy.py::test_race", NEXT_MONTH)
    quarantine(app, SOMETIMES, NEXT_MONTH)
    tests = run_nox(app, "-s", "tests-3.12")
    assert tests.returncode == 0, tests
    summary = (app / "reports" / "summary-tests-3.12.md").read_text()
    assert "| `tests/test_racy.py::test_race` | 1 passed, 2 failed |" in summary
