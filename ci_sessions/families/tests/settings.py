"""The tests family's own top-level keys: sharding and xdist."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section


@dataclass(frozen=True)
class MatrixConfig:
    shards: int
    durations_file: str
    xdist: bool


TESTS = Section(
    table=None,
    name="tests",
    build=MatrixConfig,
    keys=(
        Key(
            "shards",
            "shards",
            values.positive_int,
            1,
            "split each `tests-<python>` run across this many workflow jobs (pytest-split)",
        ),
        Key(
            "durations-file",
            "durations_file",
            values.relative_dir,
            ".test_durations",
            "the committed test durations pytest-split balances shards with",
        ),
        Key(
            "xdist",
            "xdist",
            values.boolean,
            False,
            "run each tests session's pytest with `-n auto` (pytest-xdist); under `nox -j` it "
            "stays at `-n 0`, since the sessions already share the cores",
        ),
    ),
)
