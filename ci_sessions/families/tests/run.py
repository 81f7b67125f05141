"""The body of `tests-<python>`: imported when the session runs, not when the noxfile loads.

Affected selection, shards, the pytest run and its judgement are the heavy part of the
tests family; `ci_sessions.families.tests.session` defines the sessions and imports this
module inside the session, so that every `nox` start (`nox -l` too) does not pay for it.
"""

from __future__ import annotations

import os

import nox

from ci_sessions import coverage_data
from ci_sessions.config import Config
from ci_sessions.families.base import pins
from ci_sessions.families.tests import affected_option, narrow, shards, unittest_protocol
from ci_sessions.families.tests.session import TOOLS, durations_path, xdist_args
from ci_sessions.families.tests.settings import MatrixConfig
from ci_sessions.glue.nox_mode import installing_only
from ci_sessions.glue.pytest_run import TEST_TOOLS, PytestRun, install_for_tests
from ci_sessions.glue.pytest_session import run_pytest
from ci_sessions.glue.session import (
    install_tools,
    reports_data_dir,
    require_paths,
    warn_visibly,
)
from ci_sessions.platforms import this_system
from ci_sessions.workflow.settings import WorkflowConfig


def tests(session: nox.Session, config: Config) -> None:
    """pytest over test-paths with coverage, the matrix' and the tier's options applied."""
    require_paths(session, config, "test-paths", config.test_paths)
    matrix = config.of(MatrixConfig)
    install_for_tests(session, config, TEST_TOOLS.values())
    try:
        shard, posargs = shards.take_shard(session.posargs)
    except ValueError as exc:
        session.error(str(exc))
    asked, posargs = affected_option.take_option(posargs)
    extra_tools = (["pytest-split"] if shard else []) + (["pytest-xdist"] if matrix.xdist else [])
    if extra_tools:
        install_tools(session, config, *pins(TOOLS, *extra_tools))
    if installing_only(session):
        session.log("--install-only: installed; the tests run on the next call")
        return
    python = str(session.python)
    narrowed = narrow.in_force(matrix.narrow)
    if narrowed and narrowed[1].python and python not in narrowed[1].python:
        tier, narrowing = narrowed
        session.skip(
            f"tier {tier} runs the tests on Python {', '.join(narrowing.python)} only "
            f"({narrow.TIER_ENV}={tier}, [tool.ci_sessions.narrow.{tier}])"
        )
    # With an OS axis every system's data file goes to the coverage job: named apart.
    system = this_system() if config.of(WorkflowConfig).options("tests").os_axis else None
    data_name = coverage_data.data_name(python, None if shard is None else shard.suffix, system)
    wanted = asked or bool(narrowed and narrowed[1].affected)
    if wanted and shard is not None:
        session.error(
            f"tests: {affected_option.OPTION} and --shard cannot be combined (one map "
            "per Python, not per shard)"
        )
    markers = narrowed[1].expression(config.slow_marker) if narrowed else None
    main_branch = config.of(WorkflowConfig).main
    selection = None
    if wanted or affected_option.enabled(config):
        # Only then: the map, the fingerprints and the plan cost a run that uses none.
        from ci_sessions.families.tests import affected_run

        selection = affected_run.prepare(
            session,
            config,
            wanted=wanted,
            # A tier's -m run may map too: the tests it did not run are unknown to the map,
            # and a test the map does not know always runs.
            records=shard is None
            and not posargs
            and affected_run.keeps_map(os.environ, main_branch),
            occasion=affected_run.occasion(os.environ, main_branch),
        )
    run = PytestRun(
        name=f"tests-{python}" + ("" if shard is None else f"-{shard.suffix}"),
        paths=config.test_paths,
        paths_key="test-paths",
        # One data file per Python (and shard), named for it, so the
        # coverage gate can tell which part of the matrix contributed.
        data_file=reports_data_dir(config) / data_name,
        args=(
            *([] if shard is None else shard.pytest_args(str(durations_path(config)))),
            *xdist_args(matrix.xdist, parallel=session.parallel),
        ),
        posargs=tuple(posargs),
        whole_suite=shard is None,
        budget=(matrix.max_failure_rate, matrix.warn_failure_rate),
        markers=markers,
        narrowed=narrowed[1].label(narrowed[0], config.slow_marker) if narrowed else "",
    )
    unrun = unittest_protocol.load_tests_modules(config.root, config.test_paths)
    if unrun:
        warn_visibly(session, run.name, [unittest_protocol.warning(unrun)])
    run_pytest(session, config, run, selection)
