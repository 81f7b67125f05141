"""pytest as the test sessions run it: coverage, JUnit XML, exact outcomes,
quarantine, a timeout per test, the slowest tests and a Markdown summary."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import nox

from ci_sessions import github, invocation, pipeline_report, pytest_options, test_outcomes
from ci_sessions import verdicts as checks
from ci_sessions.config import Config
from ci_sessions.config.project import source_dir
from ci_sessions.families.coverage import data as coverage_data
from ci_sessions.families.coverage.rc import write_rc
from ci_sessions.families.tests import affected_run
from ci_sessions.glue import installs
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import (
    IN_VENV,
    install,
    publish_summary,
    reports_dir,
    run_redacted,
    run_tool,
    warn_visibly,
)
from ci_sessions.masking import redact

SKIP_SLOW_ENV = "CI_SESSIONS_SKIP_SLOW"
# A suite's leak check: the limit the plugin puts on every test (pytest-memray's limit_leaks).
LEAK_ENV = "CI_SESSIONS_LEAK_LIMIT"
# 1.11 reads memray 1.19+; memray has no Windows wheels (Linux and macOS).
MEMRAY = "pytest-memray>=1.11,<2"
PLUGIN = IN_VENV / "pytest_ci_sessions.py"
# What every session that runs the project's tests installs beside them.
TEST_TOOLS = {
    "pytest": "pytest>=9.0,<10",
    "pytest-cov": "pytest-cov>=7.0,<8",
    "coverage": "coverage>=7.10,<8",
    # A hanging test fails with its name instead of running until the job's limit.
    "pytest-timeout": "pytest-timeout>=2.3,<3",
}


def install_for_tests(session: nox.Session, config: Config, tools: Iterable[str]) -> None:
    """The project with what its tests need (test-extras, test-groups, requirements files,
    Poetry test groups), and these tools."""
    install(
        session,
        config,
        extras=config.test_extras,
        groups=config.test_groups,
        tools=tools,
        for_tests=True,
    )


def quiet_pytest(paths: Sequence[str]) -> list[str]:
    """pytest over paths, quiet, leaving no cache in the project: for runs whose
    report is ours (flaky's rounds, collect, durations)."""
    return ["pytest", *paths, "-q", "-p", "no:cacheprovider"]


def refuse_expired_quarantine(session: nox.Session, config: Config) -> None:
    """An entry past its expiry fails the session until it is renewed or removed."""
    expired = test_outcomes.expired(config.quarantine, date.today())
    if expired:
        session.error(test_outcomes.expired_message(expired, config.key_ref("quarantine")))


def plugin_env(config: Config, tmp: Path, outcomes: Path, *, strict: bool) -> dict[str, str]:
    """Put the ci-sessions pytest plugin on the path of the project's pytest."""
    plugins = tmp / "plugins"
    plugins.mkdir(exist_ok=True)
    # Copied by path, not imported: the plugin imports pytest, which nox's own
    # environment does not have. Only a full run can tell that a quarantine
    # entry matches no test; -k or a path legitimately leaves entries unmatched.
    shutil.copy2(PLUGIN, plugins / PLUGIN.name)
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(plugins), os.environ.get("PYTHONPATH")])),
        "CI_SESSIONS_QUARANTINE": json.dumps({e.id: e.reason for e in config.quarantine}),
        "CI_SESSIONS_QUARANTINE_STRICT": "1" if strict else "0",
        "CI_SESSIONS_OUTCOMES": str(outcomes),
    }


def selection_args(
    config: Config, posargs: Sequence[str], markers: str | None = None
) -> tuple[list[str], list[str]]:
    """(-m and --timeout options, the posargs left for pytest).

    `markers`: the session's own expression (integration's), kept with the others.
    """
    skip_slow = f"not {config.slow_marker}" if os.environ.get(SKIP_SLOW_ENV) == "1" else None
    marker_options, rest = pytest_options.marker_args(
        posargs,
        ini=config.pytest_ini,
        environ=os.environ,
        extra=[markers, config.test_markers, skip_slow],
    )
    timeout = pytest_options.timeout_args(config.pytest_ini, os.environ, config.test_timeout)
    return [*marker_options, *timeout], rest


