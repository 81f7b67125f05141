"""Running one suite: its services (when it names any), then pytest with its own JUnit,
coverage data folder and summary. The integration session runs through here too."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import nox

from ci_sessions.config import Config
from ci_sessions.glue.pytest_run import LEAK_ENV, MEMRAY, TEST_TOOLS, PytestRun
from ci_sessions.glue.pytest_session import run_pytest
from ci_sessions.glue.session import install, reports_data_dir, require_paths
from ci_sessions.services import ServiceError, lifecycle
from ci_sessions.services.lifecycle import running


def run_suite(
    session: nox.Session,
    config: Config,
    *,
    name: str,
    suite: str,
    key: str,
    paths: Sequence[str],
    markers: str | None = None,
    services: Sequence[str] = (),
    url_env: Mapping[str, str] | None = None,
    ready_timeout: float = 30.0,
    extras: Sequence[str] = (),
    groups: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    leak_limit: str | None = None,
    budget: tuple[float, float] = (0.0, 0.0),
) -> None:
    """`name`: the session's report name (`e2e`, `unit-3.12`); `suite`: its name without
    the Python; `key`: where its paths are configured, for messages. Data goes to
    reports/coverage-data/<suite>/, named per Python. `leak_limit`: memray's limit_leaks on
    every test (the plugin marks them), the failure showing the allocating stack.
    `budget`: the suite's (max, warn) failure rates."""
    url_env = dict(url_env or {})
    # First of all: passwords in the given URLs are never shown from here on.
    lifecycle.given_secrets(services, url_env, os.environ)
    require_paths(session, config, key, paths)
    install(
        session,
        config,
        extras=(*config.test_extras, *extras),
        groups=(*config.test_groups, *groups),
        tools=[*TEST_TOOLS.values(), *([MEMRAY] if leak_limit else [])],
        for_tests=True,
    )
    data_dir = reports_data_dir(config) / suite
    data_dir.mkdir(exist_ok=True)
    try:
        with running(
            services, url_env=url_env, environ=os.environ, budget=ready_timeout, log=session.log
        ) as urls:
            run = PytestRun(
                name=name,
                paths=tuple(paths),
                paths_key=key,
                data_file=data_dir / f".coverage.py{session.python}",
                markers=markers,
                # Deep enough to reach the Python frames under memray's C ones.
                args=(*args, *(["--stacks=12"] if leak_limit else [])),
                env={**(env or {}), **urls, **({LEAK_ENV: leak_limit} if leak_limit else {})},
                # The quarantine is project-wide: an entry for a test of another suite (or
                # of tests-<python>) is not a dead one here.
                quarantine_strict=False,
                budget=budget,
            )
            run_pytest(session, config, run)
    except ServiceError as exc:
        session.error(str(exc))
