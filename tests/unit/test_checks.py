from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.families.lint.family import NOTHING_CHECKED
from ci_sessions.verdicts import (
    all_passed,
    distribution_problem,
    path_problems,
    summary_markdown,
    tool_problem,
)


def test_all_passed_lists_every_failure() -> None:
    verdict = all_passed({"ruff": "exit 1", "black": None, "mypy": "exit 2"})
    assert not verdict.passed
    assert verdict.message == "failed: ruff (exit 1), mypy (exit 2)"


def test_all_passed_when_every_tool_passed() -> None:
    verdict = all_passed({"ruff": None, "mypy": None})
    assert verdict.passed
    assert verdict.message == "passed: ruff, mypy"


def test_an_advisory_tool_warns_and_never_fails() -> None:
    warns = all_passed({"ruff": None, "mypy": "exit 1"}, advisory=["mypy"])
    assert warns.passed and warns.warnings == ("mypy (exit 1, advisory)",)
    assert warns.message == "passed: ruff; warned: mypy (exit 1, advisory)"
    fails = all_passed({"ruff": "exit 1", "mypy": "exit 1"}, advisory=["mypy"])
    assert not fails.passed
    assert fails.message == "failed: ruff (exit 1); warned: mypy (exit 1, advisory)"
    clean = all_passed({"ruff": None, "mypy": None}, advisory=["mypy"])
    assert clean.passed and clean.warnings == ()
    table = summary_markdown("lint", {"ruff": None, "mypy": "exit 1"}, advisory=["mypy"])
    assert table.startswith("## lint: passed with warnings")
    assert "| mypy | warning: exit 1 (advisory) |" in table


def test_an_advisory_tool_that_does_not_run_is_a_configuration_error(tmp_path: Path) -> None:
    from ci_sessions.config import ConfigError
    from tests.unit.test_workflow import config_of

    with pytest.raises(ConfigError, match=r"lint-advisory: mypy is not among the lint tools"):
        config_of(tmp_path, 'lint-tools = ["ruff"]\nlint-advisory = ["mypy"]\n')


def test_no_tool_is_not_a_pass() -> None:
    assert not all_passed({}).passed


def test_path_problems(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "script.py").write_text("")
    problems = path_problems(tmp_path, ["pkg", "empty", "script.py", "gone"])
    assert problems == ["empty has no Python files", "gone does not exist"]


@pytest.mark.parametrize(
    ("tool", "output"),
    [
        ("ruff", "warning: No Python files found under the given path(s)\nAll checks passed!"),
        ("ruff-format", "warning: No Python files found under the given path(s)"),
        ("black", "No Python files are present to be formatted. Nothing to do 😴"),
    ],
)
def test_a_tool_that_checked_nothing_failed(tool: str, output: str) -> None:
    assert tool_problem(0, output, NOTHING_CHECKED[tool]) == (
        "checked no file: every path is excluded by the tool's settings or a .gitignore"
    )


def test_tool_problem_on_exit_status_and_real_pass() -> None:
    assert tool_problem(2, "") == "exit 2"
    assert tool_problem(0, "All checks passed!", NOTHING_CHECKED["ruff"]) is None


def test_distribution_problem() -> None:
    assert distribution_problem(["p-1.0.tar.gz", "p-1.0-py3-none-any.whl"]) is None
    assert (
        distribution_problem(["p-1.0.tar.gz"])
        == "expected one sdist and one wheel, got p-1.0.tar.gz"
    )
    assert distribution_problem([]) == "expected one sdist and one wheel, got nothing"


def test_summary_markdown() -> None:
    text = summary_markdown("lint", {"ruff": "exit 1", "mypy": None})
    assert text.startswith("## lint: FAILED\n")
    assert "| ruff | exit 1 |" in text and "| mypy | passed |" in text


def test_a_wheel_pypi_would_refuse_is_named() -> None:
    from ci_sessions.verdicts import wheel_platform_problem

    assert wheel_platform_problem("ext-1.0-cp313-cp313-linux_x86_64.whl") is not None
    assert "cibuildwheel" in (wheel_platform_problem("e-1-cp313-cp313-linux_aarch64.whl") or "")
    assert wheel_platform_problem("ext-1.0-cp313-cp313-manylinux_2_17_x86_64.whl") is None
    assert wheel_platform_problem("pure-1.0-py3-none-any.whl") is None
    assert wheel_platform_problem("pure-1.0.tar.gz") is None


def test_a_failure_budget_fails_above_max_warns_above_warn_and_passes_below() -> None:
    from ci_sessions.verdicts import failure_budget

    assert failure_budget(0, 40, 0.0, 0.0) == ("pass", "no test failed")
    assert failure_budget(1, 40, 0.0, 0.0) == (
        "fail",
        "1 of 40 tests failed (2.5%), above no failure budget",
    )
    assert failure_budget(5, 40, 0.10, 0.0) == (
        "fail",
        "5 of 40 tests failed (12.5%), above max-failure-rate 10.0%",
    )
    assert failure_budget(4, 40, 0.10, 0.0)[0] == "warn"  # exactly 10%: within
    assert failure_budget(1, 40, 0.10, 0.05) == (
        "pass",
        "1 of 40 tests failed (2.5%), within warn-failure-rate 5.0%",
    )
    assert failure_budget(3, 0, 0.5, 0.0)[0] == "fail"  # nothing ran: no share to accept


def test_a_warn_rate_above_the_max_rate_is_refused(tmp_path: Path) -> None:
    from ci_sessions.config import ConfigError
    from tests.unit.test_workflow import config_of

    with pytest.raises(ConfigError, match=r"warn-failure-rate 0.1 is above max-failure-rate"):
        config_of(tmp_path, "max-failure-rate = 0.05\nwarn-failure-rate = 0.10\n")
