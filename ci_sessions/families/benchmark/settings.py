"""``[tool.ci_sessions.benchmark]``: its presence defines benchmark-compare."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section

WALLTIME = "walltime"
INSTRUCTIONS = "instructions"
MEMORY = "memory"
# Bytes a peak moves on unchanged code (measured; README, "the memory mode's noise floor").
NOISE_BYTES = 1024


@dataclass(frozen=True)
class BenchmarkConfig:
    paths: tuple[str, ...]
    baseline: str | None  # None: the merge-base with origin/main, falling back to main
    threshold: float | None  # None: the mode's default
    mode: str
    rounds: int
    reruns: int
    shortest: float
    pytest_args: tuple[str, ...]
    noise_instructions: int
    noise_bytes: int = 0
    # A regression warns instead of failing: a performance stage that informs.
    advisory: bool = False

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
    keys=(
        Key(
            "paths",
            "paths",
            values.project_paths,
            ("benchmarks",),
            "the benchmark files or folders",
        ),
        Key(
            "baseline",
            "baseline",
            values.git_ref,
            None,
            "a git ref",
            default_text="the merge-base with `origin/main`, else `main`",
        ),
        Key(
            "mode",
            "mode",
            values.choices((WALLTIME, INSTRUCTIONS, MEMORY)),
            WALLTIME,
            '`"walltime"` (pytest-benchmark), `"instructions"` (valgrind; Linux) or `"memory"` '
            "(peak memory per benchmark, pytest-memray; Linux and macOS)",
        ),
        Key(
            "threshold",
            "threshold",
            values.fraction,
            None,
            "the slowdown (memory: the growth) that fails",
            default_text="`0.10` walltime and memory, `0.02` instructions",
        ),
        Key(
            "rounds",
            "rounds",
            values.at_least_two,
            6,
            "walltime: processes per side (with fewer than 6 the exact test cannot reach p < 0.01)",
        ),
        Key(
            "reruns",
            "reruns",
            values.count,
            # Measured (60 alternated rounds a side, replayed by
            # bench/benchmark_rounds.py): with 2, 14 of 129 benchmarks slowed by
            # 30% stayed inconclusive; with 4, none, at 8.0 rounds a side on
            # average; 6 decided nothing more.
            4,
            "walltime: extra pairs of rounds for the inconclusive benchmarks",
        ),
        Key(
            "shortest",
            "shortest",
            values.seconds,
            1e-7,
            "walltime: benchmarks faster than this (seconds per call) are reported, not gated",
        ),
        Key(
            "noise-instructions",
            "noise_instructions",
            values.count,
            500,
            "instructions: smaller changes are the interpreter's jitter, not the code's",
        ),
        Key(
            "noise-bytes",
            "noise_bytes",
            values.count,
            # Measured: see the README's note on the memory mode's noise floor.
            NOISE_BYTES,
            "memory: smaller changes of a peak are the interpreter's, not the code's",
        ),
        Key(
            "pytest-args",
            "pytest_args",
            values.str_list,
            (),
            "extra pytest options for the benchmark runs, such as `--benchmark-max-time=0.1`",
        ),
        Key(
            "advisory",
            "advisory",
            values.boolean,
            False,
            "a regression is a warning (summary, `::warning`, exit 0), not a failure: for a "
            "performance stage that must not block",
        ),
    ),
)
