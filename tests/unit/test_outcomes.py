"""JUnit parsing, flaky analysis and summaries over plain data."""

from __future__ import annotations

from datetime import date

import pytest

from ci_sessions.config import Waiver
from ci_sessions.outcomes import (
    Case,
    analyse_runs,
    expired,
    expired_message,
    flaky_markdown,
    node_id,
    read_junit,
    slowest,
    summary_markdown,
    unknown_ids,
)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="3" time="0.010"/>
<testcase classname="tests.test_a.TestGroup" name="test_in_class[2-3]" file="tests/test_a.py"
  time="1.500"/>
<testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" time="0.200">
  <failure message="AssertionError: assert 1 == 2&#10;more">trace</failure></testcase>
<testcase classname="tests.test_a" name="test_skip" file="tests/test_a.py" time="0">
  <skipped message="not today"/></testcase>
</testsuite></testsuites>"""


@pytest.mark.parametrize(
    ("file", "classname", "name", "expected"),
    [
        ("tests/test_a.py", "tests.test_a", "test_x", "tests/test_a.py::test_x"),
        (
            "tests/test_a.py",
            "tests.test_a.TestA.TestB",
            "test_x",
            "tests/test_a.py::TestA::TestB::test_x",
        ),
        ("test_top.py", "test_top", "test_x[1]", "test_top.py::test_x[1]"),
    ],
)
def test_node_id(file: str, classname: str, name: str, expected: str) -> None:
    assert node_id(file, classname, name) == expected


def test_read_junit() -> None:
    cases = read_junit(JUNIT)
    assert [(c.id, c.outcome) for c in cases] == [
        ("tests/test_a.py::test_ok", "passed"),
        ("tests/test_a.py::TestGroup::test_in_class[2-3]", "passed"),
        ("tests/test_a.py::test_bad", "failed"),
        ("tests/test_a.py::test_skip", "skipped"),
    ]
    assert cases[2].message == "AssertionError: assert 1 == 2"
    assert [c.id for c in slowest(cases, 2)] == [
        "tests/test_a.py::TestGroup::test_in_class[2-3]",
        "tests/test_a.py::test_bad",
    ]


def run(*outcomes: tuple[str, str]) -> list[Case]:
    return [Case(test_id, outcome, 0.1, f"{test_id} broke") for test_id, outcome in outcomes]


RUNS = [
    run(("a", "passed"), ("flaky", "failed"), ("broken", "failed"), ("skips", "skipped")),
    run(("a", "passed"), ("flaky", "passed"), ("broken", "failed"), ("skips", "passed")),
    run(("a", "passed"), ("flaky", "failed"), ("broken", "failed"), ("skips", "skipped")),
    run(("a", "passed"), ("flaky", "passed"), ("broken", "failed"), ("skips", "passed")),
]


def test_mixed_outcomes_are_flaky_and_constant_failures_are_broken() -> None:
    report = analyse_runs(RUNS, [])
    [flake] = report.flaky
    assert (flake.id, flake.runs, flake.failures, flake.failure_rate) == ("flaky", 4, 2, 0.5)
    assert flake.first_failure == "flaky broke"
    assert [f.id for f in report.always_failing] == ["broken"]
    assert report.tests == 4
    assert report.failures == ["flaky: flaky failed 2 of 4 runs", "failing in every run: broken"]


def test_quarantined_tests_are_reported_but_do_not_fail() -> None:
    report = analyse_runs(RUNS, ["flaky", "broken"])
    assert report.failures == []
    assert report.flaky[0].quarantined
    text = flaky_markdown(report)
    assert text.startswith("## Flaky tests: passed")
    assert "| `flaky` | 50% | 2/4 | yes | flaky broke |" in text


def test_a_stable_suite() -> None:
    report = analyse_runs([run(("a", "passed"))] * 3, [])
    assert report.failures == [] and report.flaky == ()
    assert "No test changed outcome between runs." in flaky_markdown(report)


def test_unknown_quarantine_ids() -> None:
    assert unknown_ids(["a", "gone"], RUNS) == ["gone"]


def test_expiry() -> None:
    entries = [Waiver("a", "r", date(2026, 1, 1)), Waiver("b", "r", date(2027, 1, 1))]
    old = expired(entries, date(2026, 6, 1))
    assert old == [entries[0]]
    assert expired_message(old, "f: [tool.ci_sessions] quarantine") == (
        "f: [tool.ci_sessions] quarantine entries past their expiry: a (expired 2026-01-01); "
        "renew the date or remove the entry"
    )


def test_summary_markdown() -> None:
    cases = read_junit(JUNIT)
    text = summary_markdown(
        "tests-3.12",
        cases,
        slow_count=1,
        quarantine={"tests/test_a.py::test_bad": "issue 7", "tests/test_a.py::test_gone": "x"},
        quarantine_outcomes={"tests/test_a.py::test_bad": "failed"},
    )
    assert "2 passed, 1 failed, 1 skipped." in text
    assert "| `tests/test_a.py::test_bad` | failed | issue 7 |" in text
    assert "| `tests/test_a.py::test_gone` | not run | x |" in text
    assert "### Slowest 1" in text and "| 1.50 |" in text
