"""``[tool.ci_sessions.integration]``: its presence defines the integration session."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section
from ci_sessions.services import SERVICES

# The schema is derived from the registry of services: a new service module
# is a valid entry of `services` and `url-env` at once.
SERVICE_NAMES = tuple(SERVICES)


@dataclass(frozen=True)
class IntegrationConfig:
    paths: tuple[str, ...]
    markers: str | None
    services: tuple[str, ...]
    # Service -> the variable that gives its URL (and that the tests read).
    url_env: tuple[tuple[str, str], ...]
    ready_timeout: float

    def variable(self, service: str) -> str:
        """The variable that gives a service's URL: url-env's, else the service's own."""
        return dict(self.url_env).get(service, SERVICES[service].URL_ENV)


INTEGRATION = Section(
    table="integration",
    build=IntegrationConfig,
    optional=True,
    title="its presence defines the `integration` session",
    keys=(
        Key(
            "paths", "paths", values.project_paths, ("tests/integration",), "the integration tests"
        ),
        Key("markers", "markers", values.non_empty_str, None, "a pytest `-m` expression"),
        Key(
            "services",
            "services",
            values.subset_of(SERVICE_NAMES),
            (),
            f"some of {', '.join(f'`{name}`' for name in SERVICE_NAMES)}",
        ),
        Key(
            "url-env",
            "url_env",
            values.env_table(SERVICE_NAMES),
            (),
            "service -> the variable a given URL is read from, and that the tests get",
            default_text=", ".join(
                f"`{name}`: `{service.URL_ENV}`" for name, service in SERVICES.items()
            ),
        ),
        Key(
            "ready-timeout",
            "ready_timeout",
            values.seconds,
            30.0,
            "seconds a service has to answer (wall clock, finite)",
        ),
    ),
)
