"""``flaky``: run the suite several times in varying order and name the flaky tests."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import nox

from ci_sessions import test_outcomes
from ci_sessions.config import Config
from ci_sessions.families.flaky import analysis as flaky_analysis
from ci_sessions.families.flaky.family import TOOLS
from ci_sessions.families.flaky.settings import FlakyConfig
from ci_sessions.glue.pytest_run import (
    install_for_tests,
    plugin_env,
    quiet_pytest,
    refuse_expired_quarantine,
    selection_args,
)
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import (
    publish_summary,
    reports_dir,
    require_paths,
    run_tool,
)
from ci_sessions.masking import redact_file
from ci_sessions.pytest_verdict import RunFacts, judge

# The environment variable that tells a test which run it is in, so a test
# suite can make its own randomness reproducible per run.
RUN_ENV = "CI_SESSIONS_FLAKY_RUN"


def flaky(session: nox.Session, config: Config) -> None:
    """The body of `flaky` (defined in family.py, imported when it runs)."""
    settings = config.of(FlakyConfig)
    refuse_expired_quarantine(session, config)
    paths = settings.paths or config.test_paths
    require_paths(session, config, "flaky.paths", paths)
    install_for_tests(session, config, TOOLS.values())
    folder = reports_dir(config) / "flaky"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("junit-run-*.xml"):
        old.unlink()
    runs = [_run(session, config, paths, folder, number) for number in range(1, settings.runs + 1)]
    quarantined = [entry.id for entry in config.quarantine]
    unknown = flaky_analysis.unknown_ids(quarantined, runs)
    if unknown:
        session.error(
            f"{config.key_ref('quarantine')}: entries that match no test (remove or fix "
            f"them): {', '.join(unknown)}"
        )
    report = flaky_analysis.analyse_runs(runs, quarantined)
    _write(folder.parent, report)
    publish_summary(config, "flaky.md", flaky_analysis.flaky_markdown(report))
    if report.failures:
        session.error("; ".join(report.failures))


def _run(
    session: nox.Session, config: Config, paths: tuple[str, ...], folder: Path, number: int
) -> list[test_outcomes.Case]:
    tmp = scratch_dir(session)
    outcomes_file = tmp / f"outcomes-run-{number}.json"
    progress = outcomes_file.with_name(outcomes_file.name + ".progress")
    junit = folder / f"junit-run-{number}.xml"
    for stale in (outcomes_file, progress, junit):
        stale.unlink(missing_ok=True)
    options, posargs = selection_args(config, session.posargs)
    status = run_tool(
        session,
        [
            *quiet_pytest(paths),
            # pytest-randomly: another order in each run, reproducible by its seed.
            "-p",
            "randomly",
            f"--randomly-seed={number}",
            "-p",
            "pytest_ci_sessions",
            f"--junitxml={junit}",
            *config.pytest_args,
            *posargs,
            *options,
        ],
        env={
            **dict(config.test_env),
            RUN_ENV: str(number),
            **plugin_env(config, tmp, outcomes_file, strict=False),
        },
    )
    redact_file(junit)
    outcomes = test_outcomes.read_outcomes_file(outcomes_file)
    # Failed tests are what is being measured; a run that ran nothing, or not to its
    # end, fails here.
    judgement = judge(
        RunFacts(
            status=status,
            outcomes=outcomes,
            progress=test_outcomes.read_progress(progress),
            junit=junit,
            junit_written=junit.is_file(),
            all_skipped=config.all_skipped,
            failures_measured=True,
            paths=" ".join(paths),
        )
    )
    if not judgement.passed or outcomes is None:
        session.error(f"flaky, run {number}: {judgement.message}")
    return list(outcomes.cases)


def _write(reports: Path, report: flaky_analysis.FlakyReport) -> None:
    data = {
        "runs": report.runs,
        "tests": report.tests,
        "flaky": [{**asdict(f), "failure_rate": f.failure_rate} for f in report.flaky],
        "failing_every_run": [asdict(f) for f in report.always_failing],
    }
    (reports / "flaky.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
