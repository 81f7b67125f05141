"""PR-fast vs full: a tier that narrows the tests (fewer Pythons, no slow tests, a marker
expression), from `[tool.ci_sessions.narrow.<tier>]`.

The tier in force comes from `CI_SESSIONS_TIER` (the workflow sets it on the occasions
only narrowed tiers run; locally `CI_SESSIONS_TIER=pr nox -t pr`). A narrowed run's coverage
data is partial, labelled with the tier: the coverage gate of that tier accepts it, checks
the Pythons the tier runs and says its figure is partial; the full gate refuses it by name.
Pure: settings and names in, decisions out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import setting

TIER_ENV = "CI_SESSIONS_TIER"


@dataclass(frozen=True)
class Narrowing:
    """`[tool.ci_sessions.narrow.<tier>]`: what a narrowed tier runs of the tests."""

    python: tuple[str, ...] = setting(
        values.str_list, (), "the Pythons of the matrix it runs (empty: every one)"
    )
    skip_slow: bool = setting(values.boolean, False, "leave out the tests marked slow")
    markers: str | None = setting(values.marker_expression, None, "a pytest `-m` expression")
    affected: bool = setting(
        values.boolean,
        False,
        "only the tests the change reaches (see Affected-test selection), from main's map",
    )

    def __post_init__(self) -> None:
        if not (self.python or self.skip_slow or self.markers or self.affected):
            raise ValueError("narrows nothing; set python, skip-slow, markers or affected")

    def expression(self, slow_marker: str) -> str | None:
        """The -m expression the narrowed tier adds, None when it adds none."""
        parts = [f"not {slow_marker}"] if self.skip_slow else []
        parts += [self.markers] if self.markers else []
        return " and ".join(f"({part})" for part in parts) or None

    def label(self, tier: str, slow_marker: str) -> str:
        """What the data of a run of this tier is marked with (its `subset`)."""
        what = [f"-m {self.expression(slow_marker)}"] if self.expression(slow_marker) else []
        what += [f"Python {', '.join(self.python)}"] if self.python else []
        what += ["the affected tests"] if self.affected else []
        return f"tier {tier}: {'; '.join(what) or 'as configured'}"


def in_force(
    narrow: Sequence[tuple[str, Narrowing]], environ: Mapping[str, str] = os.environ
) -> tuple[str, Narrowing] | None:
    """The narrowed tier this run belongs to, if any."""
    tier = environ.get(TIER_ENV, "")
    found = dict(narrow).get(tier)
    return (tier, found) if found is not None else None


def outside_matrix(narrow: Sequence[tuple[str, Narrowing]], matrix: Sequence[str]) -> list[str]:
    """Narrowed Pythons that are not in the matrix: a mistake to say, not to ignore."""
    return [
        f"{tier}: Python {python}"
        for tier, narrowing in narrow
        for python in narrowing.python
        if python not in matrix
    ]


def narrowed_occasions(
    narrowed: Sequence[str], tiers_occasions: Mapping[str, Sequence[str]]
) -> list[tuple[str, tuple[str, ...]]]:
    """(tier, occasions) for each narrowed tier: the occasions no full tier of the tests
    also runs on (where a full tier runs too, the whole suite runs). `tiers_occasions`:
    tier -> occasions, for the tiers that run the tests. An occasion two narrowed tiers
    share goes to the first."""
    full = {o for tier, found in tiers_occasions.items() if tier not in narrowed for o in found}
    taken: set[str] = set()
    result = []
    for tier in narrowed:
        own = tuple(o for o in tiers_occasions.get(tier, ()) if o not in full and o not in taken)
        taken.update(own)
        if own:
            result.append((tier, own))
    return result
