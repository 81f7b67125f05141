"""The suites family: each `[tool.ci_sessions.suites.<name>]` is a session of its own, with
its tiers, its CI job, its services and their doctor checks."""

from __future__ import annotations

from typing import Any

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.suites.settings import SUITES, Suite, SuitesConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.glue.session import session
from ci_sessions.services import SERVICES, ServiceError
from ci_sessions.services._base import find_binary

NAME = "suites"
# Suites name their tiers themselves (`tier`), not through [tool.ci_sessions] tiers.
MEMBERS: dict[str, tuple[str, ...]] = {}
SESSIONS: tuple[str, ...] = ()  # per project: the suites' names
SECTIONS = (SUITES,)
TOOLS = TEST_TOOLS
REPORTS = {
    "junit-<suite>[-<python>].xml, summary-<suite>[-<python>].md, "
    "coverage-data/<suite>/.coverage.py<python>": "each named suite (`include-suites` under "
    "`[tool.ci_sessions.coverage]` combines its data)",
}


def suites(config: Config) -> tuple[Suite, ...]:
    found = config.get(SuitesConfig)
    return found.suites if found is not None else ()


def pythons(config: Config, suite: Suite) -> list[str]:
    """The Pythons a suite runs on: the matrix, one version, or the single-session one."""
    if suite.python == "matrix":
        return list(config.python)
    return [suite.python or config.python_of(suite.name)]


def register(config: Config) -> None:
    for suite in suites(config):
        define(config, suite)


def define(config: Config, suite: Suite) -> None:
    """The suite's session (one per Python with `python = "matrix"`)."""
    matrix = suite.python == "matrix"

    @session(
        config,
        suite.name,
        python=pythons(config, suite) if matrix else pythons(config, suite)[0],
        allow_parallel=True,
        tiers=suite.tiers,
    )
    def run(session: nox.Session) -> None:
        """A named suite of the project's tests ([tool.ci_sessions.suites])."""
        # Imported when it runs (#32): services, the pytest run and its judgement.
        from ci_sessions.families.suites.run import run_suite

        run_suite(
            session,
            config,
            name=f"{suite.name}-{session.python}" if matrix else suite.name,
            suite=suite.name,
            key=suite.paths_key,
            paths=suite.paths,
            markers=suite.markers,
            services=suite.services,
            url_env=dict(suite.url_env),
            ready_timeout=suite.ready_timeout,
            extras=suite.extras,
            groups=suite.groups,
            env=dict(suite.env),
            args=[f"--timeout={suite.timeout:g}"] if suite.timeout else [],
            leak_limit=suite.leak_limit,
            budget=(suite.max_failure_rate, suite.warn_failure_rate),
        )


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    return [job(config, kit, suite) for suite in suites(config)]


def job(config: Config, kit: CiKit, suite: Suite, *, member: str | None = None) -> CiJob:
    """A suite's job: service containers instead of local servers (the session finds them
    by URL), its data and reports uploaded. `member`: the tier member whose tiers place it
    (integration's), instead of the suite's own `tier`."""
    matrix = suite.python == "matrix"
    session_name = f"{suite.name}-${{{{ matrix.python }}}}" if matrix else suite.name
    part = "-${{ matrix.python }}" if matrix else ""
    body: dict[str, Any] = kit.job(
        session_name,
        kit.upload(f"coverage-data-{suite.name}{part}", f"{kit.data}/{suite.name}/", hidden=True),
        kit.upload(f"reports-{suite.name}{part}", f"{kit.reports}/*{suite.name}*"),
        env={suite.variable(name): SERVICES[name].CI_URL for name in suite.services},
        python="${{ matrix.python }}" if matrix else pythons(config, suite)[0],
    )
    if suite.services:
        body["services"] = {
            name: {**SERVICES[name].CI_CONTAINER, "image": suite.image(name)}
            for name in suite.services
        }
    if matrix:
        body["strategy"] = {"fail-fast": False, "matrix": {"python": list(config.python)}}
    linux_only = "service containers run on Linux runners only" if suite.services else ""
    tiers = None if member else suite.tiers
    return CiJob(suite.name, member or suite.name, body, linux_only=linux_only, tiers=tiers)


def checks(config: Config, which: Which) -> list[Check]:
    return [check for suite in suites(config) for check in service_checks(suite)]


def service_checks(suite: Suite) -> list[Check]:
    """What doctor looks for: each service's server binary, needed by this suite."""
    found = []
    for name in suite.services:
        service = SERVICES[name]
        try:
            path: str | None = find_binary(service.BINARY, service.INSTALL_HINT)
        except ServiceError:
            path = None
        found.append(Check(service.BINARY, path, suite.name, service.INSTALL_HINT))
    return found
