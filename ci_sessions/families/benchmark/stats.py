"""Statistics for benchmark-compare: is the candidate slower than the baseline?

Plain functions over lists of timings. Each side gives one figure per round
(a round is a fresh process): the benchmark's fastest time in that process,
as this kind of machine slips into a slower state for seconds at a time,
which inflates a process' median but rarely every one of its hundreds of
timings. A control benchmark run in the same process corrects for a process
that ran slower throughout. Across rounds the decision uses the ratio of
medians, a one-sided Mann-Whitney U test and a bootstrap confidence interval,
so that neither a single slow process nor an outlier decides.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

REGRESSION = "regression"
IMPROVEMENT = "improvement"
UNCHANGED = "unchanged"
INCONCLUSIVE = "inconclusive"
TOO_SHORT = "too short to time"


def normalise(values: Sequence[float], controls: Sequence[float], reference: float) -> list[float]:
    """Divide each round's figure by that round's control, in units of `reference`.

    A round where the whole process ran 1.6x slower slows the control as much
    as the benchmark; the ratio is what is left of the benchmark's own speed.
    Both sides must share the reference (say, the median of all their control
    figures), so that a comparison of the two is one of the benchmarks alone.
    """
    if len(values) != len(controls):
        raise ValueError("one control figure per round is needed")
    return [value / control * reference for value, control in zip(values, controls, strict=True)]


# A round this much slower than its side's median for the benchmark is the
# machine's slow state (measured here: about 2x, seconds long), not the code.
SLOW_STATE = 1.25


def without_slow_states(values: Sequence[float], limit: float = SLOW_STATE) -> list[float]:
    """The rounds of one side, less those caught in a slow state of the machine.

    The control benchmark cannot see a slow state that starts and ends within
    one benchmark's run; its rounds show as outliers far above the side's
    median. A change in the code moves every round of its side, median
    included, so it is never dropped this way; at least half the rounds stay.
    """
    middle = statistics.median(values)
    return [value for value in values if value <= middle * limit]


def mann_whitney_greater(candidate: Sequence[float], baseline: Sequence[float]) -> float:
    """One-sided p-value of "candidate's values tend to be larger than baseline's".

    Exact for small samples without ties; the normal approximation with tie
    and continuity corrections otherwise.
    """
    m, n = len(candidate), len(baseline)
    if not m or not n:
        raise ValueError("both sides need samples")
    u = sum(1.0 if c > b else 0.5 if c == b else 0.0 for c in candidate for b in baseline)
    tied = len(set(candidate) | set(baseline)) < m + n
    if not tied and m * n <= 400:
        total = math.comb(m + n, m)
        # P(U >= u) under the null: count arrangements with at least u.
        return sum(_u_count(k, m, n) for k in range(math.ceil(u), m * n + 1)) / total
    mean = m * n / 2
    values = sorted([*candidate, *baseline])
    ties = sum(c**3 - c for c in (values.count(v) for v in set(values)))
    variance = m * n / 12 * ((m + n + 1) - ties / ((m + n) * (m + n - 1)))
    if variance <= 0:
        return 1.0
    z = (u - mean - 0.5) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))


@cache
def _u_count(u: int, m: int, n: int) -> int:
    """How many orderings of m and n values give the statistic U = u."""
    if u < 0 or u > m * n:
        return 0
    if m == 0 or n == 0:
        return 1 if u == 0 else 0
    return _u_count(u - n, m - 1, n) + _u_count(u, m, n - 1)


def ratio_interval(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Bootstrap interval of median(candidate) / median(baseline); seeded, so repeatable."""
    rng = random.Random(seed)
    ratios = sorted(
        statistics.median(rng.choices(candidate, k=len(candidate)))
        / statistics.median(rng.choices(baseline, k=len(baseline)))
        for _ in range(resamples)
    )
    tail = (1 - confidence) / 2
    return ratios[int(tail * (resamples - 1))], ratios[int((1 - tail) * (resamples - 1))]


@dataclass(frozen=True)
class Comparison:
    name: str
    baseline: float  # median: seconds per call, or instructions
    candidate: float
    ratio: float  # candidate / baseline; above 1 is slower
    low: float
    high: float
    # None for instruction counts: a deterministic figure has no p-value.
    p_slower: float | None
    p_faster: float | None
    runs: int  # rounds per side behind the figures
    verdict: str


