"""A failure budget per suite (#28: 10% for the fast stage, 5% for the comprehensive one),
as nox runs the suite's session over a fake runner: within the budget the suite warns and
lists its failures, above it the suite fails; a warn level above the max is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_sessions.config import ConfigError
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    commands,
    make_session,
    project,
    pytest_writes,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest

SUITE = '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\nmax-failure-rate = 0.05\n'


def outcomes(failed: int, passed: int) -> list[dict[str, object]]:
    return [
        {"id": f"tests/test_a.py::test_{n}", "outcome": "failed" if n < failed else "passed"}
        for n in range(failed + passed)
    ]


def record(root: Path) -> dict[str, object]:
    return json.loads((root / "reports" / "pipeline.d" / "e2e.json").read_text())  # type: ignore[no-any-return]


def test_failures_within_the_suites_budget_warn(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, SUITE)
    commands.on("pytest", pytest_writes(1, outcomes(1, 39)))  # 2.5%
    registered(config, "e2e")(make_session(tmp_path / "s", name="e2e"))
    assert record(config.root)["status"] == "warn"


def test_failures_above_the_suites_budget_fail(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, SUITE)
    commands.on("pytest", pytest_writes(1, outcomes(3, 37)))  # 7.5%
    with pytest.raises(Quit, match=r"above max-failure-rate 5.0%"):
        registered(config, "e2e")(make_session(tmp_path / "s", name="e2e"))


def test_a_suite_without_a_budget_fails_on_one_failure(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path, '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\n')
    commands.on("pytest", pytest_writes(1, outcomes(1, 39)))
    with pytest.raises(Quit, match=r"1 of 40 tests failed"):
        registered(config, "e2e")(make_session(tmp_path / "s", name="e2e"))


@pytest.mark.parametrize("table", ["suites.e2e", "integration"])
def test_a_warn_level_above_the_max_is_refused(tmp_path: Path, table: str) -> None:
    keys = 'paths = ["tests"]\nmax-failure-rate = 0.05\nwarn-failure-rate = 0.10\n'
    with pytest.raises(ConfigError, match=r"warn-failure-rate 0.1 is above max-failure-rate"):
        project(tmp_path, f"[tool.ci_sessions.{table}]\n{keys}")
