"""Security verdicts over data shaped like bandit's and safety's JSON reports."""

from __future__ import annotations

from datetime import date

from ci_sessions.config import Waiver
from ci_sessions.families.security.gate import (
    SecurityResult,
    apply_ignores,
    bandit_findings,
    bandit_problems,
    safety_problems,
    safety_vulnerabilities,
    summary_markdown,
)

BANDIT = {
    "errors": [],
    "metrics": {"_totals": {"loc": 42}},
    "results": [
        {
            "filename": "src/app/calc.py",
            "line_number": 2,
            "test_id": "B307",
            "issue_severity": "MEDIUM",
            "issue_confidence": "HIGH",
            "issue_text": "Use of possibly insecure function.",
        }
    ],
}

SAFETY = {
    "report_meta": {"packages_found": 3},
    "vulnerabilities": [
        {
            "package_name": "requests",
            "analyzed_version": "2.19.1",
            "vulnerability_id": "PYSEC-2018-28",
            "fixed_versions": ["2.20.0"],
            "advisory": "Requests before 2.20.0 ...",
            "CVE": "CVE-2018-18074",
        },
        {
            "package_name": "idna",
            "analyzed_version": "2.7",
            "vulnerability_id": "PYSEC-2024-60",
            "fixed_versions": ["3.7"],
            "advisory": "idna ...",
            "CVE": None,
        },
    ],
}

TODAY = date(2026, 11, 23)


def test_bandit_findings_and_a_clean_run() -> None:
    [finding] = bandit_findings(BANDIT)
    assert (finding.file, finding.line, finding.test_id, finding.severity) == (
        "src/app/calc.py",
        2,
        "B307",
        "medium",
    )
    assert bandit_problems(BANDIT) == []


def test_bandit_problems_that_exit_zero() -> None:
    report = {
        "errors": [{"filename": "src/app/broken.py", "reason": "syntax error"}],
        "metrics": {"_totals": {"loc": 0}},
        "results": [],
    }
    assert bandit_problems(report) == [
        "bandit could not scan src/app/broken.py: syntax error",
        "bandit scanned no line of code: check bandit-paths and [tool.bandit] exclude_dirs",
    ]


def test_safety_vulnerabilities_sorted_with_aliases() -> None:
    found = safety_vulnerabilities(SAFETY)
    assert [(v.package, v.id, v.aliases) for v in found] == [
        ("idna", "PYSEC-2024-60", ()),
        ("requests", "PYSEC-2018-28", ("CVE-2018-18074",)),
    ]
    assert found[1].as_dict()["fixed_versions"] == ["2.20.0"]


def test_safety_problems() -> None:
    assert safety_problems(SAFETY, 3) == []
    assert safety_problems({"report_meta": {"packages_found": 0}}, 3) == [
        "safety scanned no package: it read none of the resolved dependencies"
    ]
    assert safety_problems(SAFETY, 5) == ["safety scanned 3 of 5 resolved dependencies"]


def test_ignores_by_id_or_alias_until_they_expire() -> None:
    vulnerabilities = safety_vulnerabilities(SAFETY)
    by_alias = Waiver("CVE-2018-18074", "internal hosts only", date(2026, 12, 31))
    outcome = apply_ignores(vulnerabilities, [by_alias], TODAY)
    assert [v.id for v in outcome.active] == ["PYSEC-2024-60"]
    assert [(v.id, e.reason) for v, e in outcome.ignored] == [
        ("PYSEC-2018-28", "internal hosts only")
    ]
    expired = Waiver("PYSEC-2018-28", "internal hosts only", date(2026, 11, 22))
    outcome = apply_ignores(vulnerabilities, [expired], TODAY)
    assert len(outcome.active) == 2
    assert outcome.expired == (expired,)
    result = SecurityResult((), (), outcome)
    assert "ignore entry PYSEC-2018-28 expired on 2026-11-22" in result.failures[1]


def test_an_ignore_without_expiry_holds() -> None:
    entry = Waiver("PYSEC-2024-60", "not reachable")
    outcome = apply_ignores(safety_vulnerabilities(SAFETY), [entry], TODAY)
    assert [v.id for v in outcome.active] == ["PYSEC-2018-28"]
    assert outcome.expired == ()


def test_verdict_and_summary() -> None:
    outcome = apply_ignores(
        safety_vulnerabilities(SAFETY), [Waiver("PYSEC-2024-60", "not reachable")], TODAY
    )
    result = SecurityResult(
        ("bandit could not scan x.py: syntax error",), tuple(bandit_findings(BANDIT)), outcome
    )
    assert not result.passed
    assert result.failures == [
        "bandit could not scan x.py: syntax error",
        "bandit: 1 finding(s)",
        "safety: 1 known vulnerability",
    ]
    text = summary_markdown(result, scanned_packages=3)
    assert text.startswith("## Security: FAILED")
    assert "| `src/app/calc.py` | 2 | B307 | medium | high |" in text
    assert "| requests | 2.19.1 | PYSEC-2018-28 | 2.20.0 |" in text
    assert "- idna 2.7: PYSEC-2024-60, not reachable" in text
    assert "### Dependencies (3 scanned)" in text


def test_a_clean_result_passes() -> None:
    result = SecurityResult((), (), apply_ignores([], [], TODAY))
    assert result.passed
    assert "No known vulnerability." in summary_markdown(result, scanned_packages=7)


def test_findings_below_the_failing_levels_are_warnings() -> None:
    from ci_sessions.families.security.gate import CodeFinding, split_findings

    def finding(severity: str, confidence: str) -> CodeFinding:
        return CodeFinding("a.py", 1, "B000", severity, confidence, "text")

    found = [finding("low", "high"), finding("medium", "low"), finding("high", "medium")]
    failing, warning = split_findings(found, "medium", "medium")
    assert failing == [found[2]]
    assert warning == [found[0], found[1]]


def test_a_warn_level_not_below_the_failing_one_is_refused(tmp_path) -> None:
    import pytest

    from ci_sessions.config import ConfigError
    from tests.unit.test_workflow import config_of

    with pytest.raises(ConfigError, match=r"bandit-warn-severity 'high' is not below"):
        config_of(tmp_path, '[tool.ci_sessions.security]\nbandit-warn-severity = "high"\n')
