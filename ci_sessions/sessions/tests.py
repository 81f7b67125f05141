"""``tests-<python>``: pytest with branch coverage and JUnit XML, one per Python."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox
from nox.logger import logger

from ci_sessions.config import Config
from ci_sessions.sessions._coverage import coverage_data_dir, write_coverage_rc
from ci_sessions.sessions._nox import install, reports_dir, require_paths, run_tool, session

PYTEST_NO_TESTS = 5


def register(config: Config) -> None:
    _hint_missing_interpreters(config)

    @session(config, "tests", python=config.python, tags=["tests"])
    def tests(session: nox.Session) -> None:
        """pytest over test-paths with coverage; posargs go to pytest."""
        require_paths(session, config, "test-paths", config.test_paths)
        install(
            session,
            config,
            extras=config.test_extras,
            groups=config.test_groups,
            tools=("pytest", "pytest-cov", "coverage"),
        )
        python = str(session.python)
        reports = reports_dir(config)
        rcfile = write_coverage_rc(config, Path(session.create_tmp()))
        status = run_tool(
            session,
            [
                "pytest",
                *config.test_paths,
                f"--cov-config={rcfile}",
                "--cov",
                "--cov-report=",
                f"--junitxml={reports / f'junit-tests-{python}.xml'}",
                *session.posargs,
            ],
            # One data file per Python, named for it, so the coverage gate can
            # tell which interpreter of the matrix contributed.
            env={"COVERAGE_FILE": str(coverage_data_dir(config) / f".coverage.py{python}")},
        )
        if status == PYTEST_NO_TESTS:
            session.error(
                f"pytest collected no tests from {' '.join(config.test_paths)}; "
                f"check {config.where('test-paths')} and the -k/-m options given"
            )
        if status != 0:
            session.error(f"pytest failed (exit {status})")


def _hint_missing_interpreters(config: Config) -> None:
    """nox skips a missing interpreter locally without saying how to get it."""
    if "CI" in os.environ:
        return  # nox fails the session on CI, which is what we want there.
    for version in config.python:
        if shutil.which(f"python{version}") is None:
            logger.warning(
                f"ci-sessions: python{version} is not on PATH, so tests-{version} "
                "is skipped here (with CI set it fails). Install it, e.g. "
                f"`uv python install {version}` or `pyenv install {version}`, "
                "and put its bin folder on PATH."
            )
