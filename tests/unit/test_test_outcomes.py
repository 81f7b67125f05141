"""Reading the plugin's outcomes, and the tests sessions' summaries, over plain data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ci_sessions.config import Waiver
from ci_sessions.test_outcomes import (
    Case,
    counts,
    expired,
    expired_message,
    quarantine_entry,
    read_outcomes,
    read_outcomes_file,
    real_outcome,
    slowest,
    summary_markdown,
)

DOCUMENT = {
    "exitstatus": 1,
    "tests": [
        {"id": "tests/test_a.py::test_ok", "outcome": "passed", "seconds": 0.01, "line": 3},
        {
            "id": "tests/test_a.py::TestChild::test_inherited",
            "outcome": "failed",
            "seconds": 0.2,
            "message": "AssertionError: assert 1 == 2",
            "file": "tests/test_a.py",
            "line": 12,
        },
        {"id": "tests/test_a.py::test_slow[2-3]", "outcome": "passed", "seconds": 1.5},
        {"id": "tests/test_a.py::test_skip", "outcome": "skipped", "message": "not today"},
        {"id": "tests/test_a.py::test_known_bug", "outcome": "xfailed", "seconds": 0.0},
        {"id": "tests/test_a.py::test_setup_broke", "outcome": "error", "message": "fixture"},
    ],
}


def test_read_outcomes_keeps_pytest_s_own_ids() -> None:
    outcomes = read_outcomes(DOCUMENT)
    assert outcomes.exitstatus == 1
    assert [(c.id, c.outcome) for c in outcomes.cases][:2] == [
        ("tests/test_a.py::test_ok", "passed"),
        ("tests/test_a.py::TestChild::test_inherited", "failed"),
    ]
    assert outcomes.cases[1] == Case(
        "tests/test_a.py::TestChild::test_inherited",
        "failed",
        0.2,
        "AssertionError: assert 1 == 2",
        "tests/test_a.py",
        12,
    )
    assert [c.id for c in slowest(outcomes.cases, 2)] == [
        "tests/test_a.py::test_slow[2-3]",
        "tests/test_a.py::TestChild::test_inherited",
    ]


def test_a_missing_file_means_pytest_ended_early(tmp_path: Path) -> None:
    assert read_outcomes_file(tmp_path / "none.json") is None


def test_counts_keep_xfailed_and_errors_apart_from_skips() -> None:
    assert counts(read_outcomes(DOCUMENT).cases) == {
        "passed": 2,
        "failed": 1,
        "error": 1,
        "skipped": 1,
        "xfailed": 1,
    }


def test_a_quarantined_test_s_xfail_is_ours() -> None:
    case = Case("t", "xfailed", 0.1)
    assert real_outcome(case, ["t"]) == "failed"
    assert real_outcome(case, []) == "xfailed"
    assert real_outcome(Case("t", "xpassed", 0.1), ["t"]) == "passed"


def test_one_entry_without_parameters_holds_every_parametrization() -> None:
    """#29: a racy parametrized test (12 IDs) could not be quarantined in one entry."""
    entries = ["tests/a.py::test_race", "tests/a.py::test_one[x]"]
    assert quarantine_entry("tests/a.py::test_race[3-thread]", entries) == "tests/a.py::test_race"
    assert quarantine_entry("tests/a.py::test_one[x]", entries) == "tests/a.py::test_one[x]"
    assert quarantine_entry("tests/a.py::test_one[y]", entries) is None
    assert quarantine_entry("tests/a.py::test_race_other", entries) is None
    cases = [
        Case("tests/a.py::test_race[1]", "xfailed", 0.1),
        Case("tests/a.py::test_race[2]", "xpassed", 0.1),
        Case("tests/a.py::test_race[3]", "xfailed", 0.1),
    ]
    shown = summary_markdown(
        "tests-3.13", cases, slow_count=0, quarantine={"tests/a.py::test_race": "racy, #12"}
    )
    assert "| `tests/a.py::test_race` | 1 passed, 2 failed | racy, #12 |" in shown
    assert "### Failed" not in shown


def test_expiry() -> None:
    entries = [Waiver("a", "r", date(2026, 1, 1)), Waiver("b", "r", date(2027, 1, 1))]
    old = expired(entries, date(2026, 6, 1))
    assert old == [entries[0]]
    assert expired_message(old, "f: [tool.ci_sessions] quarantine") == (
        "f: [tool.ci_sessions] quarantine entries past their expiry: a (expired 2026-01-01); "
        "renew the date or remove the entry"
    )


def test_summary_names_failures_and_counts_xfails_apart() -> None:
    quarantined = Case("tests/test_a.py::test_quarantined", "xfailed", 0.1, "flaky | pipe")
    cases = [*read_outcomes(DOCUMENT).cases, quarantined]
    text = summary_markdown(
        "tests-3.12",
        cases,
        slow_count=1,
        quarantine={"tests/test_a.py::test_quarantined": "issue 7", "tests/gone.py::t": "x"},
    )
    assert "2 passed, 1 failed, 1 error, 1 skipped, 2 xfailed." in text
    assert (
        "| `tests/test_a.py::TestChild::test_inherited` | failed | "
        "AssertionError: assert 1 == 2 |" in text
    )
    assert "| `tests/test_a.py::test_setup_broke` | error | fixture |" in text
    assert "| `tests/test_a.py::test_quarantined` | failed | issue 7 |" in text
    assert "| `tests/gone.py::t` | not run | x |" in text
    assert "### Slowest 1" in text and "| 1.50 |" in text


def test_a_summary_of_a_clean_run_lists_no_failure() -> None:
    text = summary_markdown("tests", [Case("t", "passed", 0.1)], slow_count=0, quarantine={})
    assert "1 passed." in text and "### Failed" not in text
