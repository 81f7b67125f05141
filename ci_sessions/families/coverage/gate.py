"""The combined coverage gate: plain data in (coverage.py's JSON report,
diff-cover's JSON report, data file names), verdict and Markdown out."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci_sessions.families.coverage.settings import CoverageConfig


@dataclass(frozen=True)
class Patch:
    """Coverage of the lines changed against the compare branch."""

    branch: str
    percent: float | None  # None: no changed line is measurable code
    changed_lines: int
    missing_lines: int
    files: tuple[tuple[str, float, tuple[int, ...]], ...] = ()


def patch_from_diff_cover(report: Mapping[str, Any], branch: str) -> Patch:
    """Read diff-cover's --format json report."""
    files = tuple(
        (name, float(stats.get("percent_covered", 0.0)), tuple(stats.get("violation_lines", ())))
        for name, stats in sorted(report.get("src_stats", {}).items())
    )
    measured = int(report.get("total_num_lines", 0))
    return Patch(
        branch=branch,
        percent=float(report["total_percent_covered"]) if measured else None,
        changed_lines=measured,
        missing_lines=int(report.get("total_num_violations", 0)),
        files=files,
    )


@dataclass(frozen=True)
class Miss:
    kind: str  # "data", "total", "module" or "patch"
    message: str


@dataclass(frozen=True)
class GateResult:
    total: float
    misses: tuple[Miss, ...]
    # Visible, never failing: a Python whose interpreter is not here (locally).
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.misses


def data_problems(
    expected: Sequence[str],
    usable: Sequence[str],
    stale: Mapping[str, str],
    *,
    absent_here: Sequence[str],
) -> tuple[list[str], list[str]]:
    """(misses, warnings) for Pythons of the matrix without usable data.

    ====================================  =============================
    a Python without usable data          outcome
    ====================================  =============================
    its interpreter starts here, or CI    miss: its data must be there
    its interpreter is absent (locally)   warning: combined without it
    ====================================  =============================

    `stale`: Python -> why its data file did not count (an earlier run on
    changed code, no record); it is quoted in the message.
    """
    misses: list[str] = []
    warnings: list[str] = []
    for python in expected:
        if python in usable:
            continue
        why = stale.get(python) or "its tests session did not run or its data was not collected"
        if python in absent_here:
            warnings.append(
                f"no coverage data from Python {python}, which does not start here: the total "
                f"combines the other Pythons only ({why}); on CI it is required"
            )
        else:
            misses.append(
                f"no usable coverage data from Python {python}: {why} (to accept partial "
                "data: require-all-pythons = false under [tool.ci_sessions.coverage])"
            )
    return misses, warnings


def evaluate(
    report: Mapping[str, Any],
    config: CoverageConfig,
    *,
    fail_under: float | None,
    data_misses: Sequence[str] = (),
    warnings: Sequence[str] = (),
    patch: Patch | None = None,
) -> GateResult:
    """Every threshold the combined report misses, each with its figure."""
    total = float(report["totals"]["percent_covered"])
    misses = [Miss("data", message) for message in data_misses]
    if fail_under is not None and total < fail_under:
        misses.append(
            Miss(
                "total",
                f"total {total:.2f}% is below fail-under {fail_under:g}% "
                f"(short by {fail_under - total:.2f})",
            )
        )
    unmatched, below = _module_checks(report, config.modules, "modules")
    misses += [Miss("module", message) for message in [*unmatched, *below.values()]]
    patch_miss = _patch_miss(patch, config.patch_fail_under)
    if patch_miss is not None:
        misses.append(patch_miss)
    # Warn levels: never where the same figure already fails.
    warned = list(warnings)
    fails_total = any(miss.kind == "total" for miss in misses)
    if config.warn_under is not None and total < config.warn_under and not fails_total:
        warned.append(
            f"total {total:.2f}% is below warn-under {config.warn_under:g}% "
            f"(short by {config.warn_under - total:.2f})"
        )
    unmatched, low = _module_checks(report, config.modules_warn_under, "modules-warn-under")
    misses += [Miss("module", message) for message in unmatched]  # a mistake, not a warning
    warned += [message for name, message in low.items() if name not in below]
    return GateResult(total=total, misses=tuple(misses), warnings=tuple(warned))


