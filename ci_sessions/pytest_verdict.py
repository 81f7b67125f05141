"""The verdict on a pytest run, judged from what ran: the outcomes first, the exit status
second, the files the run promised last.

Plain data in, a Judgement out; no nox. Every rule about "nothing ran", "ended early"
and exit statuses lives here once, for each session that runs a project's tests
(``tests-<python>``, the suites, integration, flaky's rounds):

========================================  ============================================
what the run left                          verdict
========================================  ============================================
no outcomes file (killed, ``os._exit``)    fail: how it ended, how many tests reported,
                                           and the test it was running
``--collect-only`` / ``--setup-only``      fail: no test ran
``pytest.exit()``, Ctrl-C                  fail: stopped before its end, and where
a module that failed to collect            fail, naming it
a failed, errored or unfinished test       fail (or warn, within a failure budget),
                                           whatever exit status pytest was left with
a report a hook rewrote to passed          fail, as the failure it was
no test at all                             fail (collected nothing), unless affected
                                           selection left every test out
every test skipped or xfail(run=False)     fail by default; ``all-skipped = "warn"``
selected tests that never reported         fail
an exit status nothing above explains      fail, with what pytest's status means
the JUnit file or coverage data missing    fail, naming the file
========================================  ============================================
"""

from __future__ import annotations

import re
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ci_sessions import verdicts
from ci_sessions.pytest_options import PYTEST_EXITS
from ci_sessions.test_outcomes import FAILING, Case, Outcomes, Progress, counts

# pytest's exit statuses that a failing test, or an empty collection, explains.
TESTS_FAILED = 1
INTERNAL_ERROR = 3
NO_TESTS = 5
# An OSError as pytest's INTERNALERROR lines print it.
OS_ERROR = re.compile(
    r"\b(?:OS|Permission|FileExists|IsADirectory|NotADirectory)Error: \[Errno \d+\][^\n]*"
)


@dataclass(frozen=True)
class RunFacts:
    """What one pytest run left behind, read by the session glue."""

    status: int  # pytest's exit status; negative: killed by that signal
    outcomes: Outcomes | None  # None: pytest never wrote them (it ended early)
    progress: Progress = field(default_factory=Progress)
    # The JUnit file the run promised (None: it promised none), and whether it exists.
    junit: Path | None = None
    junit_written: bool = True
    # The coverage data file (None: not measured), and whether it exists.
    data: Path | None = None
    data_written: bool = True
    quarantined: frozenset[str] = frozenset()
    budget: tuple[float, float] = (0.0, 0.0)  # (max, warn) failure rates
    all_skipped: str = "fail"  # or "warn"
    # Affected-test selection left every collected test out: the change reaches none.
    deselected_all: bool = False
    # Failing tests are what the run measures (flaky's rounds): they decide nothing here.
    failures_measured: bool = False
    # For messages: what the tests were collected from, and where that is configured.
    paths: str = ""
    paths_ref: str = ""
    # The end of pytest's output: what an internal error was (a full disk, say).
    output_tail: str = ""


@dataclass(frozen=True)
class Judgement:
    passed: bool
    message: str  # why it failed, or what passed
    warnings: tuple[str, ...] = ()
    # The failing tests that gate (quarantine aside), to annotate and list.
    failing: tuple[Case, ...] = ()
    # The failure budget's words when failing tests were within it.
    budget: str = ""
    # "error" or "warning": how the failing tests are annotated.
    level: str = "error"


def judge(facts: RunFacts) -> Judgement:
    """The run's verdict (see the module's table)."""
    if facts.outcomes is None:
        return Judgement(False, ended_early(facts.status, facts.progress))
    outcomes = facts.outcomes
    cases = outcomes.cases
    failing = tuple(
        case for case in cases if case.outcome in FAILING and case.id not in facts.quarantined
    )
    problems = _how_it_ran(outcomes, failing)
    # A test the interruption stopped inside is named by the interruption's message.
    judged = [c for c in failing if not (outcomes.interrupted and c.outcome == "unfinished")]
    warnings: list[str] = []
    budget_words, level = "", "error"
    if judged and not facts.failures_measured:
        ran = sum(1 for case in cases if case.outcome != "skipped")
        decision, why = verdicts.failure_budget(len(judged), ran, *facts.budget)
        budget_words = why if any(facts.budget) else ""
        if decision == "fail":
            problems.append(_failures(judged, why, facts.status))
        else:
            level = "warning"
            if decision == "warn":
                warnings.append(why)
    if not problems:
        empty = _nothing_checked(facts, cases)
        if empty is not None and facts.all_skipped == "warn" and cases:
            warnings.append(f'{empty} (all-skipped = "warn")')
        elif empty is not None and cases:
            problems.append(
                f'{empty}; fix what skips them, or set all-skipped = "warn" in '
                "[tool.ci_sessions] where a run of only skipped tests is meant"
            )
        elif empty is not None:
            problems.append(empty)
    if not problems:
        problems += _unexplained_status(facts.status, failing, facts)
    if not problems:
        problems += _missing_files(facts)
    if problems:
        return Judgement(False, "; ".join(problems), tuple(warnings), failing, budget_words, level)
    tally = ", ".join(f"{n} {outcome}" for outcome, n in counts(cases).items())
    message = tally or "no test is affected by the change"
    return Judgement(True, message, tuple(warnings), failing, budget_words, level)


