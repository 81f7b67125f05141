"""``[tool.ci_sessions.benchmark]``: its presence defines benchmark-compare."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Section, setting

WALLTIME = "walltime"
INSTRUCTIONS = "instructions"
MEMORY = "memory"
# Bytes a peak moves on unchanged code (measured; README, "the memory mode's noise floor").
NOISE_BYTES = 1024


@dataclass(frozen=True)
class BenchmarkConfig:
    paths: tuple[str, ...] = setting(
        values.project_paths,
        ("benchmarks",),
        "the benchmark files or folders",
    )
    baseline: str | None = setting(
        values.git_ref,
        None,
        "a git ref",
        default_text="the merge-base with `origin/main`, else `main`",
    )
    threshold: float | None = setting(
        values.fraction,
        None,
        "the slowdown (memory: the growth) that fails",
        default_text="`0.10` walltime and memory, `0.02` instructions",
    )
    mode: str = setting(
        values.choices((WALLTIME, INSTRUCTIONS, MEMORY)),
        WALLTIME,
        '`"walltime"` (pytest-benchmark), `"instructions"` (valgrind; Linux) or `"memory"` '
        "(peak memory per benchmark, pytest-memray; Linux and macOS)",
    )
    rounds: int = setting(
        values.at_least_two,
        6,
        "walltime: processes per side (with fewer than 6 the exact test cannot reach p < 0.01)",
    )
    reruns: int = setting(
        values.count,
        4,
        "walltime: extra pairs of rounds for the inconclusive benchmarks",
    )
    shortest: float = setting(
        values.seconds,
        1e-7,
        "walltime: benchmarks faster than this (seconds per call) are reported, not gated",
    )
    pytest_args: tuple[str, ...] = setting(
        values.str_list,
        (),
        "extra pytest options for the benchmark runs, such as `--benchmark-max-time=0.1`",
    )
    noise_instructions: int = setting(
        values.count,
        500,
        "instructions: smaller changes are the interpreter's jitter, not the code's",
    )
    noise_bytes: int = setting(
        values.count,
        NOISE_BYTES,
        "memory: smaller changes of a peak are the interpreter's, not the code's",
    )
    # A regression warns instead of failing: a performance stage that informs.
    advisory: bool = setting(
        values.boolean,
        False,
        "a regression is a warning (summary, `::warning`, exit 0), not a failure: for a "
        "performance stage that must not block",
    )

    @property
    def limit(self) -> float:
        """The slowdown that fails: the threshold set, else the mode's default."""
        if self.threshold is not None:
            return self.threshold
        return 0.02 if self.mode == INSTRUCTIONS else 0.10  # walltime, memory: 10%


BENCHMARK = Section(
    table="benchmark",
    build=BenchmarkConfig,
    optional=True,
    title="its presence defines `benchmark-compare`",
)
