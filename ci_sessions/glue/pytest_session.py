"""One pytest run of the project's tests, in three parts: the plan (pytest_run's pure
pytest_command), the run, and the judgement (ci_sessions.pytest_verdict, pure), then
the summary, the annotations and the pipeline record that report it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import nox

from ci_sessions import coverage_data, git, github, invocation, pipeline_report, test_outcomes
from ci_sessions.config import Config
from ci_sessions.glue.coverage_rc import write_rc
from ci_sessions.glue.nox_mode import installing_only
from ci_sessions.glue.pytest_run import (
    PytestRun,
    RunFiles,
    measured_code,
    plugin_env,
    pytest_command,
    refuse_expired_quarantine,
    selection_args,
    subset_of,
)
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import publish_summary, reports_dir, run_streamed, warn_visibly
from ci_sessions.masking import redact_file
from ci_sessions.pytest_verdict import Judgement, RunFacts, judge
from ci_sessions.test_outcomes import Outcomes


class Selection(Protocol):
    """Affected-test selection's part in a run (ci_sessions.families.tests.affected_run):
    glue knows this shape, not the family."""

    def args(self) -> list[str]: ...

    def env(self) -> dict[str, str]: ...

    def subset(self) -> str: ...

    def counts(self) -> tuple[int, int] | None: ...

    def summary(self) -> str: ...

    def misses(self) -> list[str]: ...

    def after_run(
        self, session: nox.Session, config: Config, data_file: Path, outcomes: Outcomes
    ) -> None: ...


def run_pytest(
    session: nox.Session,
    config: Config,
    run: PytestRun,
    selection: Selection | None = None,
) -> None:
    """Run pytest measured into run.data_file, JUnit as reports/junit-<name>.xml, and fail
    the session unless the judgement of what ran passes (ci_sessions.pytest_verdict).

    Quarantined tests run, are reported, and do not fail it. `selection`: affected-test
    selection's part (measuring per test, leaving tests out). Under --install-only nothing
    runs: the installs are done.
    """
    if installing_only(session):
        return
    posargs = list(session.posargs if run.posargs is None else run.posargs)
    refuse_expired_quarantine(session, config)
    tmp = scratch_dir(session)
    files = RunFiles(
        junit=reports_dir(config) / f"junit-{run.name}.xml",
        outcomes=tmp / f"outcomes-{run.name}.json",
        rcfile=write_rc(config, tmp),
    )
    # Nothing of an earlier run may pass for this one's.
    for stale in (
        files.junit,
        files.outcomes,
        files.progress,
        run.data_file,
        coverage_data.record_path(run.data_file),
    ):
        stale.unlink(missing_ok=True)
    record = _data_record(session, config, run, posargs, selection)
    options, posargs = selection_args(config, posargs, run.markers)
    command = pytest_command(
        config,
        run,
        files,
        options=options,
        posargs=posargs,
        selection=selection.args() if selection else (),
        tty=sys.stdout.isatty(),
    )
    strict = run.quarantine_strict and run.whole_suite and not posargs
    ran = run_streamed(
        session,
        command,
        env={
            **dict(config.test_env),
            **run.env,
            **plugin_env(config, tmp, files.outcomes, strict=strict),
            **(selection.env() if selection else {}),
            "COVERAGE_FILE": str(run.data_file),
        },
    )
    # The JUnit file is an artifact: no password or token of the environment in it.
    redact_file(files.junit)
    outcomes = test_outcomes.read_outcomes_file(files.outcomes)
    counts = selection.counts() if selection else None
    deselected_all = counts is not None and bool(counts[1]) and not counts[0]
    judgement = judge(
        RunFacts(
            status=ran.status,
            outcomes=outcomes,
            progress=test_outcomes.read_progress(files.progress),
            junit=files.junit,
            junit_written=files.junit.is_file(),
            data=None if deselected_all else run.data_file,
            data_written=run.data_file.is_file(),
            quarantined=frozenset(entry.id for entry in config.quarantine),
            budget=run.budget,
            all_skipped=config.all_skipped,
            deselected_all=deselected_all,
            paths=" ".join(run.paths),
            paths_ref=config.key_ref(run.paths_key),
            output_tail=ran.tail,
        )
    )
    if run.data_file.is_file():
        coverage_data.write_record(run.data_file, record)
    if selection:
        if run.data_file.is_file() and outcomes is not None:
            selection.after_run(session, config, run.data_file, outcomes)
        pipeline_report.figure("selection", selection.summary())
    if outcomes is not None:
        _report(session, config, run.name, outcomes.cases, judgement, selection)
    missed = selection.misses() if selection else []
    if missed:
        session.error(
            f"{run.name}: affected selection would have left out {len(missed)} failing "
            f"test(s) on this change: {', '.join(missed)} (a rule of the map misses a case, "
            "or the test is flaky: `nox -s flaky` tells)"
        )
    if not judgement.passed:
        session.error(f"{run.name}: {judgement.message}")
    session.log(f"{run.name}: {judgement.message}")


def _data_record(
    session: nox.Session,
    config: Config,
    run: PytestRun,
    posargs: Sequence[str],
    selection: Selection | None,
) -> coverage_data.RunRecord:
    """Taken before the run: the code these data measure, and how much of the suite runs.

    A tier's label says all (its gate expects it); else --affected's selection is the subset.
    """
    chosen = selection.subset() if selection and not run.narrowed else ""
    subset = "; ".join(filter(None, [run.narrowed, chosen, subset_of(config, posargs)]))
    if subset:
        gate = "that tier's coverage gate takes it, " if run.narrowed else ""
        session.warn(
            f"{run.name}: a subset of the suite ({subset}): its coverage data is marked "
            f"partial; {gate}the full coverage gate refuses it until the whole suite runs"
        )
    return coverage_data.new_record(
        session.name,
        invocation.current(),
        config.root,
        measured_code(config, run.paths),
        git.project_files(config.root),
        subset,
    )


def _report(
    session: nox.Session,
    config: Config,
    name: str,
    cases: Sequence[test_outcomes.Case],
    judgement: Judgement,
    selection: Selection | None,
) -> None:
    """The summary, each failing test's annotation, the figures and the warnings."""
    for outcome, count in test_outcomes.counts(cases).items():
        pipeline_report.figure(outcome, count)
    markdown = test_outcomes.summary_markdown(
        name,
        cases,
        slow_count=config.slowest,
        quarantine={entry.id: entry.reason for entry in config.quarantine},
        budget=judgement.budget if judgement.failing else "",
        selection=selection.summary() if selection else "",
        verdict="" if judgement.passed else judgement.message,
    )
    publish_summary(config, f"summary-{name}.md", markdown)
    # Within a budget, the failed tests are still annotated one by one, as warnings.
    github.emit(
        github.Annotation(
            case.file, case.line, f"{name}: {case.id}", case.message, level=judgement.level
        )
        for case in judgement.failing
        if case.file
    )
    retried = [case.id for case in cases if case.passed_after_retry]
    if retried:
        message = (
            f"{len(retried)} test(s) passed only after a retry (flaky, not a clean pass): "
            f"{', '.join(retried)}"
        )
        warn_visibly(session, name, [message])
        pipeline_report.figure("passed after retry", len(retried))
    warn_visibly(session, name, judgement.warnings)
    if judgement.passed and judgement.failing and not judgement.warnings:
        session.log(f"{name}: {judgement.budget}")  # within the warn rate: said, not warned