def subset_of(config: Config, posargs: Sequence[str]) -> str:
    """How a run narrows the suite: its posargs (-k, -m, test paths), or skipping the slow
    tests; empty for the whole suite (a shard is whole once combined with the others)."""
    if posargs:
        return " ".join(posargs)
    if os.environ.get(SKIP_SLOW_ENV) == "1":
        return f"{SKIP_SLOW_ENV}=1 skips -m {config.slow_marker}"
    return ""


def measured_code(config: Config, paths: Sequence[str]) -> list[str]:
    """The folders whose Python files coverage data depends on: sources and tests."""
    sources = [found for package in config.packages if (found := source_dir(config.root, package))]
    return [*sources, *paths]


def run_pytest(
    session: nox.Session,
    config: Config,
    *,
    paths: Sequence[str],
    paths_key: str,
    name: str,
    data_file: Path,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    posargs: Sequence[str] | None = None,
    whole_suite: bool = True,
    secret_env: bool = False,
    markers: str | None = None,
    budget: tuple[float, float] = (0.0, 0.0),
    narrowed: str = "",
    selection: affected_run.Selection | None = None,
) -> None:
    """Run pytest measured into data_file, JUnit as reports/junit-<name>.xml.

    Fails the session on a failed test, on nothing collected (pytest's exit
    5), and on a run that ended before pytest wrote its report (a test calling
    os._exit exits 0 having written nothing): none of those is a pass.
    Quarantined tests run, are reported, and do not fail it. posargs: those
    meant for pytest (the session's by default); whole_suite: False for a shard;
    secret_env: the environment holds secrets (service URLs), so pytest's output
    and its JUnit XML are masked; markers: the session's own -m expression;
    budget: (max, warn) failure rates written down for the session (0: none);
    narrowed: the label of a narrowed tier's run (its data is partial, marked so);
    selection: affected-test selection's part (measuring per test, leaving tests out).
    """
    posargs = list(session.posargs if posargs is None else posargs)
    refuse_expired_quarantine(session, config)
    tmp = scratch_dir(session)
    rcfile = write_rc(config, tmp)
    junit = reports_dir(config) / f"junit-{name}.xml"
    outcomes_file = tmp / f"outcomes-{name}.json"
    # Nothing of an earlier run may pass for this one's.
    for stale in (junit, outcomes_file, data_file, coverage_data.record_path(data_file)):
        stale.unlink(missing_ok=True)
    # Taken before the run: the code these data measure, and how much of the suite runs.
    # A tier's label says all (its gate expects it); else --affected's selection is the subset.
    chosen = selection.subset() if selection and not narrowed else ""
    subset = "; ".join(filter(None, [narrowed, chosen, subset_of(config, posargs)]))
    record = coverage_data.new_record(
        session.name,
        invocation.current(),
        config.root,
        measured_code(config, paths),
        installs.project_files(config.root),
        subset,
    )
    if subset:
        gate = "that tier's coverage gate takes it, " if narrowed else ""
        session.warn(
            f"{name}: a subset of the suite ({subset}): its coverage data is marked partial; "
            f"{gate}the full coverage gate refuses it until the whole suite runs"
        )
    options, posargs = selection_args(config, posargs, markers)
    status = (run_redacted if secret_env else run_tool)(
        session,
        [
            "pytest",
            *paths,
            f"--cov-config={rcfile}",
            "--cov",
            "--cov-report=",
            f"--junitxml={junit}",
            "-p",
            "pytest_ci_sessions",
            *([f"--durations={config.slowest}"] if config.slowest else []),
            *args,
            *(selection.args() if selection else []),
            # The configured options before the posargs, which can override them.
            *config.pytest_args,
            *posargs,
            *options,
        ],
        env={
            **dict(config.test_env),
            **(env or {}),
            **plugin_env(config, tmp, outcomes_file, strict=whole_suite and not posargs),
            **(selection.env() if selection else {}),
            "COVERAGE_FILE": str(data_file),
        },
    )
    if secret_env and junit.is_file():
        junit.write_text(redact(junit.read_text(encoding="utf-8")), encoding="utf-8")
    outcomes = test_outcomes.read_outcomes_file(outcomes_file)
    if outcomes is None:
        if status == 0:
            session.error(test_outcomes.ended_early(status))
        session.error(f"pytest failed (exit {status}) before it ran the tests: see its output")
    if data_file.is_file():
        coverage_data.write_record(data_file, record)
    counts = selection.counts() if selection else None
    if selection:
        pipeline_report.figure("selection", selection.summary())
        if selection.records and data_file.is_file() and status in (0, pytest_options.TESTS_FAILED):
            affected_run.record(session, config, selection, data_file, outcomes)
    quarantined = {entry.id for entry in config.quarantine}
    failing = [
        case
        for case in outcomes.cases
        if case.outcome in test_outcomes.FAILING and case.id not in quarantined
    ]
    ran = sum(1 for case in outcomes.cases if case.outcome != "skipped")
    for outcome, count in test_outcomes.counts(outcomes.cases).items():
        pipeline_report.figure(outcome, count)
    decision, why = checks.failure_budget(len(failing), ran, *budget)
    _summarise(
        config,
        name,
        outcomes.cases,
        budget=why if any(budget) and failing else "",
        selection=selection.summary() if selection else "",
    )
    # Within a budget, the failed tests are still annotated one by one, as warnings.
    level = "error" if decision == "fail" else "warning"
    github.emit(
        github.Annotation(case.file, case.line, f"{name}: {case.id}", case.message, level=level)
        for case in failing
        if case.file
    )
    retried = [case.id for case in outcomes.cases if case.passed_after_retry]
    if retried:
        message = (
            f"{len(retried)} test(s) passed only after a retry (flaky, not a clean pass): "
            f"{', '.join(retried)}"
        )
        warn_visibly(session, name, [message])
        pipeline_report.figure("passed after retry", len(retried))
    if status == pytest_options.TESTS_FAILED and failing and decision != "fail":
        if decision == "warn":
            warn_visibly(session, name, [why])
        else:
            session.log(f"{name}: {why}")
        status = 0  # the budget, written down, accepts these failures
    if status == pytest_options.NO_TESTS and counts is not None and counts[1] and not counts[0]:
        # Every collected test was left out: the change reaches none, and the summary says so.
        session.log(
            f"{name}: no test is affected by the change ({selection and selection.summary()})"
        )
        return
    if status == pytest_options.NO_TESTS:
        session.error(
            f"pytest collected no tests from {' '.join(paths)}; "
            f"check {config.key_ref(paths_key)} and the -k/-m options given"
        )
    problem = pytest_options.exit_problem(status)
    if problem:
        session.error(f"pytest failed (exit {status}): {problem}")
    if not data_file.is_file():
        session.error(
            f"pytest passed but wrote no coverage data to {data_file}: a plugin or the "
            "project's settings turned pytest-cov off (-p no:cov, --no-cov?)"
        )


def _summarise(
    config: Config,
    name: str,
    cases: Sequence[test_outcomes.Case],
    *,
    budget: str = "",
    selection: str = "",
) -> None:
    markdown = test_outcomes.summary_markdown(
        name,
        cases,
        slow_count=config.slowest,
        quarantine={entry.id: entry.reason for entry in config.quarantine},
        budget=budget,
        selection=selection,
    )
    publish_summary(config, f"summary-{name}.md", markdown)
