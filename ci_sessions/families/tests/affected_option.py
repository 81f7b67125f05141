"""What a tests run reads before it knows whether it needs affected selection's
machinery: the `--affected` option, and whether the project's tiers select (then every
full run keeps a map). Kept apart so that a run that neither selects nor maps never
imports the map, the fingerprints and the plan (#32: a session's fixed cost)."""

from __future__ import annotations

from collections.abc import Sequence

from ci_sessions.config import Config
from ci_sessions.families.tests.settings import MatrixConfig

OPTION = "--affected"


def take_option(posargs: Sequence[str]) -> tuple[bool, list[str]]:
    """(--affected given, the posargs left for pytest)."""
    rest = [arg for arg in posargs if arg != OPTION]
    return len(rest) != len(posargs), rest


def enabled(config: Config) -> bool:
    """Whether every full run measures per test and keeps a map: a tier selects (locally,
    `--affected` turns it on for that run alone)."""
    return any(narrowing.affected for _, narrowing in config.of(MatrixConfig).narrow)
