"""The coverage gate's decisions over plain data shaped like coverage.py's JSON."""

from __future__ import annotations

from typing import Any

import pytest

from ci_sessions.config import CoverageConfig
from ci_sessions.coverage_gate import (
    effective_fail_under,
    evaluate,
    missing_pythons,
    patch_from_diff_cover,
    python_of,
    summary_markdown,
    worst_files,
)


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


@pytest.mark.parametrize(
    ("name", "python"),
    [
        (".coverage.py3.12", "3.12"),
        (".coverage.py3.13t", "3.13t"),
        (".coverage.py3.11.host.123.XyZ", "3.11"),
        (".coverage", None),
        (".coverage.host.1.2", None),
        ("coverage.py3.12", None),
    ],
)
def test_python_of(name: str, python: str | None) -> None:
    assert python_of(name) == python


def test_missing_pythons_names_each_absent_version() -> None:
    names = [".coverage.py3.11", ".coverage.py3.13.shard2"]
    assert missing_pythons(["3.11", "3.12", "3.13"], names) == ["3.12"]
    assert missing_pythons(["3.11"], names) == []


def test_total_just_under_and_just_over() -> None:
    assert evaluate(REPORT, CoverageConfig(), fail_under=87.49).passed
    assert evaluate(REPORT, CoverageConfig(), fail_under=87.5).passed
    result = evaluate(REPORT, CoverageConfig(), fail_under=87.51)
    assert not result.passed
    assert [m.kind for m in result.misses] == ["total"]
    assert result.misses[0].message == ("total 87.50% is below fail-under 87.51% (short by 0.01)")


def test_no_threshold_passes_on_any_total() -> None:
    assert evaluate(report(3.0, {}), CoverageConfig(), fail_under=None).passed


def test_every_module_miss_is_listed_with_its_figure() -> None:
    config = CoverageConfig(modules=(("src/pkg/core/*", 95.0), ("src/pkg/cli.py", 60.0)))
    result = evaluate(REPORT, config, fail_under=80)
    assert [m.message for m in result.misses] == [
        "src/pkg/core/b.py: 92.00% is below 95% (modules entry 'src/pkg/core/*')"
    ]


def test_a_modules_glob_that_matches_nothing_fails() -> None:
    result = evaluate(REPORT, CoverageConfig(modules=(("src/gone/*", 50.0),)), fail_under=None)
    assert [m.message for m in result.misses] == [
        "modules entry 'src/gone/*' matches no measured file"
    ]


def test_missing_data_fails_and_names_the_pythons() -> None:
    result = evaluate(REPORT, CoverageConfig(), fail_under=None, missing=["3.12", "3.13"])
    assert result.misses[0].kind == "data"
    assert result.misses[0].message.startswith("no coverage data from Python 3.12, 3.13")


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
    failing = evaluate(REPORT, CoverageConfig(patch_fail_under=80), fail_under=None, patch=patch)
    assert [m.message for m in failing.misses] == [
        "patch coverage 75.00% against origin/main is below patch-fail-under 80% "
        "(2 of 8 changed lines not run)"
    ]
    assert evaluate(
        REPORT, CoverageConfig(patch_fail_under=75), fail_under=None, patch=patch
    ).passed


def test_a_diff_without_measurable_lines_passes_the_patch_gate() -> None:
    patch = patch_from_diff_cover({"total_num_lines": 0, "src_stats": {}}, "main")
    assert patch.percent is None
    assert evaluate(
        REPORT, CoverageConfig(patch_fail_under=100), fail_under=None, patch=patch
    ).passed


def test_effective_fail_under_prefers_ci_sessions_then_the_project() -> None:
    project = {"report": {"fail_under": 80}}
    assert effective_fail_under(CoverageConfig(fail_under=90), project) == 90
    assert effective_fail_under(CoverageConfig(), project) == 80
    assert effective_fail_under(CoverageConfig(), {}) is None


def test_worst_files_are_the_least_covered_first() -> None:
    assert worst_files(REPORT, 5) == [
        ("src/pkg/cli.py", 61.25, "3-4"),
        ("src/pkg/core/b.py", 92.0, "7-9, 12"),
    ]
    assert worst_files(REPORT, 1) == [("src/pkg/cli.py", 61.25, "3-4")]


def test_summary_markdown_has_total_misses_patch_and_worst_files() -> None:
    config = CoverageConfig(modules=(("src/pkg/core/*", 95.0),), patch_fail_under=80)
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
