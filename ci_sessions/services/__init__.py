"""Throwaway services for the integration session, one module each, same shape.

Every service module provides:

- ``NAME``, ``URL_ENV`` (the variable the tests read), ``URL_EXAMPLE``;
- ``BINARY`` and ``INSTALL_HINT``: what ``doctor`` looks for, and how to get it;
- ``CI_CONTAINER`` and ``CI_URL``: the service container the generated
  workflow runs instead, and the URL the session then finds it at;
- ``start(workdir, port, password) -> Started``: a private instance on
  127.0.0.1, everything it writes under ``workdir``;
- ``answers(url, timeout) -> bool``: one readiness probe;
- ``stop(started)``: stop it; safe to call twice.

Adding a service (a message broker, say) is one new module and one line in
:data:`SERVICES`: the configuration accepts its name, doctor checks its binary
and the workflow runs its container.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from ci_sessions.services import mariadb, postgres, redis
from ci_sessions.services._base import ServiceError, Started


class Service(Protocol):
    NAME: str
    URL_ENV: str
    URL_EXAMPLE: str
    INSTALL_HINT: str
    BINARY: str
    CI_CONTAINER: dict[str, Any]
    CI_URL: str

    def start(self, workdir: Path, port: int, password: str) -> Started: ...

    def answers(self, url: str, timeout: float) -> bool: ...

    def stop(self, started: Started) -> None: ...


SERVICES: dict[str, Service] = {"postgres": postgres, "redis": redis, "mariadb": mariadb}

__all__ = ["SERVICES", "Service", "ServiceError", "Started"]
