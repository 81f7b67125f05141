"""``integration``: the project's integration tests against real services: the first named
suite, whose keys (`[tool.ci_sessions.integration]`) predate the others'."""

from __future__ import annotations

import nox

from ci_sessions.config import Config
from ci_sessions.families.integration.settings import IntegrationConfig
from ci_sessions.families.suites.run import run_suite
from ci_sessions.glue.session import session


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
        run_suite(
            session,
            config,
            name="integration",
            suite="integration",
            key="integration.paths",
            paths=settings.paths,
            markers=settings.markers,
            services=settings.services,
            url_env=dict(settings.url_env),
            ready_timeout=settings.ready_timeout,
        )
