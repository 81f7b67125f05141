"""The pipeline report's records, merge and table, over plain files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions import pipeline_report
from ci_sessions.pipeline_report import Record, markdown, merge, status_of


def test_the_status_of_a_session() -> None:
    assert status_of(False, False, []) == "pass"
    assert status_of(False, False, ["coverage below warn-under"]) == "warn"
    assert status_of(True, False, ["a warning"]) == "fail"
    assert status_of(False, True, []) == "skipped"


def test_a_record_is_written_and_only_this_runs_records_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "7")
    pipeline_report.begin()
    pipeline_report.figure("total", "91.50%")
    pipeline_report.warned("total 91.50% is below warn-under 95%")
    record = pipeline_report.finish(
        tmp_path, "coverage", ["pr"], 1.234, failed=False, skipped=False
    )
    assert record.status == "warn" and record.run == "github-7-1" and record.seconds == 1.23
    monkeypatch.setenv("GITHUB_RUN_ID", "6")  # an earlier run's leftover
    pipeline_report.begin()
    pipeline_report.finish(tmp_path, "lint", ["pr"], 2.0, failed=True, skipped=False, reason="x")
    assert [r.session for r in merge(tmp_path, "github-7-1")] == ["coverage"]
    # A half-written record (a cancelled session) is not a record.
    (tmp_path / "pipeline.d" / "broken.json").write_text("{")
    assert len(pipeline_report.read_records(tmp_path)) == 2


def test_the_table_says_each_verdict_and_lists_absent_pythons() -> None:
    records = [
        Record("lint", ("pr",), "warn", 3.0, "r", warnings=("lint: mypy (exit 1, advisory)",)),
        Record(
            "tests-3.12",
            ("pr",),
            "fail",
            9.5,
            "r",
            reason="pytest failed (exit 1)",
            figures={"passed": 3, "failed": 1},
        ),
    ]
    table = markdown(records, absent=["tests-3.14"])
    assert table.startswith("## Pipeline: FAILED\n")
    assert "| lint | pr | passed with warnings | 3.0 | - |" in table
    assert (
        "| tests-3.12 | pr | FAILED: pytest failed (exit 1) | 9.5 | passed 3, failed 1 |" in table
    )
    assert "| tests-3.14 | - | skipped: its Python does not start here | - | - |" in table
    assert "### lint: warnings" in table


def test_a_job_that_wrote_no_record_counts_by_its_result() -> None:
    recorded = [Record("tests-3.13", ("pr",), "pass", 3.0, "run-1")]
    jobs = {
        "tests": {"result": "success", "outputs": {}},
        "docs": {"result": "failure", "outputs": {}},  # the project's own session
        "e2e": {"result": "skipped", "outputs": {}},
    }
    found = pipeline_report.unrecorded_jobs(jobs, recorded, "run-1")
    assert [(r.session, r.status) for r in found] == [("docs", "fail"), ("e2e", "skipped")]
    table = markdown([*recorded, *found])
    assert table.startswith("## Pipeline: FAILED\n")  # was: passed, the own job left out
    assert "| docs | - | FAILED: the job ended in failure; it wrote no record of its own |" in table


def test_a_failure_of_a_warn_stage_is_a_warning_that_says_it_let_the_next_run() -> None:
    records = [
        Record("tests-3.12", ("fast",), "fail", 3.0, "r", "2 of 40 tests failed"),
        Record("tests-3.13", ("fast",), "pass", 3.0, "r"),
        Record("security", ("full",), "fail", 1.0, "r", "1 advisory"),
        Record("testsuite", ("x",), "fail", 1.0, "r", "not the tests job"),
    ]
    found = {r.session: r for r in pipeline_report.let_through(records, ["tests"])}
    assert found["tests-3.12"].status == "warn"
    assert found["tests-3.12"].warnings == (f"{pipeline_report.LET_THROUGH}: 2 of 40 tests failed",)
    assert found["tests-3.13"].status == "pass"
    assert found["security"].status == found["testsuite"].status == "fail"
    shown = markdown(found.values())
    assert shown.startswith("## Pipeline: FAILED")  # security still failed
    assert "| tests-3.12 | fast | passed with warnings |" in shown
    assert "on-failure = warn let the stages after it run" in shown
