"""The session families, in one table; everything central is built by walking it.

Adding a family is one new module (or package with a ``family.py``) shaped as
``ci_sessions.families.base.Family`` describes, and one line in
:data:`FAMILIES`: its keys join the configuration schema, its sessions are
defined, its jobs join the workflow, its checks join ``doctor``, its members
join the tiers, and its keys get a table in the README.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ci_sessions import interpreters
from ci_sessions.config import CORE, Config, Section, load
from ci_sessions.families import build, report
from ci_sessions.families.base import Family
from ci_sessions.families.benchmark import family as benchmark
from ci_sessions.families.changes import family as changes
from ci_sessions.families.coverage import family as coverage
from ci_sessions.families.docs import family as docs
from ci_sessions.families.flaky import family as flaky
from ci_sessions.families.integration import family as integration
from ci_sessions.families.lint import family as lint
from ci_sessions.families.security import family as security
from ci_sessions.families.suites import family as suites
from ci_sessions.families.tests import family as tests
from ci_sessions.workflow.settings import WORKFLOW

FAMILIES: tuple[Family, ...] = (
    lint,
    tests,
    integration,
    suites,
    coverage,
    security,
    build,
    docs,
    flaky,
    benchmark,
    changes,
    # Last: the default pipeline's final session reads the others' records.
    report,
)
# The order tiers are listed in when the families name them.
TIER_ORDER = ("smoke", "pr", "nightly")


def sections(families: Sequence[Family] = FAMILIES) -> list[Section]:
    """Every table of keys: the project-wide ones, each family's, the workflow's."""
    return [CORE, *(section for family in families for section in family.SECTIONS), WORKFLOW]


def members(families: Sequence[Family]) -> list[str]:
    """What a tier may list: every family's session names."""
    return [member for family in families for member in family.MEMBERS]


def default_tiers(families: Sequence[Family]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Tier -> members, from each member's declared default tiers, in family order."""
    tiers: dict[str, list[str]] = {}
    for family in families:
        for member, names in family.MEMBERS.items():
            for tier in names:
                tiers.setdefault(tier, []).append(member)
    order = [*TIER_ORDER, *sorted(set(tiers) - set(TIER_ORDER))]
    return tuple((tier, tuple(tiers[tier])) for tier in order if tier in tiers)


def load_config(
    pyproject: Path,
    *,
    families: Sequence[Family] = FAMILIES,
    environ: Mapping[str, str] | None = None,
    finder: interpreters.Finder = interpreters.find,
    inherited: Mapping[str, Any] | None = None,
) -> Config:
    """A project's configuration, checked against these families' keys and resolved
    (`inherited`: a workspace root's table under a member's own)."""
    return load(
        pyproject,
        sections=sections(families)[1:],
        members=members(families),
        default_tiers=default_tiers(families),
        families=tuple(families),
        environ=environ,
        finder=finder,
        inherited=inherited,
    )


def register_all(config: Config) -> None:
    for family in config.families:
        family.register(config)
