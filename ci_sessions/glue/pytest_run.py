"""pytest as the test sessions run it: coverage, JUnit XML, exact outcomes,
quarantine, a timeout per test, the slowest tests and a Markdown summary."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nox

from ci_sessions import pytest_options
from ci_sessions.config import Config
from ci_sessions.config.project import source_dir
from ci_sessions.glue.session import IN_VENV, install

SKIP_SLOW_ENV = "CI_SESSIONS_SKIP_SLOW"
# A suite's leak check: the limit the plugin puts on every test (pytest-memray's limit_leaks).
LEAK_ENV = "CI_SESSIONS_LEAK_LIMIT"
# 1.11 reads memray 1.19+; memray has no Windows wheels (Linux and macOS).
MEMRAY = "pytest-memray>=1.11,<2"
# The ci-sessions pytest plugin (loaded with -p pytest_ci_sessions) and its optional parts.
PLUGINS = (IN_VENV / "pytest_ci_sessions.py", IN_VENV / "pytest_ci_sessions_extras.py")
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
    # Imported here: TEST_TOOLS above is read when the noxfile loads, this when one runs.
    from ci_sessions import test_outcomes

    expired = test_outcomes.expired(config.quarantine, date.today())
    if expired:
        session.error(test_outcomes.expired_message(expired, config.key_ref("quarantine")))


def copy_plugins(tmp: Path) -> Path:
    """The plugin's files in tmp/plugins, the folder to put on the project pytest's path.

    Copied by path, not imported: the plugin imports pytest, which nox's own
    environment does not have.
    """
    plugins = tmp / "plugins"
    plugins.mkdir(exist_ok=True)
    for source in PLUGINS:
        shutil.copy2(source, plugins / source.name)
    return plugins


def plugin_env(config: Config, tmp: Path, outcomes: Path, *, strict: bool) -> dict[str, str]:
    """Put the ci-sessions pytest plugin on the path of the project's pytest.

    Only a full run can tell that a quarantine entry matches no test; -k or a path
    legitimately leaves entries unmatched (strict: a full run).
    """
    plugins = copy_plugins(tmp)
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


@dataclass(frozen=True)
class PytestRun:
    """What a session asks of one pytest run of the project's tests."""

    name: str  # the reports' name: junit-<name>.xml, summary-<name>.md
    paths: tuple[str, ...]
    paths_key: str  # the key that configures the paths, for messages
    data_file: Path  # where coverage data goes
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    posargs: tuple[str, ...] | None = None  # for pytest; None: the session's own
    whole_suite: bool = True  # False: one shard of it
    # The project-wide quarantine must match a test of this run (tests-<python>'s); a
    # suite runs part of the tests, where another suite's entry is no dead one.
    quarantine_strict: bool = True
    markers: str | None = None  # the session's own -m expression
    budget: tuple[float, float] = (0.0, 0.0)  # (max, warn) failure rates written down
    narrowed: str = ""  # a narrowed tier's label: its data is partial, marked so


@dataclass(frozen=True)
class RunFiles:
    """Where one run writes: the JUnit report, the plugin's outcomes, the coverage rc."""

    junit: Path
    outcomes: Path
    rcfile: Path

    @property
    def progress(self) -> Path:
        return self.outcomes.with_name(self.outcomes.name + ".progress")


def pytest_command(
    config: Config,
    run: PytestRun,
    files: RunFiles,
    *,
    options: Sequence[str],
    posargs: Sequence[str],
    selection: Sequence[str] = (),
    tty: bool = False,
) -> list[str]:
    """The pytest command line, in the order that lets the posargs override the rest:
    ours, the run's, selection's, the configured pytest-args, posargs, then -m/--timeout."""
    return [
        "pytest",
        *run.paths,
        f"--cov-config={files.rcfile}",
        "--cov",
        "--cov-report=",
        f"--junitxml={files.junit}",
        "-p",
        "pytest_ci_sessions",
        # Its output passes through a pipe (masking secrets): keep a terminal's colours.
        *(["--color=yes"] if tty else []),
        *([f"--durations={config.slowest}"] if config.slowest else []),
        *run.args,
        *selection,
        *config.pytest_args,
        *posargs,
        *options,
    ]
