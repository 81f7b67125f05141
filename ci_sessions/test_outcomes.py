"""Test outcomes as the ci-sessions pytest plugin records them: counts, summaries.

Plain data in, plain data out; no nox. The plugin
(``ci_sessions/in_venv/pytest_ci_sessions.py``) writes pytest's own node IDs,
so inherited tests, parametrized tests and xfails are named and counted as
pytest names and counts them. A missing file means pytest ended before its
end-of-run hook: a crash or ``os._exit``, never a pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ci_sessions.config.tables import Waiver

# "unfinished": the test started and never reported an outcome (the run stopped inside it).
OUTCOMES = ("passed", "failed", "error", "unfinished", "skipped", "xfailed", "xpassed")
FAILING = ("failed", "error", "unfinished")


@dataclass(frozen=True)
class Case:
    id: str
    outcome: str  # one of OUTCOMES
    seconds: float
    message: str = ""
    file: str = ""
    line: int = 0  # 1-based line of the test function, 0 when unknown
    # Retries before its outcome (pytest-rerunfailures), and why the first one failed.
    reruns: int = 0
    retry_message: str = ""
    # The phase whose report decided the outcome: setup, call or teardown.
    phase: str = ""
    # What a hook rewrote this failure's report to (passed, skipped), if it did.
    rewritten: str = ""

    @property
    def passed_after_retry(self) -> bool:
        """Passed only once retried: evidence of flakiness, not a clean pass."""
        return self.reruns > 0 and self.outcome == "passed"

    @property
    def ran(self) -> bool:
        """Its body ran, or it failed trying: a skip, or an xfail(run=False) decided at
        set-up, checked nothing. Older records without a phase count as run."""
        return self.outcome not in ("skipped", "xfailed") or self.phase in ("call", "")


@dataclass(frozen=True)
class Outcomes:
    """One pytest run: its exit status, every test that reported, and how it ended."""

    exitstatus: int
    cases: tuple[Case, ...]
    collect_only: bool = False
    setup_only: bool = False
    # pytest.exit() or Ctrl-C stopped the run ("Exit: reason"); empty when it ran to its end.
    interrupted: str = ""
    # -x, --maxfail or a plugin asked pytest to stop early (pytest's own words).
    stopped: str = ""
    # (node ID, first line) of each module or folder that failed to collect.
    collection_errors: tuple[tuple[str, str], ...] = ()
    # How many tests the run selected to run; None when unknown (pytest-xdist).
    selected: int | None = None


@dataclass(frozen=True)
class Progress:
    """What a run reported while it went on (the plugin's .progress file): the tests that
    started, in order, and the outcome of each that reported one."""

    started: tuple[str, ...] = ()
    reported: Mapping[str, str] = field(default_factory=dict)

    @property
    def running(self) -> str | None:
        """The last test that started and never reported: where the run ended."""
        unfinished = [test for test in self.started if test not in self.reported]
        return unfinished[-1] if unfinished else None


def read_progress(path: Path) -> Progress:
    """The progress a run wrote to `path` (a JSON line per start and per outcome); a line
    cut short by the process dying is ignored."""
    if not path.is_file():
        return Progress()
    started: list[str] = []
    reported: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if "start" in entry:
            started.append(str(entry["start"]))
        elif "id" in entry:
            reported[str(entry["id"])] = str(entry.get("outcome", ""))
    return Progress(tuple(started), reported)


def read_outcomes(document: Mapping[str, Any]) -> Outcomes:
    cases = tuple(
        Case(
            id=str(test["id"]),
            outcome=str(test["outcome"]),
            seconds=float(test.get("seconds", 0.0)),
            message=str(test.get("message", "")),
            file=str(test.get("file", "")),
            line=int(test.get("line", 0)),
            reruns=int(test.get("reruns", 0)),
            retry_message=str(test.get("retry_message", "")),
            phase=str(test.get("phase", "")),
            rewritten=str(test.get("rewritten", "")),
        )
        for test in document.get("tests", [])
    )
    selected = document.get("selected")
    return Outcomes(
        int(document.get("exitstatus", -1)),
        cases,
        collect_only=bool(document.get("collect_only", False)),
        setup_only=bool(document.get("setup_only", False)),
        interrupted=str(document.get("interrupted", "")),
        stopped=str(document.get("stopped", "")),
        collection_errors=tuple(
            (str(error.get("id", "")), str(error.get("message", "")))
            for error in document.get("collection_errors", [])
        ),
        selected=int(selected) if isinstance(selected, int) else None,
    )


def read_outcomes_file(path: Path) -> Outcomes | None:
    """The run's outcomes; None when pytest never wrote them (it ended early)."""
    if not path.is_file():
        return None
    return read_outcomes(json.loads(path.read_text(encoding="utf-8")))


def quarantine_entry(test_id: str, entries: Iterable[str]) -> str | None:
    """The entry that quarantines a test: its own ID, or, for a parametrized test, the ID
    without the parameters (`tests/a.py::test_race` holds every `test_race[...]`). The
    plugin in the venv applies the same rule."""
    listed = set(entries)
    if test_id in listed:
        return test_id
    base = test_id.partition("[")[0]
    return base if base != test_id and base in listed else None


def is_quarantined(test_id: str, entries: Iterable[str]) -> bool:
    return quarantine_entry(test_id, entries) is not None


def real_outcome(case: Case, quarantined: Iterable[str]) -> str:
    """What really happened to a test: a quarantined test's xfail mark is ours, not its."""
    if is_quarantined(case.id, quarantined):
        return {"xfailed": "failed", "xpassed": "passed"}.get(case.outcome, case.outcome)
    return case.outcome


def _held_outcomes(entry: str, cases: Sequence[Case], quarantine: Mapping[str, str]) -> str:
    """What the tests an entry holds did: one outcome, or each parametrization's."""
    held = [c for c in cases if quarantine_entry(c.id, [entry]) == entry]
    if not held:
        return "not run"
    if len(held) == 1 and held[0].id == entry:
        return real_outcome(held[0], quarantine)
    tally = counts(replace(c, outcome=real_outcome(c, quarantine)) for c in held)
    return ", ".join(f"{n} {outcome}" for outcome, n in tally.items())


def slowest(cases: Iterable[Case], count: int) -> list[Case]:
    return sorted(cases, key=lambda case: (-case.seconds, case.id))[:count]


def expired(entries: Iterable[Waiver], today: date) -> list[Waiver]:
    return [entry for entry in entries if entry.expires is not None and entry.expires < today]


def expired_message(entries: Sequence[Waiver], key: str) -> str:
    listed = ", ".join(f"{entry.id} (expired {entry.expires})" for entry in entries)
    return f"{key} entries past their expiry: {listed}; renew the date or remove the entry"


def counts(cases: Iterable[Case]) -> dict[str, int]:
    """How many tests had each outcome, in OUTCOMES order, zeros left out."""
    found = [case.outcome for case in cases]
    return {outcome: found.count(outcome) for outcome in OUTCOMES if outcome in found}


def summary_markdown(
    name: str,
    cases: Sequence[Case],
    *,
    slow_count: int,
    quarantine: Mapping[str, str],
    budget: str = "",
    selection: str = "",
    verdict: str = "",
) -> str:
    """budget: what the session's failure budget made of its failures, when it has one;
    selection: what affected-test selection ran (how many of how many, or why all);
    verdict: why the run failed, when it did (the counts alone may look green)."""
    tally = counts(cases)
    text = ", ".join(f"{n} {outcome}" for outcome, n in tally.items()) or "no test ran"
    lines = [f"## {name}", "", text + "."]
    if verdict:
        lines += ["", f"**Failed:** {verdict}."]
    if selection:
        lines += ["", f"Affected tests: {selection}."]
    if budget:
        lines += ["", f"Failure budget: {budget}."]
    failing = [c for c in cases if c.outcome in FAILING and not is_quarantined(c.id, quarantine)]
    if failing:
        lines += ["", "### Failed", "", "| test | outcome | message |", "|---|---|---|"]
        lines += [f"| `{c.id}` | {c.outcome} | {_cell(c.message)} |" for c in failing]
    retried = [c for c in cases if c.passed_after_retry]
    if retried:
        lines += [
            "",
            "### Passed only after a retry (flaky)",
            "",
            "| test | retries | first failure |",
            "|---|---:|---|",
        ]
        lines += [f"| `{c.id}` | {c.reruns} | {_cell(c.retry_message)} |" for c in retried]
    if quarantine:
        lines += [
            "",
            "### Quarantined (run, not gating)",
            "",
            "| test | outcome | reason |",
            "|---|---|---|",
        ]
        lines += [
            f"| `{entry}` | {_held_outcomes(entry, cases, quarantine)} | {_cell(reason)} |"
            for entry, reason in sorted(quarantine.items())
        ]
    slow = slowest(cases, slow_count)
    if slow:
        lines += ["", f"### Slowest {len(slow)}", "", "| test | seconds |", "|---|---:|"]
        lines += [f"| `{case.id}` | {case.seconds:.2f} |" for case in slow]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
