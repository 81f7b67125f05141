"""``integration``: the project's integration tests against real PostgreSQL / Redis."""

from __future__ import annotations

import os

import nox

from ci_sessions.config import Config
from ci_sessions.families.integration.settings import IntegrationConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS, install_for_tests, run_pytest
from ci_sessions.glue.session import reports_data_dir, require_paths, session
from ci_sessions.services import ServiceError, lifecycle
from ci_sessions.services.lifecycle import running


def register(config: Config) -> None:
    settings = config.get(IntegrationConfig)
    if settings is None:
        return  # no [tool.ci_sessions.integration]: nothing to run

    # Parallel-safe: free ports and fresh folders for every service.
    @session(
        config,
        "integration",
        python=config.session_python,
        allow_parallel=True,
    )
    def integration(session: nox.Session) -> None:
        """Start (or find) the services, export their URLs, run the integration tests."""
        # First of all: passwords in the given URLs are never shown from here on.
        lifecycle.given_secrets(settings.services, dict(settings.url_env), os.environ)
        require_paths(session, config, "integration.paths", settings.paths)
        install_for_tests(session, config, TEST_TOOLS.values())
        data_dir = reports_data_dir(config) / "integration"
        data_dir.mkdir(exist_ok=True)
        try:
            with running(
                settings.services,
                url_env=dict(settings.url_env),
                environ=os.environ,
                budget=settings.ready_timeout,
                log=session.log,
            ) as urls:
                run_pytest(
                    session,
                    config,
                    paths=settings.paths,
                    paths_key="integration.paths",
                    name="integration",
                    data_file=data_dir / f".coverage.py{session.python}",
                    markers=settings.markers,
                    env=urls,
                    secret_env=True,
                )
        except ServiceError as exc:
            session.error(str(exc))
