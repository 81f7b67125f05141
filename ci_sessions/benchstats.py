"""Statistics for benchmark-compare: is the candidate slower than the baseline?

Groundwork for the benchmark-compare session (issue 5), plain functions over
lists of timings. Each side gives one figure per round (a round is a fresh
process); a control benchmark run in the same process corrects for the
machine running faster or slower during that round. The decision uses the
ratio of medians, a one-sided Mann-Whitney U test and a bootstrap confidence
interval, so that neither a single slow process nor an outlier decides.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
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
    ratio: float  # median candidate / median baseline; above 1 is slower
    low: float
    high: float
    p_slower: float
    p_faster: float
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
    ratio = statistics.median(candidate) / statistics.median(baseline)
    low, high = ratio_interval(baseline, candidate)
    p_slower = mann_whitney_greater(candidate, baseline)
    p_faster = mann_whitney_greater(baseline, candidate)
    if statistics.median(baseline) < shortest:
        verdict = TOO_SHORT
    elif ratio > 1 + threshold and p_slower < alpha and low > 1:
        verdict = REGRESSION
    elif ratio < 1 - threshold and p_faster < alpha and high < 1:
        verdict = IMPROVEMENT
    elif 1 - threshold <= low and high <= 1 + threshold:
        verdict = UNCHANGED
    else:
        verdict = INCONCLUSIVE
    return Comparison(name, ratio, low, high, p_slower, p_faster, verdict)


# --- from pytest-benchmark's JSON to verdicts ---------------------------------

CONTROL = "test_ci_sessions_control"
Round = dict[str, float]  # benchmark fullname -> median seconds per call, one process


def round_medians(document: Mapping[str, Any]) -> Round:
    """One pytest-benchmark --benchmark-json report -> {fullname: median}."""
    return {
        str(entry["fullname"]): float(entry["stats"]["median"])
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
        return normalise(values, controls, reference)

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
    comparisons.sort(key=lambda c: -c.ratio)  # worst first
    return Outcome(
        tuple(comparisons),
        tuple(sorted(names_cand - names_base)),
        tuple(sorted(names_base - names_cand)),
        min(len(baseline), len(candidate)),
    )


def outcome_markdown(outcome: Outcome, meta: Mapping[str, str]) -> str:
    verdict = "FAILED" if outcome.regressions else "passed"
    lines = [f"## benchmark-compare: {verdict}", ""]
    lines += [f"- {key}: {value}" for key, value in meta.items()]
    lines += [
        "",
        "| benchmark | ratio | 95% interval | p (slower) | verdict |",
        "|---|---:|---|---:|---|",
    ]
    lines += [
        f"| `{c.name}` | {c.ratio:.3f} | {c.low:.3f}-{c.high:.3f} | {c.p_slower:.4f} "
        f"| {c.verdict} |"
        for c in outcome.comparisons
    ]
    if outcome.new:
        lines += ["", "New (no baseline): " + ", ".join(f"`{n}`" for n in outcome.new)]
    if outcome.removed:
        lines += ["", "Removed (baseline only): " + ", ".join(f"`{n}`" for n in outcome.removed)]
    return "\n".join(lines) + "\n"
