"""The coverage gate's decisions over plain data shaped like coverage.py's JSON."""

from __future__ import annotations

from typing import Any

import pytest

from ci_sessions.config.resolve import resolve_fail_under
from ci_sessions.families.coverage.gate import (
    data_problems,
    evaluate,
    patch_from_diff_cover,
    summary_markdown,
    worst_files,
)
from ci_sessions.families.coverage.settings import COVERAGE, CoverageConfig


def coverage_settings(**fields: Any) -> CoverageConfig:
    """The coverage section's defaults, with these fields set (as the loader builds it)."""
    settings: CoverageConfig = COVERAGE.make(fields)
    return settings


def report(total: float, files: dict[str, tuple[float, list[int]]]) -> dict[str, Any]:
    return {
        "totals": {"percent_covered": total},
        "files": {
            name: {"summary": {"percent_covered": percent}, "missing_lines": missing}
            for name, (percent, missing) in files.items()
        },
    }


REPORT = report(
    87.5,
    {
        "src/pkg/core/a.py": (100.0, []),
        "src/pkg/core/b.py": (92.0, [7, 8, 9, 12]),
        "src/pkg/cli.py": (61.25, [3, 4]),
    },
)


def test_total_just_under_and_just_over() -> None:
    assert evaluate(REPORT, coverage_settings(), fail_under=87.49).passed
    assert evaluate(REPORT, coverage_settings(), fail_under=87.5).passed
    result = evaluate(REPORT, coverage_settings(), fail_under=87.51)
    assert not result.passed
    assert [m.kind for m in result.misses] == ["total"]
    assert result.misses[0].message == ("total 87.50% is below fail-under 87.51% (short by 0.01)")


def test_no_threshold_passes_on_any_total() -> None:
    assert evaluate(report(3.0, {}), coverage_settings(), fail_under=None).passed


def test_every_module_miss_is_listed_with_its_figure() -> None:
    config = coverage_settings(modules=(("src/pkg/core/*", 95.0), ("src/pkg/cli.py", 60.0)))
    result = evaluate(REPORT, config, fail_under=80)
    assert [m.message for m in result.misses] == [
        "src/pkg/core/b.py: 92.00% is below 95% (modules entry 'src/pkg/core/*')"
    ]


def test_a_modules_glob_that_matches_nothing_fails() -> None:
    result = evaluate(REPORT, coverage_settings(modules=(("src/gone/*", 50.0),)), fail_under=None)
    assert [m.message for m in result.misses] == [
        "modules entry 'src/gone/*' matches no measured file"
    ]


def test_warn_under_is_a_third_outcome_between_failing_and_passing() -> None:
    """The policy "fails under 60%, warns under 80%"."""
    config = coverage_settings(warn_under=80.0)
    fails = evaluate(report(55.0, {}), config, fail_under=60)
    assert not fails.passed and fails.warnings == ()  # the failure says it; no second line
    warns = evaluate(report(72.5, {}), config, fail_under=60)
    assert warns.passed
    assert warns.warnings == ("total 72.50% is below warn-under 80% (short by 7.50)",)
    passes = evaluate(report(85.0, {}), config, fail_under=60)
    assert passes.passed and passes.warnings == ()


def test_modules_warn_under_warns_per_file_unless_the_file_already_fails() -> None:
    config = coverage_settings(
        modules=(("src/pkg/cli.py", 70.0),),
        modules_warn_under=(("src/pkg/*", 95.0),),
    )
    result = evaluate(REPORT, config, fail_under=None)
    assert [m.message for m in result.misses] == [
        "src/pkg/cli.py: 61.25% is below 70% (modules entry 'src/pkg/cli.py')"
    ]
    assert result.warnings == (
        "src/pkg/core/b.py: 92.00% is below 95% (modules-warn-under entry 'src/pkg/*')",
    )
    unmatched = evaluate(
        REPORT, coverage_settings(modules_warn_under=(("src/gone/*", 50.0),)), fail_under=None
    )
    assert [m.message for m in unmatched.misses] == [
        "modules-warn-under entry 'src/gone/*' matches no measured file"
    ]


def test_a_warn_under_at_or_below_fail_under_is_refused(tmp_path) -> None:
    from ci_sessions.config import ConfigError
    from tests.unit.test_workflow import config_of

    table = (
        "[tool.coverage.report]\nfail_under = 90\n[tool.ci_sessions.coverage]\nwarn-under = 80\n"
    )
    with pytest.raises(ConfigError, match=r"warn-under 80 is not above fail-under 90"):
        config_of(tmp_path, table)


