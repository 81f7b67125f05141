"""The session families, one module each, all of the same shape.

Every family module has ``register(config)`` which defines its sessions with
:func:`ci_sessions.glue.session.session`. Adding a family is one new module and
one line in :data:`FAMILIES`.
"""

from __future__ import annotations

from typing import Protocol

from ci_sessions.config import Config
from ci_sessions.families import build, integration, lint
from ci_sessions.families.benchmark import session as benchmark
from ci_sessions.families.changes import session as changes
from ci_sessions.families.coverage import session as coverage
from ci_sessions.families.flaky import session as flaky
from ci_sessions.families.security import session as security
from ci_sessions.families.tests import session as tests


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
