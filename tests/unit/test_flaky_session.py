"""The flaky session as nox runs it, over a real nox.Session and a fake runner: each round's
pytest scripted (its seed, its outcomes), the analysis and its verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    Script,
    commands,
    make_session,
    project,
    pytest_writes,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest

OK = {"id": "tests/test_a.py::test_ok", "outcome": "passed", "seconds": 0.1, "phase": "call"}
RACY = "tests/test_a.py::test_racy"


def rounds(failing_in: set[int]) -> Script:
    """pytest whose test_racy fails in the rounds listed (the seed is the round number)."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        seed = int(next(a for a in argv if a.startswith("--randomly-seed=")).split("=")[1])
        assert env["CI_SESSIONS_FLAKY_RUN"] == str(seed)
        outcome = "failed" if seed in failing_in else "passed"
        racy = {"id": RACY, "outcome": outcome, "phase": "call", "message": "timing"}
        return pytest_writes(1 if seed in failing_in else 0, [OK, racy], data=False)(argv, env)

    return script


def flaky(config_table: str, tmp_path: Path) -> None:
    config = project(tmp_path, "[tool.ci_sessions.flaky]\nruns = 3\n" + config_table)
    registered(config, "flaky")(make_session(tmp_path / "s", name="flaky"))


def test_a_test_that_fails_in_some_rounds_is_flaky_and_fails_the_session(
    tmp_path: Path, commands: FakeCommands
) -> None:
    commands.on("pytest", rounds({2}))
    with pytest.raises(Quit, match=rf"flaky: {RACY} failed 1 of 3 runs"):
        flaky("", tmp_path)
    report = json.loads((tmp_path / "project" / "reports" / "flaky.json").read_text())
    assert [entry["id"] for entry in report["flaky"]] == [RACY]
    assert len(list((tmp_path / "project" / "reports" / "flaky").glob("junit-run-*.xml"))) == 3


def test_a_quarantined_flake_is_reported_and_does_not_gate(
    tmp_path: Path, commands: FakeCommands
) -> None:
    commands.on("pytest", rounds({1, 3}))
    quarantine = f'quarantine = [{{ id = "{RACY}", reason = "timing", expires = 2099-01-01 }}]\n'
    config = project(tmp_path, quarantine + "[tool.ci_sessions.flaky]\nruns = 3\n")
    registered(config, "flaky")(make_session(tmp_path / "s", name="flaky"))
    assert "timing" in (config.root / "reports" / "flaky.md").read_text()


def test_steady_tests_pass(tmp_path: Path, commands: FakeCommands) -> None:
    commands.on("pytest", rounds(set()))
    flaky("", tmp_path)


def test_a_quarantine_entry_no_test_matches_fails(tmp_path: Path, commands: FakeCommands) -> None:
    commands.on("pytest", rounds(set()))
    quarantine = 'quarantine = [{ id = "tests/x.py::gone", reason = "r", expires = 2099-01-01 }]\n'
    config = project(tmp_path, quarantine + "[tool.ci_sessions.flaky]\nruns = 2\n")
    with pytest.raises(Quit, match=r"quarantine: entries that match no test .*tests/x.py::gone"):
        registered(config, "flaky")(make_session(tmp_path / "s", name="flaky"))


def test_a_round_that_ran_nothing_fails_it(tmp_path: Path, commands: FakeCommands) -> None:
    commands.on("pytest", pytest_writes(5, [], data=False))
    with pytest.raises(Quit, match=r"flaky, run 1: pytest collected no tests from tests"):
        flaky("", tmp_path)
