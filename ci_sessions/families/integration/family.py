"""The integration family: the project's tests against real services. One named suite,
whose table (`[tool.ci_sessions.integration]`) predates the others': it is turned into a
suite and runs, is placed in the workflow and checked by doctor as every suite is."""

from __future__ import annotations

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.integration.settings import INTEGRATION, IntegrationConfig
from ci_sessions.families.suites import family as suites
from ci_sessions.families.suites.settings import Suite
from ci_sessions.glue.pytest_run import TEST_TOOLS

NAME = "integration"
MEMBERS = {"integration": ("nightly",)}
SESSIONS = ("integration",)
SECTIONS = (INTEGRATION,)
TOOLS = TEST_TOOLS
REPORTS = {
    "junit-integration.xml, coverage-data/integration/.coverage.py<python>": "`integration` "
    "(passwords masked)",
}


def as_suite(settings: IntegrationConfig) -> Suite:
    """The integration table as a suite. Its tiers stay those of `[tool.ci_sessions] tiers`
    (the `integration` member), so `tier` is left empty here."""
    return Suite(
        name="integration",
        paths=settings.paths,
        markers=settings.markers,
        services=settings.services,
        url_env=settings.url_env,
        ready_timeout=settings.ready_timeout,
        images=settings.images,
        max_failure_rate=settings.max_failure_rate,
        warn_failure_rate=settings.warn_failure_rate,
        tiers=(),
        table="integration",
    )


def register(config: Config) -> None:
    settings = config.get(IntegrationConfig)
    if settings is not None:  # no [tool.ci_sessions.integration]: nothing to run
        suites.define(config, as_suite(settings))


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    settings = config.get(IntegrationConfig)
    if settings is None:
        return []
    return [suites.job(config, kit, as_suite(settings), member="integration")]


def checks(config: Config, which: Which) -> list[Check]:
    settings = config.get(IntegrationConfig)
    return suites.service_checks(as_suite(settings)) if settings else []
