"""How bench/affected.py measures one change: the base tree and its map, the change
applied, the selected and the full run side by side, and their verdicts from the reports
each run leaves (see bench/affected.py's docstring for the method)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _changes import Change
from _common import NOX, clean_env, git, run
from _trees import SESSION, affected_line, junit_cases, map_file, reports


@dataclass
class Outcome:
    seconds: float
    exit_code: int
    failed: list[str]  # failing test IDs not failing at base
    ran: int  # test cases in the JUnit report
    affected: str = ""  # the summary's `Affected tests:` line (selected runs)


@dataclass
class Result:
    project: str
    release: str  # "A -> B"
    kind: str
    where: str
    full: Outcome
    selected: Outcome
    first: str  # which run went first
    missing: list[str] = field(default_factory=list)  # failed in full, not run in selected

    @property
    def full_fails(self) -> bool:
        return bool(self.full.failed)

    @property
    def miss(self) -> bool:
        return self.full_fails and not self.selected.failed


def nox(root: Path, *args: str, event: str = "") -> Outcome:
    """One timed nox run of the tests session; its verdict from its own reports."""
    (reports(root) / f"junit-{SESSION}.xml").unlink(missing_ok=True)
    (reports(root) / f"summary-{SESSION}.md").unlink(missing_ok=True)
    extra = {"GITHUB_EVENT_NAME": event} if event else {}
    seconds, done = run([*NOX, *args], root, clean_env(extra), check=False)
    cases = junit_cases(root)
    if cases is None:
        # No report: pytest never ran to the end (or did not start): the run as a whole.
        failed, count = ([] if done.returncode == 0 else ["<no JUnit report>"]), 0
    else:
        failed, count = [test for test, bad in cases.items() if bad], len(cases)
    return Outcome(seconds, done.returncode, failed, count, affected_line(root))


@dataclass
class Base:
    root: Path
    saved_map: Path
    failures: set[str]
    tests: int


def take_map(root: Path, saved: Path, label: str, *nox_args: str) -> Base:
    """The map, and the base's failing tests, from one whole-suite run (untimed); the map
    copied to `saved`, since a run that runs the whole suite replaces it."""
    first = nox(root, *nox_args, "-s", SESSION, "--", "--affected")
    if not map_file(root).is_file():
        sys.exit(f"bench: no map written in {root}:\n{first}")
    shutil.copy2(map_file(root), saved)
    print(
        f"{label}: map of {first.ran} tests; failing at base: "
        f"{len(first.failed)} {first.failed[:6]}",
        flush=True,
    )
    return Base(root, saved, set(first.failed), first.ran)


def restore(base: Base) -> None:
    """The base tree as committed, venv and reports kept, the base's map put back."""
    git(base.root, "checkout", "-q", "--", ".")
    git(base.root, "clean", "-fdq")  # not -x: .nox/ and reports/ are git-ignored, kept
    map_file(base.root).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(base.saved_map, map_file(base.root))


def apply(base: Base, changes: Sequence[Change]) -> None:
    """The changes' files written over the base (a real commit is several at once)."""
    for change in changes:
        target = base.root / change.path
        if change.text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.text, encoding="utf-8")


def measure(
    base: Base, changes: Sequence[Change], selected_first: bool
) -> tuple[Outcome, Outcome, list[str]]:
    """(full, selected, the tests failing in full that the selected run did not run)."""
    restore(base)
    apply(base, changes)
    # Untimed: install the changed project into the reused venv (see the docstring).
    run([*NOX, "-r", "-s", SESSION, "--install-only"], base.root, clean_env(), check=False)
    runs = {
        "selected": ("-R", "-s", SESSION, "--", "--affected"),
        "full": ("-R", "-s", SESSION),
    }
    order = ["selected", "full"] if selected_first else ["full", "selected"]
    outcomes = {}
    ran: set[str] = set()
    for which in order:
        # The selected run as a pull request's job runs it: no map made (none is kept).
        outcome = nox(base.root, *runs[which], event="pull_request" if which == "selected" else "")
        outcome.failed = sorted(set(outcome.failed) - base.failures)
        outcomes[which] = outcome
        if which == "selected":
            ran = set(junit_cases(base.root) or {})
        # The full run must not touch the map; a whole-suite selected run may replace it.
        shutil.copy2(base.saved_map, map_file(base.root))
    full = outcomes["full"]
    return full, outcomes["selected"], sorted(t for t in full.failed if t not in ran)
