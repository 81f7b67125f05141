"""The keys every table that starts services shares (integration's, a suite's): which
services, their CI images, checked against the registry of services. No nox here."""

from __future__ import annotations

import re
from typing import Any

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