def compare(
    name: str,
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    threshold: float = 0.10,
    alpha: float = 0.01,
    shortest: float = 0.0,
) -> Comparison:
    """The verdict for one benchmark: regression, improvement, unchanged or inconclusive.

    A regression is slower by more than `threshold` *and* significant (p below
    alpha, interval above 1). Unchanged needs the whole interval within the
    threshold; anything else is inconclusive (re-run, not failed). Benchmarks
    faster than `shortest` seconds are timed, reported, and never gated.
    """
    base, cand = statistics.median(baseline), statistics.median(candidate)
    ratio = cand / base
    low, high = ratio_interval(baseline, candidate)
    p_slower = mann_whitney_greater(candidate, baseline)
    p_faster = mann_whitney_greater(baseline, candidate)
    if base < shortest:
        verdict = TOO_SHORT
    elif ratio > 1 + threshold and p_slower < alpha and low > 1:
        verdict = REGRESSION
    elif ratio < 1 - threshold and p_faster < alpha and high < 1:
        verdict = IMPROVEMENT
    elif 1 - threshold <= low and high <= 1 + threshold:
        verdict = UNCHANGED
    else:
        verdict = INCONCLUSIVE
    runs = min(len(baseline), len(candidate))
    return Comparison(name, base, cand, ratio, low, high, p_slower, p_faster, runs, verdict)


def compare_counts(
    name: str, baseline: float, candidate: float, *, threshold: float, noise: float = 0.0
) -> Comparison:
    """The verdict for one benchmark measured in instructions: one figure a side.

    With hash seed, allocator, address layout and environment fixed, the same
    process counts the same; what is left is CPython's type-attribute cache,
    whose hits depend on where earlier objects landed: a few hundred
    instructions either way (measured: 324). Changes smaller than `noise`
    instructions are therefore unchanged, whatever their ratio; beyond it,
    `threshold` decides. No interval, no p-value, one run.
    """
    ratio = candidate / baseline
    if abs(candidate - baseline) < noise:
        verdict = UNCHANGED
    elif ratio > 1 + threshold:
        verdict = REGRESSION
    elif ratio < 1 - threshold:
        verdict = IMPROVEMENT
    else:
        verdict = UNCHANGED
    return Comparison(name, baseline, candidate, ratio, ratio, ratio, None, None, 1, verdict)


# --- from pytest-benchmark's JSON to verdicts ---------------------------------

CONTROL = "test_ci_sessions_control"
SECONDS = "seconds"
INSTRUCTIONS = "instructions"
BYTES = "bytes"
Round = dict[str, float]  # benchmark fullname -> fastest seconds per call, one process


def round_figures(document: Mapping[str, Any]) -> Round:
    """One pytest-benchmark --benchmark-json report -> {fullname: fastest time}.

    Measured on this 2-core VM, unchanged code, ten processes a side: per-process
    medians gave bootstrap intervals as wide as 0.6-1.8 (a slow state covering
    half of a process' run doubles its median), per-process minimums 0.93-1.06.
    """
    return {
        str(entry["fullname"]): float(entry["stats"]["min"])
        for entry in document.get("benchmarks", [])
    }


def control_key(round_: Round) -> str | None:
    return next((name for name in round_ if name.endswith(f"::{CONTROL}")), None)


@dataclass(frozen=True)
class Outcome:
    comparisons: tuple[Comparison, ...]
    new: tuple[str, ...]  # only in the candidate
    removed: tuple[str, ...]  # only in the baseline
    runs: int
    unit: str = SECONDS

    @property
    def regressions(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.verdict == REGRESSION]

    @property
    def inconclusive(self) -> list[str]:
        return [c.name for c in self.comparisons if c.verdict == INCONCLUSIVE]