def _patch_miss(patch: Patch | None, minimum: float | None) -> Miss | None:
    if patch is None or minimum is None or patch.percent is None:
        return None  # no gate, or no changed line that is measurable code
    if patch.percent >= minimum:
        return None
    return Miss(
        "patch",
        f"patch coverage {patch.percent:.2f}% against {patch.branch} is below "
        f"patch-fail-under {minimum:g}% ({patch.missing_lines} of "
        f"{patch.changed_lines} changed lines not run)",
    )


def _module_checks(
    report: Mapping[str, Any], modules: Sequence[tuple[str, float]], key: str
) -> tuple[list[str], dict[str, str]]:
    """(entries that match no measured file, file -> why it is below its entry's figure)."""
    files: Mapping[str, Any] = report.get("files", {})
    unmatched: list[str] = []
    below: dict[str, str] = {}
    for pattern, minimum in modules:
        matched = [name for name in files if fnmatch.fnmatchcase(name, pattern)]
        if not matched:
            unmatched.append(f"{key} entry {pattern!r} matches no measured file")
        for name in sorted(matched):
            percent = float(files[name]["summary"]["percent_covered"])
            if percent < minimum:
                below[name] = (
                    f"{name}: {percent:.2f}% is below {minimum:g}% ({key} entry {pattern!r})"
                )
    return unmatched, below


def worst_files(report: Mapping[str, Any], count: int) -> list[tuple[str, float, str]]:
    """The least-covered files: name, percent, missing lines as coverage prints them."""
    rows = []
    for name, data in report.get("files", {}).items():
        percent = float(data["summary"]["percent_covered"])
        if percent < 100:
            missing = _ranges(data.get("missing_lines", []))
            branches = ", ".join(f"{a}->{b}" for a, b in data.get("missing_branches", []))
            # A file can miss only branches: say which, rather than an empty cell.
            rows.append((name, percent, missing or (f"branches {branches}" if branches else "")))
    return sorted(rows, key=lambda row: (row[1], row[0]))[:count]


def _ranges(lines: Sequence[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and spans[-1][1] == line - 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def summary_markdown(
    report: Mapping[str, Any],
    result: GateResult,
    *,
    fail_under: float | None,
    pythons: Sequence[str],
    patch: Patch | None,
    worst: int,
    sources: Sequence[str] = (),
    trend: str = "",
) -> str:
    verdict = (
        ("passed" if not result.warnings else "passed with warnings") if result.passed else "FAILED"
    )
    threshold = f" (fail-under {fail_under:g}%)" if fail_under is not None else ""
    lines = [
        f"## Coverage: {verdict}",
        "",
        f"**Total: {result.total:.2f}%**{threshold}, lines and branches, "
        f"combined from Python {', '.join(pythons) or 'none'}.",
    ]
    if trend:
        lines.append(trend)
    if patch is not None:
        figure = "no measurable changed line" if patch.percent is None else f"{patch.percent:.2f}%"
        lines.append(f"Patch coverage against `{patch.branch}`: {figure}.")
    if result.misses:
        lines += ["", "### Misses", ""]
        lines += [f"- {miss.message}" for miss in result.misses]
    if result.warnings:
        lines += ["", "### Warnings", ""]
        lines += [f"- {warning}" for warning in result.warnings]
    if sources:
        lines += ["", "### Data", ""]
        lines += [f"- {line}" for line in sources]
    rows = worst_files(report, worst)
    if rows:
        lines += [
            "",
            "### Least covered files",
            "",
            "| file | coverage | missing lines |",
            "|---|---:|---|",
        ]
        lines += [f"| `{name}` | {percent:.2f}% | {missing} |" for name, percent, missing in rows]
    return "\n".join(lines) + "\n"
