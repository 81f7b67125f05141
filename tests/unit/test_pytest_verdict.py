"""The verdict on a pytest run, over plain data: every way a run fails, and passes."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from ci_sessions.pytest_verdict import RunFacts, ended_early, judge
from ci_sessions.test_outcomes import Case, Outcomes, Progress, read_progress

OK = Case("tests/test_a.py::test_ok", "passed", 0.1, phase="call")
FAILED = Case("tests/test_a.py::test_bad", "failed", 0.1, "assert 1 == 2", phase="call")
SKIPPED = Case("tests/test_a.py::test_skip", "skipped", 0.0, "no db", phase="setup")
NOT_RUN_XFAIL = Case("tests/test_a.py::test_later", "xfailed", 0.0, phase="setup")


def facts(status: int, *cases: Case, **changes: object) -> RunFacts:
    fields: dict[str, object] = {
        "status": status,
        "outcomes": Outcomes(status, cases, **changes.pop("run", {})),  # type: ignore[arg-type]
        "junit": Path("reports/junit-tests-3.13.xml"),
        "data": Path("reports/coverage-data/.coverage.py3.13"),
        "paths": "tests",
        "paths_ref": "pyproject.toml: [tool.ci_sessions] test-paths",
    }
    fields.update(changes)
    return RunFacts(**fields)  # type: ignore[arg-type]


def test_a_clean_run_passes_with_its_counts() -> None:
    judgement = judge(facts(0, OK, SKIPPED))
    assert judgement.passed, judgement
    assert judgement.message == "1 passed, 1 skipped"


def test_a_failed_test_fails_whatever_exit_status_a_hook_left() -> None:
    judgement = judge(facts(0, OK, FAILED))
    assert not judgement.passed
    assert "1 of 2 tests failed (50.0%), above no failure budget: tests/test_a.py::test_bad" in (
        judgement.message
    )
    assert "pytest exited 0 all the same" in judgement.message
    assert judgement.failing == (FAILED,)


def test_a_report_rewritten_to_passed_is_the_failure_it_was() -> None:
    rewritten = Case(FAILED.id, "failed", 0.1, "rewritten", phase="call", rewritten="passed")
    judgement = judge(facts(0, OK, rewritten))
    assert not judgement.passed
    assert f"{FAILED.id} (failed; a hook rewrote its report to passed)" in judgement.message
    # pytest exited 0 because of the rewrite, not because a hook changed the status.
    assert "exited 0 all the same" not in judgement.message


@pytest.mark.parametrize(
    ("run", "words"),
    [
        ({"collect_only": True}, "pytest only collected the tests"),
        ({"setup_only": True}, "pytest only set the tests up"),
        (
            {"collection_errors": (("tests/test_b.py", "ImportError: no module x"),)},
            "1 error(s) collecting tests: tests/test_b.py: ImportError: no module x",
        ),
        ({"stopped": "stopping after 1 failures"}, "pytest stopped before its end"),
    ],
)
def test_a_run_that_ran_nothing_or_stopped_early_fails(run: dict[str, object], words: str) -> None:
    judgement = judge(facts(0, OK, run=run))
    assert not judgement.passed
    assert words in judgement.message


def test_pytest_exit_names_where_the_run_stopped_and_not_a_missing_data_file() -> None:
    unfinished = Case("tests/test_a.py::test_exit", "unfinished", 0.0)
    judgement = judge(
        facts(
            0,
            OK,
            unfinished,
            run={"interrupted": "pytest.exit('leaving')"},
            data_written=False,
        )
    )
    assert not judgement.passed
    assert judgement.message == (
        "the run was stopped before its end by pytest.exit('leaving') inside "
        "tests/test_a.py::test_exit, after 1 test(s) reported: the tests after it never ran"
    )


def test_nothing_collected_names_the_paths_and_the_key() -> None:
    judgement = judge(facts(5))
    assert judgement.message == (
        "pytest collected no tests from tests; check pyproject.toml: [tool.ci_sessions] "
        "test-paths and the -k/-m options given"
    )


def test_affected_selection_leaving_every_test_out_passes() -> None:
    judgement = judge(facts(5, deselected_all=True, data=None))
    assert judgement.passed, judgement
    assert judgement.message == "no test is affected by the change"


def test_every_test_skipped_fails_by_default_and_warns_when_meant() -> None:
    failed = judge(facts(0, SKIPPED, NOT_RUN_XFAIL))
    assert not failed.passed
    assert "every test was skipped (1 skipped, 1 xfail(run=False) not run)" in failed.message
    assert 'set all-skipped = "warn"' in failed.message
    warned = judge(facts(0, SKIPPED, NOT_RUN_XFAIL, all_skipped="warn"))
    assert warned.passed
    assert warned.warnings == (
        "every test was skipped (1 skipped, 1 xfail(run=False) not run): nothing was checked "
        '(all-skipped = "warn")',
    )


def test_an_xfail_that_ran_checked_something() -> None:
    ran = Case("tests/test_a.py::test_known", "xfailed", 0.0, phase="call")
    assert judge(facts(0, ran, SKIPPED)).passed


def test_selected_tests_that_never_reported_fail() -> None:
    judgement = judge(facts(0, OK, run={"selected": 3}))
    assert "2 of the 3 selected tests never reported an outcome" in judgement.message


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (1, "pytest exited 1 (tests failed) but no test reported a failure"),
        (3, "pytest exit 3: pytest hit an internal error"),
        (-signal.SIGSEGV, "pytest exit -11: killed by SIGSEGV"),
    ],
)
def test_an_exit_status_the_outcomes_do_not_explain_fails(status: int, words: str) -> None:
    judgement = judge(facts(status, OK))
    assert not judgement.passed
    assert words in judgement.message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"junit_written": False}, "pytest wrote no JUnit report to reports/junit-tests-3.13.xml"),
        ({"data_written": False}, "pytest wrote no coverage data to reports/coverage-data"),
    ],
)
def test_a_promised_file_that_is_missing_fails(changes: dict[str, object], words: str) -> None:
    judgement = judge(facts(0, OK, **changes))
    assert not judgement.passed
    assert words in judgement.message


def test_a_failure_budget_warns_within_and_fails_above() -> None:
    cases = [OK] * 9 + [FAILED]
    within = judge(facts(1, *cases, budget=(0.2, 0.05)))
    assert within.passed
    assert within.level == "warning"
    assert within.warnings == ("1 of 10 tests failed (10.0%), within max-failure-rate 20.0%",)
    above = judge(facts(1, *cases, budget=(0.05, 0.0)))
    assert not above.passed
    assert "above max-failure-rate 5.0%" in above.message


def test_quarantined_failures_do_not_gate() -> None:
    judgement = judge(facts(0, OK, FAILED, quarantined=frozenset({FAILED.id})))
    assert judgement.passed, judgement


def test_flaky_rounds_measure_failures_but_not_an_empty_run() -> None:
    assert judge(facts(1, OK, FAILED, failures_measured=True)).passed
    assert not judge(facts(5, failures_measured=True)).passed


def test_a_run_killed_after_some_tests_says_where_it_ended() -> None:
    progress = Progress(
        started=("t::a", "t::b", "t::c"), reported={"t::a": "passed", "t::b": "failed"}
    )
    judgement = judge(RunFacts(status=-signal.SIGKILL, outcomes=None, progress=progress))
    assert not judgement.passed
    assert judgement.message.startswith(
        "pytest ended before writing its report (killed by SIGKILL), while running t::c; "
        "2 test(s) had reported (1 passed, 1 failed)"
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (0, "pytest ended before writing its report (exit 0) and before any test started"),
        (4, "pytest ended (exit 4: a usage error: a bad option, path or plugin) before any test"),
        (-signal.SIGTERM, "pytest ended (killed by SIGTERM) before any test started"),
    ],
)
def test_a_run_that_ended_before_any_test_says_so(status: int, words: str) -> None:
    assert words in ended_early(status, Progress())


def test_progress_lines_cut_short_by_a_dying_process_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.json.progress"
    path.write_text(
        '{"start": "t::a"}\n{"id": "t::a", "outcome": "passed"}\n{"start": "t::b"}\n{"id": "t::'
    )
    progress = read_progress(path)
    assert progress.started == ("t::a", "t::b")
    assert progress.reported == {"t::a": "passed"}
    assert progress.running == "t::b"
    assert read_progress(tmp_path / "none") == Progress()


def test_an_internal_error_names_the_os_error_behind_it() -> None:
    tail = (
        'INTERNALERROR>   File "/v/lib/python3.13/site-packages/_pytest/junitxml.py"\n'
        "INTERNALERROR> OSError: [Errno 28] No space left on device\n"
    )
    judgement = judge(facts(3, OK, output_tail=tail))
    assert judgement.message == (
        "pytest exit 3: pytest hit an internal error (OSError: [Errno 28] No space left on device)"
    )