def _how_it_ran(outcomes: Outcomes, failing: Sequence[Case]) -> list[str]:
    """Problems with the run as a whole: it ran nothing, or stopped before its end."""
    problems = []
    if outcomes.collect_only:
        problems.append(
            "pytest only collected the tests (--collect-only, from the options given or the "
            "project's addopts): no test ran; remove it"
        )
    if outcomes.setup_only:
        problems.append(
            "pytest only set the tests up (--setup-only or --setup-plan): no test ran; remove it"
        )
    if outcomes.collection_errors:
        listed = "; ".join(f"{where}: {message}" for where, message in outcomes.collection_errors)
        problems.append(f"{len(outcomes.collection_errors)} error(s) collecting tests: {listed}")
    unfinished = [case.id for case in outcomes.cases if case.outcome == "unfinished"]
    if outcomes.interrupted:
        inside = f" inside {unfinished[-1]}" if unfinished else ""
        finished = sum(1 for case in outcomes.cases if case.outcome != "unfinished")
        problems.append(
            f"the run was stopped before its end by {outcomes.interrupted}{inside}, after "
            f"{finished} test(s) reported: the tests after it never ran"
        )
    elif outcomes.stopped and not failing:
        problems.append(f"pytest stopped before its end ({outcomes.stopped}) with no failed test")
    return problems


def _failures(failing: Sequence[Case], why: str, status: int) -> str:
    shown = ", ".join(_named(case) for case in failing[:5])
    more = f" and {len(failing) - 5} more" if len(failing) > 5 else ""
    text = f"{why}: {shown}{more}"
    # Failed as pytest reported them, and still exit 0 (not a report rewritten to pass).
    if status == 0 and any(
        case.outcome in ("failed", "error") and not case.rewritten for case in failing
    ):
        text += (
            "; pytest exited 0 all the same (a hook such as pytest_sessionfinish changed its "
            "exit status): judged from the outcomes, not the status"
        )
    return text


def _named(case: Case) -> str:
    if case.rewritten:
        return f"{case.id} (failed; a hook rewrote its report to {case.rewritten})"
    if case.outcome == "unfinished":
        return f"{case.id} (never finished)"
    return case.id if case.outcome == "failed" else f"{case.id} ({case.outcome})"


def _nothing_checked(facts: RunFacts, cases: Sequence[Case]) -> str | None:
    """Why a run checked nothing, or None when some test ran."""
    if not cases:
        if facts.deselected_all:
            return None
        where = f" from {facts.paths}" if facts.paths else ""
        check = f"check {facts.paths_ref} and " if facts.paths_ref else "check "
        return f"pytest collected no tests{where}; {check}the -k/-m options given"
    if any(case.ran for case in cases):
        return None
    not_run = sum(1 for case in cases if case.outcome == "xfailed")
    what = f"{len(cases) - not_run} skipped" + (
        f", {not_run} xfail(run=False) not run" if not_run else ""
    )
    return f"every test was skipped ({what}): nothing was checked"


def _unexplained_status(status: int, failing: Sequence[Case], facts: RunFacts) -> list[str]:
    """An exit status that the outcomes do not explain."""
    outcomes = facts.outcomes
    selected = outcomes.selected if outcomes is not None else None
    problems = []
    if selected is not None and outcomes is not None and selected > len(outcomes.cases):
        problems.append(
            f"{selected - len(outcomes.cases)} of the {selected} selected tests never reported "
            "an outcome (a plugin's pytest_runtest_protocol skipped them?)"
        )
    explained = status == 0 or (status == TESTS_FAILED and failing)
    explained = explained or (status == NO_TESTS and facts.deselected_all)
    if not explained:
        if status == TESTS_FAILED:
            problems.append(
                "pytest exited 1 (tests failed) but no test reported a failure: a plugin or an "
                "error outside the tests failed the run; see its output"
            )
        else:
            cause = _internal_error(facts.output_tail) if status == INTERNAL_ERROR else ""
            problems.append(f"pytest exit {status}: {_status_meaning(status)}{cause}")
    return problems


def _internal_error(tail: str) -> str:
    """What pytest's INTERNALERROR was, when it was an OSError (a full disk, a read-only
    folder): the last such line of its output."""
    found = OS_ERROR.findall(tail)
    return f" ({found[-1].strip()})" if found else ""


def _missing_files(facts: RunFacts) -> list[str]:
    problems = []
    if facts.junit is not None and not facts.junit_written:
        problems.append(
            f"pytest wrote no JUnit report to {facts.junit}: the options given or the project's "
            "addopts turned it off (-p no:junitxml?)"
        )
    if facts.data is not None and not facts.data_written:
        problems.append(
            f"pytest wrote no coverage data to {facts.data}: a plugin or the project's settings "
            "turned pytest-cov off (-p no:cov, --no-cov?)"
        )
    return problems


def _status_meaning(status: int) -> str:
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return PYTEST_EXITS.get(status, "an unexpected exit status")


def ended_early(status: int, progress: Progress) -> str:
    """Why a run that never wrote its outcomes cannot be trusted, and where it ended."""
    how = f"exit {status}" if status >= 0 else _status_meaning(status)
    if not progress.started:
        if status == 0:
            return (
                "pytest ended before writing its report (exit 0) and before any test started: "
                "a plugin or conftest ended the process (os._exit?); see its output"
            )
        meaning = "" if status < 0 else f": {_status_meaning(status)}"
        return f"pytest ended ({how}{meaning}) before any test started: see its output"
    tally = counts(Case(test, outcome, 0.0) for test, outcome in progress.reported.items())
    reported = ", ".join(f"{n} {outcome}" for outcome, n in tally.items()) or "none"
    running = progress.running
    where = f", while running {running}" if running else ", after its last test reported"
    return (
        f"pytest ended before writing its report ({how}){where}; {len(progress.reported)} "
        f"test(s) had reported ({reported}): its results cannot be trusted. Run that test "
        "alone with -v to see what ends the process"
    )
