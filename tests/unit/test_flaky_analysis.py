"""Flaky analysis over plain data: runs of outcomes in, flaky and broken tests out."""

from __future__ import annotations

from ci_sessions.families.flaky.analysis import analyse_runs, flaky_markdown, unknown_ids
from ci_sessions.test_outcomes import Case


def run(*outcomes: tuple[str, str]) -> list[Case]:
    return [Case(test_id, outcome, 0.1, f"{test_id} broke") for test_id, outcome in outcomes]


RUNS = [
    run(("a", "passed"), ("flaky", "failed"), ("broken", "failed"), ("skips", "skipped")),
    run(("a", "passed"), ("flaky", "passed"), ("broken", "error"), ("skips", "passed")),
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
    # Under quarantine the plugin marks them xfail: their real outcome still counts.
    runs = [
        run(("flaky", "xfailed"), ("broken", "xfailed")),
        run(("flaky", "xpassed"), ("broken", "xfailed")),
    ]
    report = analyse_runs(runs, ["flaky", "broken"])
    assert report.failures == []
    assert report.flaky[0].quarantined and report.flaky[0].failures == 1
    text = flaky_markdown(report)
    assert text.startswith("## Flaky tests: passed")
    assert "| `flaky` | 50% | 1/2 | yes | flaky broke |" in text


def test_a_test_s_own_xfail_is_not_a_failure() -> None:
    report = analyse_runs([run(("known", "xfailed")), run(("known", "xfailed"))], [])
    assert report.failures == [] and report.always_failing == ()


def test_a_stable_suite() -> None:
    report = analyse_runs([run(("a", "passed"))] * 3, [])
    assert report.failures == [] and report.flaky == ()
    assert "No test changed outcome between runs." in flaky_markdown(report)


def test_unknown_quarantine_ids() -> None:
    assert unknown_ids(["a", "gone"], RUNS) == ["gone"]


def test_a_pass_after_a_retry_is_flaky_evidence_not_a_clean_pass() -> None:
    from ci_sessions.test_outcomes import Case

    retried = Case("t.py::test_net", "passed", 0.1, reruns=1, retry_message="timeout")
    clean = Case("t.py::test_net", "passed", 0.1)
    report = analyse_runs([[retried], [clean], [clean]], quarantined=[])
    assert [(f.id, f.failures, f.runs, f.first_failure) for f in report.flaky] == [
        ("t.py::test_net", 1, 3, "timeout")
    ]
    assert retried.passed_after_retry and not clean.passed_after_retry
