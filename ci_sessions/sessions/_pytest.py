"""pytest with coverage and JUnit XML, as the tests and integration sessions run it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import nox

from ci_sessions.config import Config
from ci_sessions.sessions._coverage import write_coverage_rc
from ci_sessions.sessions._nox import reports_dir, run_tool

PYTEST_NO_TESTS = 5


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
) -> None:
    """Run pytest measured into data_file, JUnit as reports/junit-<name>.xml.

    Fails the session on a failed test and on nothing collected (pytest's exit
    5), which would otherwise be a pass that tested nothing.
    """
    rcfile = write_coverage_rc(config, Path(session.create_tmp()))
    status = run_tool(
        session,
        [
            "pytest",
            *paths,
            f"--cov-config={rcfile}",
            "--cov",
            "--cov-report=",
            f"--junitxml={reports_dir(config) / f'junit-{name}.xml'}",
            *args,
            *session.posargs,
        ],
        env={**(env or {}), "COVERAGE_FILE": str(data_file)},
    )
    if status == PYTEST_NO_TESTS:
        session.error(
            f"pytest collected no tests from {' '.join(paths)}; "
            f"check {config.where(paths_key)} and the -k/-m options given"
        )
    if status != 0:
        session.error(f"pytest failed (exit {status})")