def compare_rounds(
    baseline: Sequence[Round],
    candidate: Sequence[Round],
    *,
    threshold: float,
    shortest: float,
) -> Outcome:
    """Every benchmark both sides ran, normalised by the control of its own round."""
    all_controls = [r[k] for r in (*baseline, *candidate) if (k := control_key(r))]
    if not all_controls:
        raise ValueError("the control benchmark ran in no round")
    reference = statistics.median(all_controls)

    def series(rounds: Sequence[Round], name: str) -> list[float]:
        values, controls = [], []
        for round_ in rounds:
            key = control_key(round_)
            if name in round_ and key is not None:
                values.append(round_[name])
                controls.append(round_[key])
        return without_slow_states(normalise(values, controls, reference))

    names_base = {n for r in baseline for n in r if not n.endswith(f"::{CONTROL}")}
    names_cand = {n for r in candidate for n in r if not n.endswith(f"::{CONTROL}")}
    comparisons = [
        compare(
            name,
            series(baseline, name),
            series(candidate, name),
            threshold=threshold,
            shortest=shortest,
        )
        for name in sorted(names_base & names_cand)
    ]
    return _outcome(comparisons, names_base, names_cand, min(len(baseline), len(candidate)))


# Rounds a side each re-run adds: two, so that the sides keep alternating (A B, B A).
RERUN_ROUNDS = 2


def settle(
    decide: Callable[[], Outcome], rerun: Callable[[list[str]], None], reruns: int
) -> Outcome:
    """Decide; while benchmarks are inconclusive, re-run those alone, at most `reruns` times.

    `rerun(names)` adds RERUN_ROUNDS rounds a side of those benchmarks (and the
    control) to what `decide` reads. Shared by the session and the bench/
    replay of recorded rounds, so that both follow one policy.
    """
    outcome = decide()
    for _ in range(reruns):
        if not outcome.inconclusive:
            break
        rerun(outcome.inconclusive)
        outcome = decide()
    return outcome


def compare_count_maps(
    baseline: Mapping[str, float],
    candidate: Mapping[str, float],
    *,
    threshold: float,
    noise: float = 0.0,
    unit: str = INSTRUCTIONS,
) -> Outcome:
    """Every benchmark both sides measured once: {name: instructions} (or peak bytes) for
    each side."""
    comparisons = [
        compare_counts(name, baseline[name], candidate[name], threshold=threshold, noise=noise)
        for name in sorted(baseline.keys() & candidate.keys())
    ]
    return _outcome(comparisons, set(baseline), set(candidate), 1, unit)


def _outcome(
    comparisons: list[Comparison],
    names_base: set[str],
    names_cand: set[str],
    runs: int,
    unit: str = SECONDS,
) -> Outcome:
    comparisons.sort(key=lambda c: -c.ratio)  # worst first
    return Outcome(
        tuple(comparisons),
        tuple(sorted(names_cand - names_base)),
        tuple(sorted(names_base - names_cand)),
        runs,
        unit,
    )


def format_figure(value: float, unit: str) -> str:
    """1234567 instructions -> "1,234,567 Ir"; 0.000123 seconds -> "123 us";
    2500000 bytes -> "2,500,000 B"."""
    if unit == INSTRUCTIONS:
        return f"{value:,.0f} Ir"
    if unit == BYTES:
        return f"{value:,.0f} B"
    for scale, suffix in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if value >= scale:
            return f"{value / scale:.3g} {suffix}"
    return f"{value / 1e-9:.3g} ns"


def outcome_markdown(outcome: Outcome, meta: Mapping[str, str], *, advisory: bool = False) -> str:
    """The summary; with `advisory`, a regression is a warning (the stage informs)."""
    slower = "passed with warnings (advisory: slower)" if advisory else "FAILED"
    verdict = slower if outcome.regressions else "passed"
    lines = [f"## benchmark-compare: {verdict}", ""]
    lines += [f"- {key}: {value}" for key, value in meta.items()]
    lines += [
        "",
        "| benchmark | baseline | candidate | ratio | 95% interval | p (slower) | runs | verdict |",
        "|---|---:|---:|---:|---|---:|---:|---|",
    ]
    lines += [
        f"| `{c.name}` | {format_figure(c.baseline, outcome.unit)} "
        f"| {format_figure(c.candidate, outcome.unit)} | {c.ratio:.3f} "
        f"| {c.low:.3f}-{c.high:.3f} | {'n/a' if c.p_slower is None else f'{c.p_slower:.4f}'} "
        f"| {c.runs} | {c.verdict} |"
        for c in outcome.comparisons
    ]
    if outcome.new:
        lines += ["", "New (no baseline): " + ", ".join(f"`{n}`" for n in outcome.new)]
    if outcome.removed:
        lines += ["", "Removed (baseline only): " + ", ".join(f"`{n}`" for n in outcome.removed)]
    return "\n".join(lines) + "\n"
