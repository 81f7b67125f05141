"""Test outcomes from pytest's JUnit XML: slowest tests, flaky tests, summaries.

Plain data in, plain data out; no nox. JUnit is read in pytest's xunit1
flavour, whose test cases carry the file, from which pytest's node IDs (the
IDs quarantine entries use) are rebuilt.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ci_sessions.config_values import Waiver


@dataclass(frozen=True)
class Case:
    id: str
    outcome: str  # passed, failed, skipped
    seconds: float
    message: str = ""
    file: str = ""
    line: int = 0  # 1-based line of the test function, 0 when unknown


def node_id(file: str, classname: str, name: str) -> str:
    """pytest's node ID from an xunit1 test case: file, classes, name."""
    module = file[: -len(".py")].replace("/", ".") if file.endswith(".py") else ""
    classes = classname[len(module) + 1 :] if module and classname.startswith(module + ".") else ""
    return "::".join([file, *filter(None, classes.split(".")), name])


def read_junit(text: str) -> list[Case]:
    # The XML is what the pytest run this session started just wrote, hence the nosec.
    root = ET.fromstring(text)  # nosec B314
    cases = []
    for case in root.iter("testcase"):
        problem = next((c for c in case if c.tag in ("failure", "error")), None)
        skipped = case.find("skipped")
        if problem is not None:
            outcome, message = "failed", problem.get("message") or (problem.text or "")
        elif skipped is not None:
            outcome, message = "skipped", skipped.get("message", "")
        else:
            outcome, message = "passed", ""
        cases.append(
            Case(
                id=node_id(case.get("file", ""), case.get("classname", ""), case.get("name", "")),
                outcome=outcome,
                seconds=float(case.get("time", "0") or 0),
                message=message.strip().splitlines()[0] if message.strip() else "",
                file=case.get("file", ""),
                # pytest writes the 0-based line of the test function.
                line=int(case.get("line", "-1")) + 1,
            )
        )
    return cases


def read_junit_file(path: Path) -> list[Case]:
    return read_junit(path.read_text(encoding="utf-8"))


def slowest(cases: Iterable[Case], count: int) -> list[Case]:
    return sorted(cases, key=lambda case: (-case.seconds, case.id))[:count]


def expired(entries: Iterable[Waiver], today: date) -> list[Waiver]:
    return [entry for entry in entries if entry.expires is not None and entry.expires < today]


def expired_message(entries: Sequence[Waiver], key: str) -> str:
    listed = ", ".join(f"{entry.id} (expired {entry.expires})" for entry in entries)
    return f"{key} entries past their expiry: {listed}; renew the date or remove the entry"


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
    """Tests with mixed outcomes across runs are flaky; skips are not outcomes."""
    quarantine = set(quarantined)
    history: dict[str, list[Case]] = {}
    for cases in runs:
        for case in cases:
            if case.outcome != "skipped":
                history.setdefault(case.id, []).append(case)
    flaky: list[Flake] = []
    broken: list[Flake] = []
    for test_id, cases in sorted(history.items()):
        failed = [case for case in cases if case.outcome == "failed"]
        if not failed:
            continue
        flake = Flake(test_id, len(cases), len(failed), failed[0].message, test_id in quarantine)
        (flaky if len(failed) < len(cases) else broken).append(flake)
    return FlakyReport(len(runs), tuple(flaky), tuple(broken), len(history))


def unknown_ids(ids: Iterable[str], runs: Sequence[Sequence[Case]]) -> list[str]:
    seen = {case.id for cases in runs for case in cases}
    return sorted(set(ids) - seen)


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


def summary_markdown(
    name: str,
    cases: Sequence[Case],
    *,
    slow_count: int,
    quarantine: Mapping[str, str],
    quarantine_outcomes: Mapping[str, str],
) -> str:
    counts = {
        outcome: sum(c.outcome == outcome for c in cases)
        for outcome in ("passed", "failed", "skipped")
    }
    lines = [f"## {name}", "", ", ".join(f"{n} {outcome}" for outcome, n in counts.items()) + "."]
    if quarantine:
        lines += [
            "",
            "### Quarantined (run, not gating)",
            "",
            "| test | outcome | reason |",
            "|---|---|---|",
        ]
        lines += [
            f"| `{test_id}` | {quarantine_outcomes.get(test_id, 'not run')} | {reason} |"
            for test_id, reason in sorted(quarantine.items())
        ]
    slow = slowest(cases, slow_count)
    if slow:
        lines += ["", f"### Slowest {len(slow)}", "", "| test | seconds |", "|---|---:|"]
        lines += [f"| `{case.id}` | {case.seconds:.2f} |" for case in slow]
    return "\n".join(lines) + "\n"
