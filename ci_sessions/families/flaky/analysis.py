"""Flaky tests: the same suite run several times, outcomes compared per test.

Plain data in (each run's test_outcomes.Case list), verdict out; no nox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ci_sessions.test_outcomes import FAILING, Case, is_quarantined, quarantine_entry, real_outcome


@dataclass(frozen=True)
class Flake:
    id: str
    runs: int
    failures: int
    first_failure: str
    quarantined: bool

    @property
    def failure_rate(self) -> float:
        return self.failures / self.runs


@dataclass(frozen=True)
class FlakyReport:
    runs: int
    flaky: tuple[Flake, ...]
    always_failing: tuple[Flake, ...]
    tests: int

    @property
    def failures(self) -> list[str]:
        found = [
            f"flaky: {f.id} failed {f.failures} of {f.runs} runs"
            for f in self.flaky
            if not f.quarantined
        ]
        found += [f"failing in every run: {f.id}" for f in self.always_failing if not f.quarantined]
        return found


def analyse_runs(runs: Sequence[Sequence[Case]], quarantined: Iterable[str]) -> FlakyReport:
    """Tests with mixed outcomes across runs are flaky; skips are not outcomes.

    A quarantined test's xfail mark is ci-sessions' own, so its real outcome
    counts; an xfail the test itself declares is an expected outcome, not a failure.
    """
    quarantine = set(quarantined)
    history: dict[str, list[tuple[Case, bool]]] = {}
    for cases in runs:
        for case in cases:
            outcome = real_outcome(case, quarantine)
            if outcome != "skipped":
                # A pass that needed a retry failed in this run too: flaky evidence.
                failing = outcome in FAILING or case.reruns > 0
                history.setdefault(case.id, []).append((case, failing))
    flaky: list[Flake] = []
    broken: list[Flake] = []
    for test_id, seen in sorted(history.items()):
        failed = [case for case, failing in seen if failing]
        if not failed:
            continue
        first = failed[0].message or failed[0].retry_message
        flake = Flake(test_id, len(seen), len(failed), first, is_quarantined(test_id, quarantine))
        (flaky if len(failed) < len(seen) else broken).append(flake)
    return FlakyReport(len(runs), tuple(flaky), tuple(broken), len(history))


def unknown_ids(ids: Iterable[str], runs: Sequence[Sequence[Case]]) -> list[str]:
    seen = {case.id for cases in runs for case in cases}
    held = {quarantine_entry(test_id, ids) for test_id in seen}
    return sorted(set(ids) - held)


def flaky_markdown(report: FlakyReport) -> str:
    verdict = "FAILED" if report.failures else "passed"
    lines = [
        f"## Flaky tests: {verdict}",
        "",
        f"{report.tests} tests, {report.runs} runs in varying order.",
    ]
    rows = [*report.flaky, *report.always_failing]
    if rows:
        lines += [
            "",
            "| test | failure rate | failed runs | quarantined | first failure |",
            "|---|---:|---:|---|---|",
        ]
        lines += [
            f"| `{f.id}` | {f.failure_rate:.0%} | {f.failures}/{f.runs} | "
            f"{'yes' if f.quarantined else 'no'} | {f.first_failure} |"
            for f in rows
        ]
    else:
        lines.append("No test changed outcome between runs.")
    return "\n".join(lines) + "\n"
