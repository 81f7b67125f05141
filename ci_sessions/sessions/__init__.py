"""The session families, one module each, all of the same shape.

Every family module has ``register(config)`` which defines its sessions with
:func:`ci_sessions.sessions._nox.session`. Adding a family is one new module and
one line in :data:`FAMILIES`.
"""

from __future__ import annotations

from typing import Protocol

from ci_sessions.config import Config
from ci_sessions.sessions import (
    benchmark,
    build,
    changes,
    coverage,
    flaky,
    integration,
    lint,
    security,
    tests,
)


class SessionFamily(Protocol):
    def register(self, config: Config) -> None: ...


FAMILIES: tuple[SessionFamily, ...] = (
    lint,
    tests,
    integration,
    coverage,
    security,
    build,
    flaky,
    benchmark,
    changes,
)


def register_all(config: Config) -> None:
    for family in FAMILIES:
        family.register(config)
