"""End-to-end: one pipeline report, from every session's record of the same run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import RunNox, add_config

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


def sessions(project: Path) -> dict[str, dict[str, object]]:
    merged = json.loads((project / "reports" / "pipeline.json").read_text())
    return {record["session"]: record for record in merged["sessions"]}


def test_a_clean_run_reports_every_session_with_its_figures(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "lint", "tests-3.13", "report")
    assert result.returncode == 0, result
    found = sessions(sample)
    assert set(found) == {"lint", "tests-3.13"}
    assert found["lint"]["status"] == "pass" and found["lint"]["tiers"] == [
        "smoke",
        "pr",
        "nightly",
    ]
    assert found["tests-3.13"]["status"] == "pass"
    assert found["tests-3.13"]["figures"] == {"passed": 4}
    assert float(str(found["tests-3.13"]["seconds"])) > 0
    table = (sample / "reports" / "pipeline.md").read_text()
    assert table.startswith("## Pipeline: passed\n")
    assert "| tests-3.13 | pr, nightly | passed |" in table and "| passed 4 |" in table
    # A later run's report never takes these records for its own.
    alone = run_nox(sample, "-s", "report")
    assert alone.returncode != 0, alone
    assert "report: no session of this run wrote a record" in alone.output


def test_a_failure_and_a_warning_each_keep_their_own_verdict(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\nlint-advisory = ["mypy"]')
    (sample / "src" / "sample" / "extra.py").write_text('def broken() -> int:\n    return "x"\n')
    (sample / "tests" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    result = run_nox(sample, "-s", "lint", "tests-3.13", "report")
    assert result.returncode != 0, result  # the tests failed; the report still ran
    found = sessions(sample)
    assert found["lint"]["status"] == "warn"
    assert found["lint"]["warnings"] == ["lint: mypy (exit 1, advisory)"]
    assert found["tests-3.13"]["status"] == "fail"
    assert "1 of 5 tests failed" in str(found["tests-3.13"]["reason"])
    assert found["tests-3.13"]["figures"] == {"passed": 4, "failed": 1}
    table = (sample / "reports" / "pipeline.md").read_text()
    assert table.startswith("## Pipeline: FAILED\n")
    assert "| lint | smoke, pr, nightly | passed with warnings |" in table
    assert "### lint: warnings" in table
