"""``[tool.ci_sessions.flaky]``: the repeated runs that find flaky tests."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Section, setting


@dataclass(frozen=True)
class FlakyConfig:
    runs: int = setting(
        values.at_least_two,
        10,
        "how many times the suite runs, each in another order",
    )
    paths: tuple[str, ...] | None = setting(
        values.project_paths,
        None,
        "the tests to run",
        default_text="`test-paths`",
    )


FLAKY = Section(
    table="flaky",
    build=FlakyConfig,
)
