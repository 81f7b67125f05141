"""``tests-<python>``: pytest with branch coverage and JUnit XML, one per Python."""

from __future__ import annotations

from pathlib import Path

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import pins
from ci_sessions.families.tests.settings import MatrixConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS, install_for_tests, quiet_pytest
from ci_sessions.glue.session import require_paths, run_tool, session
from ci_sessions.pytest_options import NO_TESTS, exit_problem

TOOLS = {
    **TEST_TOOLS,
    "pytest-split": "pytest-split>=0.10,<0.12",
    "pytest-xdist": "pytest-xdist>=3.6,<4",
}


def register(config: Config) -> None:
    # Parallel-safe: each Python has its own venv, data file and report names.
    @session(config, "tests", python=config.python, allow_parallel=True)
    def tests(session: nox.Session) -> None:
        """pytest over test-paths with coverage; posargs go to pytest."""
        # Imported when it runs (#32): affected selection, shards, the pytest run.
        from ci_sessions.families.tests import run

        run.tests(session, config)

    @session(config, "durations", python=config.python_of("durations"), default=False)
    def durations(session: nox.Session) -> None:
        """Record test durations for pytest-split; commit the file to balance shards."""
        install_for_tests(session, config, pins(TOOLS, "pytest", "pytest-split"))
        target = durations_path(config)
        status = run_tool(
            session,
            [
                *quiet_pytest(config.test_paths),
                "--store-durations",
                f"--durations-path={target}",
                *session.posargs,
            ],
        )
        # Failed tests still have durations worth keeping.
        problem = exit_problem(status, failed_tests_ok=True)
        if problem:
            session.error(f"durations: {problem}")
        session.log(f"wrote {target}: commit it so that the shards stay balanced")

    @session(
        config, "collect", python=config.python_of("collect"), default=False, allow_parallel=True
    )
    def collect(session: nox.Session) -> None:
        """Import and collect the tests without running them: the smoke tier's check."""
        require_paths(session, config, "test-paths", config.test_paths)
        install_for_tests(session, config, pins(TOOLS, "pytest"))
        status = run_tool(
            session,
            [
                *quiet_pytest(config.test_paths),
                "--collect-only",
                *session.posargs,
            ],
        )
        if status == NO_TESTS:
            session.error(f"pytest collected no tests; check {config.key_ref('test-paths')}")
        if exit_problem(status):
            session.error(
                f"collecting the tests failed ({exit_problem(status)}): an import error or a "
                "broken test module, shown above"
            )


def xdist_args(enabled: bool, *, parallel: bool) -> list[str]:
    """-n auto when asked for, but not under nox -j: the sessions already share the cores."""
    if not enabled:
        return []
    return ["-n", "0"] if parallel else ["-n", "auto"]


def durations_path(config: Config) -> Path:
    return config.root / config.of(MatrixConfig).durations_file
