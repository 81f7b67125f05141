"""``[tool.ci_sessions.flaky]``: the repeated runs that find flaky tests."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section


@dataclass(frozen=True)
class FlakyConfig:
    runs: int
    paths: tuple[str, ...] | None  # None: test-paths


FLAKY = Section(
    table="flaky",
    build=FlakyConfig,
    keys=(
        Key(
            "runs",
            "runs",
            values.at_least_two,
            10,
            "how many times the suite runs, each in another order",
        ),
        Key(
            "paths",
            "paths",
            values.project_paths,
            None,
            "the tests to run",
            default_text="`test-paths`",
        ),
    ),
)
