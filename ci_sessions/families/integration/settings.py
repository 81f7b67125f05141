"""``[tool.ci_sessions.integration]``: its presence defines the integration session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.services import SERVICES

# The schema is derived from the registry of services: a new service module
# is a valid entry of `services` and `url-env` at once.
SERVICE_NAMES = tuple(SERVICES)


IMAGE = re.compile(r"^[a-z0-9][a-z0-9._/\-]*(:[A-Za-z0-9._\-]+)?(@sha256:[0-9a-f]{64})?$")


def image_table(value: Any) -> tuple[tuple[str, str], ...]:
    """{ postgres = "postgres:17@sha256:<64 hex>" }: the CI image of a service."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of service = "image:tag@sha256:<digest>"')
    for service, image in value.items():
        if service not in SERVICE_NAMES:
            raise ValueError(
                f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}"
            )
        if not isinstance(image, str) or not IMAGE.match(image):
            raise ValueError(
                f"{service}: expected an image reference such as "
                '"postgres:17" or "postgres:17@sha256:<64 hex digits>"'
            )
    return tuple(value.items())


def unused_service_keys(
    services: tuple[str, ...],
    images: tuple[tuple[str, str], ...],
    url_env: tuple[tuple[str, str], ...],
) -> str | None:
    """An `images` or `url-env` entry for a service that `services` does not list: it
    would be ignored, so it is a mistake to say, not to pass over."""
    for key, table in (("images", images), ("url-env", url_env)):
        stray = [service for service, _ in table if service not in services]
        if stray:
            listed = ", ".join(services) or "none"
            return (
                f"{key} names {stray[0]}, which services does not list ({listed}): add it "
                "there or remove the entry"
            )
    return None


@dataclass(frozen=True)
class IntegrationConfig:
    """Turned into a named suite (families/integration/family.py)."""

    paths: tuple[str, ...] = setting(
        values.project_paths, ("tests/integration",), "the integration tests"
    )
    markers: str | None = setting(values.marker_expression, None, "a pytest `-m` expression")
    services: tuple[str, ...] = setting(
        values.subset_of(SERVICE_NAMES),
        (),
        f"some of {', '.join(f'`{name}`' for name in SERVICE_NAMES)}",
    )
    # Service -> the variable that gives its URL (and that the tests read).
    url_env: tuple[tuple[str, str], ...] = setting(
        values.env_table(SERVICE_NAMES),
        (),
        "service -> the variable a given URL is read from, and that the tests get",
        default_text=", ".join(
            f"`{name}`: `{service.URL_ENV}`" for name, service in SERVICES.items()
        ),
    )
    ready_timeout: float = setting(
        values.seconds, 30.0, "seconds a service has to answer (wall clock, finite)"
    )
    # Service -> the container image CI runs it from (a tag, or pinned by digest).
    images: tuple[tuple[str, str], ...] = setting(
        image_table,
        (),
        "service -> the container image CI runs it from; pin it by digest "
        '(`"postgres:17@sha256:..."`, from `docker buildx imagetools inspect`)',
        default_text=", ".join(
            f"`{name}`: `{service.CI_CONTAINER['image']}`" for name, service in SERVICES.items()
        ),
    )


def resolve(settings: IntegrationConfig, context: ResolveContext) -> IntegrationConfig:
    problem = unused_service_keys(settings.services, settings.images, settings.url_env)
    if problem:
        raise ValueError(f"[tool.ci_sessions.integration] {problem}")
    return settings


INTEGRATION = Section(
    table="integration",
    build=IntegrationConfig,
    resolve=resolve,
    optional=True,
    title="its presence defines the `integration` session",
)
