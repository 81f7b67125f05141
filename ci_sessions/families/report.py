"""``report``: the pipeline's one report, from every session's record of this run.

It runs last in the default pipeline (`nox`) and as the last job of every workflow
run, which downloads each job's records first. It is not a gate: each session's own
verdict is; this says them all in one table (`pipeline.md`, and the step summary).
"""

from __future__ import annotations

import json
import os

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks
from ci_sessions.glue.session import publish_summary, reports_dir, session
from ci_sessions.workflow.settings import WorkflowConfig

NAME = "report"
# Not a tier member: `nox -t pr` runs the gates; the workflow adds the report's job itself.
MEMBERS: dict[str, tuple[str, ...]] = {}
SESSIONS = ("report",)
SECTIONS = ()
TOOLS: dict[str, str] = {}
REPORTS = {
    "pipeline.json": "every session of the run: name, tiers, status (pass, warn, fail, "
    "skipped and why), seconds, warnings, counts and gate figures (each session's own "
    "record is in `pipeline.d/`)",
    "pipeline.md": "`report`: one table of the sessions with their verdicts and figures",
}
checks = no_checks
# The report job's `toJSON(needs)`: every job's result.
JOBS_ENV = "CI_SESSIONS_JOBS"


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    # The generator adds the report job (ci_sessions.workflow.report): it needs every other.
    return []


def warn_jobs(config: Config) -> list[str]:
    """The jobs whose failure lets the stages after them run (`on-failure = "warn"`)."""
    settings = config.get(WorkflowConfig)
    if settings is None:
        return []
    return [job for job, options in settings.jobs if options.on_failure == "warn"]


def register(config: Config) -> None:
    @session(config, "report", python=False, venv_backend="none")
    def report(session: nox.Session) -> None:
        """The pipeline's one report: every session's verdict and figures, this run."""
        from ci_sessions import pipeline_report

        reports = reports_dir(config)
        run = pipeline_report.run_id()
        records = pipeline_report.merge(reports, run)
        # In CI: every job's result, so that a job whose session writes no record (the
        # project's own) still counts.
        jobs = os.environ.get(JOBS_ENV)
        if jobs:
            records += pipeline_report.unrecorded_jobs(json.loads(jobs), records, run)
        records = pipeline_report.let_through(records, warn_jobs(config))
        if not records:
            session.error(
                "report: no session of this run wrote a record: run the sessions first in the "
                f"same nox command (`nox`), or put the jobs' records in {reports}/"
                f"{pipeline_report.RECORDS}"
            )
        absent = [f"tests-{python}" for python in config.absent_pythons]
        markdown = pipeline_report.markdown(records, absent)
        (reports / "pipeline.md").write_text(markdown, encoding="utf-8")
        publish_summary(config, None, markdown)
