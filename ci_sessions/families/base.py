"""What every session family declares, described once (pre-commit's lang_base, for families).

A family module (or a family package's ``family.py``) provides:

- ``NAME``; ``MEMBERS``: the session names a tier may list, each with its default tiers;
  ``SESSIONS``: every session it defines (``register(only=..., exclude=...)`` names these);
- ``SECTIONS``: its configuration keys (``ci_sessions.config.schema``);
- ``TOOLS``: the tools it installs, with their pins; ``REPORTS``: the files it writes;
- ``register(config)``: defines its nox sessions; a session's body imports the code that
  runs it (``from ci_sessions.families.x import session``) when it runs, not at module level:
  every `nox` start loads every family, and ``tests/unit/test_load_cost.py`` names what a
  load must not import;
- ``ci_jobs(config, kit)``: its jobs in the generated workflow;
- ``checks(config, which)``: what ``doctor`` looks for on this machine.

``ci_sessions.registry`` lists the families in one table; the schema, the
workflow, ``doctor``, the default tiers and the README's tables are built from
it. A family with nothing to say for a part reuses the defaults below by
assignment, as pre-commit's languages reuse ``basic_health_check``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ci_sessions.config import Config, Section
from ci_sessions.workflow.kit import CiJob, CiKit

__all__ = ["Check", "CiJob", "CiKit", "Family", "Which", "no_checks", "no_ci_jobs", "pins"]

Which = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Check:
    """One thing `doctor` looks for: where it was found, who needs it, how to get it."""

    name: str
    found: str | None
    needed_by: str  # empty: nice to have
    hint: str

    @property
    def missing_but_needed(self) -> bool:
        return self.found is None and bool(self.needed_by)


class Family(Protocol):
    """A family module. Read-only members, so that a module's plain dicts satisfy it."""

    @property
    def NAME(self) -> str: ...

    @property
    def MEMBERS(self) -> Mapping[str, tuple[str, ...]]: ...

    @property
    def SESSIONS(self) -> tuple[str, ...]: ...

    @property
    def SECTIONS(self) -> tuple[Section, ...]: ...

    @property
    def TOOLS(self) -> Mapping[str, str]: ...

    @property
    def REPORTS(self) -> Mapping[str, str]: ...

    def register(self, config: Config) -> None: ...

    def ci_jobs(self, config: Config, kit: CiKit) -> list[CiJob]: ...

    def checks(self, config: Config, which: Which) -> list[Check]: ...


def no_ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    """For a family that runs locally only."""
    return []


def no_checks(config: Config, which: Which) -> list[Check]:
    """For a family that needs nothing beyond its venv."""
    return []


def pins(tools: Mapping[str, str], *names: str) -> list[str]:
    """Pinned requirement strings for the named tools of a family, in the given order."""
    return [tools[name] for name in names]
