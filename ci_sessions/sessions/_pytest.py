"""pytest as the tests and integration sessions run it: coverage, JUnit XML,
quarantine, slowest tests and a Markdown summary."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import nox

import ci_sessions
from ci_sessions import github, outcomes
from ci_sessions.config import Config
from ci_sessions.github import append_step_summary
from ci_sessions.sessions._coverage import write_coverage_rc
from ci_sessions.sessions._nox import reports_dir, run_tool

PYTEST_NO_TESTS = 5
SKIP_SLOW_ENV = "CI_SESSIONS_SKIP_SLOW"
PLUGIN = Path(ci_sessions.__file__).parent / "pytest_quarantine.py"


def refuse_expired_quarantine(session: nox.Session, config: Config) -> None:
    """An entry past its expiry fails the session until it is renewed or removed."""
    expired = outcomes.expired(config.quarantine, date.today())
    if expired:
        session.error(outcomes.expired_message(expired, config.where("quarantine")))


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
) -> None:
    """Run pytest measured into data_file, JUnit as reports/junit-<name>.xml.

    Fails the session on a failed test and on nothing collected (pytest's exit
    5), which would otherwise be a pass that tested nothing. Quarantined tests
    run, are reported, and do not fail it. posargs: those meant for pytest (the
    session's by default); whole_suite: False for a shard.
    """
    posargs = list(session.posargs if posargs is None else posargs)
    refuse_expired_quarantine(session, config)
    tmp = Path(session.create_tmp())
    rcfile = write_coverage_rc(config, tmp)
    junit = reports_dir(config) / f"junit-{name}.xml"
    junit.unlink(missing_ok=True)
    quarantine_report = tmp / "quarantine-outcomes.json"
    quarantine_report.unlink(missing_ok=True)
    status = run_tool(
        session,
        [
            "pytest",
            *paths,
            f"--cov-config={rcfile}",
            "--cov",
            "--cov-report=",
            f"--junitxml={junit}",
            # xunit1 test cases carry their file, from which node IDs are rebuilt.
            "-o",
            "junit_family=xunit1",
            "-p",
            "pytest_quarantine",
            *([f"--durations={config.slowest}"] if config.slowest else []),
            *(["-m", f"not {config.slow_marker}"] if os.environ.get(SKIP_SLOW_ENV) == "1" else []),
            *args,
            *posargs,
        ],
        env={
            **(env or {}),
            **_quarantine_env(config, tmp, quarantine_report, strict=whole_suite and not posargs),
            "COVERAGE_FILE": str(data_file),
        },
    )
    cases = outcomes.read_junit_file(junit) if junit.is_file() else []
    _summarise(config, name, cases, quarantine_report)
    github.emit(
        github.Annotation(case.file, case.line, f"{name}: {case.id}", case.message)
        for case in cases
        if case.outcome == "failed" and case.file
    )
    if status == PYTEST_NO_TESTS:
        session.error(
            f"pytest collected no tests from {' '.join(paths)}; "
            f"check {config.where(paths_key)} and the -k/-m options given"
        )
    if status != 0:
        session.error(f"pytest failed (exit {status})")


def _quarantine_env(config: Config, tmp: Path, report: Path, *, strict: bool) -> dict[str, str]:
    """Put the quarantine plugin on the path of the project's pytest."""
    plugins = tmp / "plugins"
    plugins.mkdir(exist_ok=True)
    # Copied by path, not imported: the plugin imports pytest, which nox's own
    # environment does not have.
    shutil.copy2(PLUGIN, plugins / PLUGIN.name)
    # Only a full run can tell that an entry matches no test; -k or a path
    # given as posargs legitimately leaves entries unmatched.
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(plugins), os.environ.get("PYTHONPATH")])),
        "CI_SESSIONS_QUARANTINE": json.dumps({e.id: e.reason for e in config.quarantine}),
        "CI_SESSIONS_QUARANTINE_REPORT": str(report),
        "CI_SESSIONS_QUARANTINE_STRICT": "1" if strict else "0",
    }


def _summarise(
    config: Config, name: str, cases: list[outcomes.Case], quarantine_report: Path
) -> None:
    if not cases:
        return  # pytest did not get as far as running tests; its output says why
    recorded = json.loads(quarantine_report.read_text()) if quarantine_report.is_file() else {}
    markdown = outcomes.summary_markdown(
        name,
        cases,
        slow_count=config.slowest,
        quarantine={entry.id: entry.reason for entry in config.quarantine},
        quarantine_outcomes=recorded,
    )
    (reports_dir(config) / f"summary-{name}.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    append_step_summary(markdown)