def test_missing_data_fails_and_names_the_pythons() -> None:
    misses, warnings = data_problems(
        ["3.11", "3.12", "3.13"], ["3.11"], {"3.13": "stale: ran yesterday"}, absent_here=[]
    )
    assert warnings == []
    assert misses[0].startswith("no usable coverage data from Python 3.12: its tests session")
    assert misses[1].startswith("no usable coverage data from Python 3.13: stale: ran yesterday")
    result = evaluate(REPORT, coverage_settings(), fail_under=None, data_misses=misses)
    assert [miss.kind for miss in result.misses] == ["data", "data"]
    assert not result.passed


def test_a_python_absent_here_is_a_loud_warning_not_a_failure() -> None:
    misses, warnings = data_problems(["3.12", "3.13"], ["3.12"], {}, absent_here=["3.13"])
    assert misses == []
    assert warnings[0].startswith("no coverage data from Python 3.13, which does not start here")
    result = evaluate(REPORT, coverage_settings(), fail_under=None, warnings=warnings)
    assert result.passed and result.warnings
    text = summary_markdown(REPORT, result, fail_under=None, pythons=["3.12"], patch=None, worst=0)
    assert text.startswith("## Coverage: passed with warnings\n")
    assert "### Warnings" in text


def test_a_file_missing_only_branches_says_which() -> None:
    branchy = report(90.0, {"src/pkg/a.py": (90.0, [])})
    branchy["files"]["src/pkg/a.py"]["missing_branches"] = [[3, 5], [7, -1]]
    assert worst_files(branchy, 5) == [("src/pkg/a.py", 90.0, "branches 3->5, 7->-1")]


DIFF_COVER = {
    "total_num_lines": 8,
    "total_num_violations": 2,
    "total_percent_covered": 75,
    "src_stats": {"src/pkg/cli.py": {"percent_covered": 75.0, "violation_lines": [3, 4]}},
}


def test_patch_from_diff_cover_and_the_patch_threshold() -> None:
    patch = patch_from_diff_cover(DIFF_COVER, "origin/main")
    assert patch.percent == 75.0
    assert (patch.changed_lines, patch.missing_lines) == (8, 2)
    assert patch.files == (("src/pkg/cli.py", 75.0, (3, 4)),)
    failing = evaluate(REPORT, coverage_settings(patch_fail_under=80), fail_under=None, patch=patch)
    assert [m.message for m in failing.misses] == [
        "patch coverage 75.00% against origin/main is below patch-fail-under 80% "
        "(2 of 8 changed lines not run)"
    ]
    assert evaluate(
        REPORT, coverage_settings(patch_fail_under=75), fail_under=None, patch=patch
    ).passed


def test_a_diff_without_measurable_lines_passes_the_patch_gate() -> None:
    patch = patch_from_diff_cover({"total_num_lines": 0, "src_stats": {}}, "main")
    assert patch.percent is None
    assert evaluate(
        REPORT, coverage_settings(patch_fail_under=100), fail_under=None, patch=patch
    ).passed


def test_effective_fail_under_prefers_ci_sessions_then_the_project() -> None:
    project = {"fail_under": 80}
    assert resolve_fail_under(90, project)[0] == 90
    assert resolve_fail_under(None, project) == (80, "[tool.coverage.report] fail_under")
    assert resolve_fail_under(None, {"fail_under": " 99.5 "})[0] == 99.5
    assert resolve_fail_under(None, {}) == (None, "not set")
    with pytest.raises(ValueError, match="expected a number from 0 to 100"):
        resolve_fail_under(None, {"fail_under": "ninety"})


def test_worst_files_are_the_least_covered_first() -> None:
    assert worst_files(REPORT, 5) == [
        ("src/pkg/cli.py", 61.25, "3-4"),
        ("src/pkg/core/b.py", 92.0, "7-9, 12"),
    ]
    assert worst_files(REPORT, 1) == [("src/pkg/cli.py", 61.25, "3-4")]


def test_summary_markdown_has_total_misses_patch_and_worst_files() -> None:
    config = coverage_settings(modules=(("src/pkg/core/*", 95.0),), patch_fail_under=80)
    patch = patch_from_diff_cover(DIFF_COVER, "main")
    result = evaluate(REPORT, config, fail_under=85, patch=patch)
    text = summary_markdown(
        REPORT, result, fail_under=85, pythons=["3.11", "3.12"], patch=patch, worst=5
    )
    assert text.startswith("## Coverage: FAILED\n")
    assert "**Total: 87.50%** (fail-under 85%)" in text
    assert "combined from Python 3.11, 3.12" in text
    assert "Patch coverage against `main`: 75.00%." in text
    assert "- src/pkg/core/b.py: 92.00% is below 95%" in text
    assert "| `src/pkg/cli.py` | 61.25% | 3-4 |" in text
