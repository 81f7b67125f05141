"""The tests family's own top-level keys: sharding and xdist."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.families.tests.narrow import Narrowing, outside_matrix


@dataclass(frozen=True)
class MatrixConfig:
    """The tests family's own top-level keys."""

    shards: int = setting(
        values.positive_int,
        1,
        "split each `tests-<python>` run across this many workflow jobs (pytest-split)",
    )
    durations_file: str = setting(
        values.relative_dir,
        ".test_durations",
        "the committed test durations pytest-split balances shards with",
    )
    xdist: bool = setting(
        values.boolean,
        False,
        "run each tests session's pytest with `-n auto` (pytest-xdist); under `nox -j` it "
        "stays at `-n 0`, since the sessions already share the cores",
    )
    # Failure budgets: the share of run tests that may fail (fail above max, warn above warn).
    max_failure_rate: float = setting(
        values.rate,
        0.0,
        "a failure budget: `tests-<python>` fails when more than this share of the tests it "
        "ran failed (`0.10`: more than 10% blocks); within it, every failed test is still "
        "listed and annotated, and the run warns",
    )
    warn_failure_rate: float = setting(
        values.rate,
        0.0,
        "within the budget, warn only above this share (below it, failures are listed, "
        "not warned); at most `max-failure-rate`",
    )
    narrow: tuple[tuple[str, Narrowing], ...] = setting(
        nested=Narrowing,
        keyed=True,
        default=(),
        doc="tiers that run fewer tests, `[tool.ci_sessions.narrow.<tier>]` (below); their "
        "coverage figure is partial",
    )
    # None: the default (documentation, unless pytest reads it).
    affected_ignore: tuple[str, ...] | None = setting(
        values.str_list,
        None,
        "globs of files whose change runs no test under affected selection, even where a "
        "test read them (other files run the tests that opened them)",
        default_text="`*.md`, `*.rst`, `docs/**` (kept when pytest runs `--doctest-glob`), "
        "`.github/**`, `LICENSE*`, `AUTHORS*`, `.gitignore`, `.pre-commit-config.yaml`",
    )


def resolve(settings: MatrixConfig, context: ResolveContext) -> MatrixConfig:
    problem = values.budget_problem(settings.max_failure_rate, settings.warn_failure_rate)
    if problem:
        raise ValueError(f"[tool.ci_sessions] {problem}")
    outside = outside_matrix(settings.narrow, context.python)
    if outside:
        raise ValueError(
            f"[tool.ci_sessions.narrow] {outside[0]} is not in the matrix "
            f"(python = {values.toml(context.python)}): a narrowed tier runs some of the "
            "matrix' Pythons"
        )
    return settings


TESTS = Section(table=None, name="tests", build=MatrixConfig, resolve=resolve)
