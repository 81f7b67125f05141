"""The integration family: the project's tests against real services."""

from __future__ import annotations

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.integration import session
from ci_sessions.families.integration.settings import INTEGRATION, IntegrationConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.services import SERVICES, ServiceError
from ci_sessions.services._base import find_binary

NAME = "integration"
MEMBERS = {"integration": ("nightly",)}
SESSIONS = ("integration",)
SECTIONS = (INTEGRATION,)
TOOLS = TEST_TOOLS
REPORTS = {
    "junit-integration.xml, coverage-data/integration/.coverage.py<python>": "`integration` "
    "(passwords masked)",
}
register = session.register


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    """Service containers instead of local servers; the session finds them by URL."""
    settings = config.get(IntegrationConfig)
    if settings is None:
        return []
    urls = {settings.variable(name): SERVICES[name].CI_URL for name in settings.services}
    upload = kit.upload("coverage-data-integration", f"{kit.data}/integration/", hidden=True)
    body = {
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 30,
        **(
            {
                "services": {
                    name: {**SERVICES[name].CI_CONTAINER, "image": settings.image(name)}
                    for name in settings.services
                }
            }
            if settings.services
            else {}
        ),
        "steps": [*kit.setup(), kit.nox_step("integration", urls), upload],
    }
    linux_only = "service containers run on Linux runners only" if settings.services else ""
    return [CiJob("integration", "integration", body, linux_only=linux_only)]


def checks(config: Config, which: Which) -> list[Check]:
    settings = config.get(IntegrationConfig)
    found = []
    for name in settings.services if settings else ():
        service = SERVICES[name]
        try:
            path: str | None = find_binary(service.BINARY, service.INSTALL_HINT)
        except ServiceError:
            path = None
        found.append(Check(service.BINARY, path, "integration", service.INSTALL_HINT))
    return found
