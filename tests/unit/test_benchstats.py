"""benchstats on synthetic samples: same distribution, shifts, outliers, a slow round."""

from __future__ import annotations

import random
import statistics

import pytest

from ci_sessions.families.benchmark.stats import (
    IMPROVEMENT,
    INCONCLUSIVE,
    REGRESSION,
    RERUN_ROUNDS,
    SECONDS,
    TOO_SHORT,
    UNCHANGED,
    Comparison,
    Outcome,
    compare,
    compare_count_maps,
    compare_counts,
    compare_rounds,
    format_figure,
    mann_whitney_greater,
    normalise,
    outcome_markdown,
    round_figures,
    settle,
    without_slow_states,
)


def rounds(seed: int, scale: float, n: int = 10, noise: float = 0.03) -> list[float]:
    """Per-round figures: 1 ms scaled, with multiplicative noise."""
    rng = random.Random(seed)
    return [0.001 * scale * rng.lognormvariate(0, noise) for _ in range(n)]


def test_exact_mann_whitney_matches_the_textbook_value() -> None:
    # Every candidate value above every baseline value, 5 against 5:
    # the one arrangement of 252 that extreme.
    assert mann_whitney_greater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == pytest.approx(1 / 252)
    assert mann_whitney_greater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(1.0)


def test_mann_whitney_with_ties_uses_the_normal_approximation() -> None:
    p = mann_whitney_greater([2, 2, 3, 3, 4], [1, 1, 2, 2, 3])
    assert 0.01 < p < 0.2


@pytest.mark.parametrize("seed", range(20))
def test_no_false_alarm_on_the_same_distribution(seed: int) -> None:
    result = compare("same", rounds(seed, 1.0), rounds(seed + 1000, 1.0))
    assert result.verdict in (UNCHANGED, INCONCLUSIVE)


@pytest.mark.parametrize("seed", range(10))
def test_a_30_percent_slowdown_is_a_regression(seed: int) -> None:
    result = compare("slow", rounds(seed, 1.0), rounds(seed + 1000, 1.3))
    assert result.verdict == REGRESSION
    assert result.low > 1.15 and result.ratio == pytest.approx(1.3, rel=0.05)


@pytest.mark.parametrize("seed", range(10))
def test_a_10_percent_slowdown_with_low_noise_is_caught(seed: int) -> None:
    result = compare("slow", rounds(seed, 1.0, noise=0.01), rounds(seed + 1000, 1.12, noise=0.01))
    assert result.verdict == REGRESSION


def test_a_5_percent_slowdown_is_not_a_regression_at_10_percent() -> None:
    result = compare("slight", rounds(1, 1.0, noise=0.005), rounds(2, 1.05, noise=0.005))
    assert result.verdict != REGRESSION


def test_an_improvement() -> None:
    assert compare("fast", rounds(3, 1.0), rounds(4, 0.7)).verdict == IMPROVEMENT


def test_heavy_outliers_do_not_decide() -> None:
    baseline = rounds(5, 1.0)
    candidate = rounds(6, 1.0)
    candidate[3] *= 10  # one round hit by something else entirely
    candidate[7] *= 8
    assert compare("outliers", baseline, candidate).verdict != REGRESSION


def test_a_slow_round_is_corrected_by_the_control() -> None:
    baseline, candidate = rounds(7, 1.0), rounds(8, 1.0)
    base_control, cand_control = rounds(9, 2.0), rounds(10, 2.0)
    for i in range(5):  # half the candidate's rounds ran 1.6x slower throughout
        candidate[i] *= 1.6
        cand_control[i] *= 1.6
    raw = compare("raw", baseline, candidate)
    reference = statistics.median([*base_control, *cand_control])
    fixed = compare(
        "normalised",
        normalise(baseline, base_control, reference),
        normalise(candidate, cand_control, reference),
    )
    assert raw.ratio > 1.1
    assert fixed.verdict == UNCHANGED


def test_too_short_to_time_is_reported_not_gated() -> None:
    result = compare("tiny", rounds(1, 1.0), rounds(2, 2.0), shortest=0.01)
    assert result.verdict == TOO_SHORT


def test_normalise_needs_one_control_per_round() -> None:
    with pytest.raises(ValueError, match="one control figure per round"):
        normalise([1.0, 2.0], [1.0], 1.0)


def bench_round(
    value: float, control: float, extra: dict[str, float] | None = None
) -> dict[str, float]:
    return {
        "benchmarks/test_b.py::test_work": value,
        "/tmp/control/test_ci_sessions_control.py::test_ci_sessions_control": control,
        **(extra or {}),
    }


def test_round_figures_are_the_fastest_times_of_pytest_benchmark_json() -> None:
    stats = {"median": 0.002, "min": 0.0015}
    document = {"benchmarks": [{"fullname": "b.py::test_x", "stats": stats}]}
    assert round_figures(document) == {"b.py::test_x": 0.0015}


def test_compare_rounds_normalises_and_lists_new_and_removed() -> None:
    baseline = [
        bench_round(0.001 * (1 + i / 100), 0.01, {"b.py::test_gone": 1.0}) for i in range(6)
    ]
    candidate = [
        bench_round(0.002 * (1 + i / 100), 0.01, {"b.py::test_new": 1.0}) for i in range(6)
    ]
    outcome = compare_rounds(baseline, candidate, threshold=0.1, shortest=1e-6)
    [comparison] = outcome.comparisons
    assert comparison.name == "benchmarks/test_b.py::test_work"
    assert comparison.ratio == pytest.approx(2.0)
    assert comparison.verdict == REGRESSION
    assert outcome.new == ("b.py::test_new",) and outcome.removed == ("b.py::test_gone",)
    assert [c.name for c in outcome.regressions] == [comparison.name]
    text = outcome_markdown(outcome, {"baseline": "abc"})
    assert text.startswith("## benchmark-compare: FAILED")
    assert "| `benchmarks/test_b.py::test_work` | 1.03 ms | 2.05 ms | 2.000 |" in text


def test_compare_rounds_without_a_control_is_an_error() -> None:
    with pytest.raises(ValueError, match="control benchmark ran in no round"):
        compare_rounds([{"a": 1.0}], [{"a": 1.0}], threshold=0.1, shortest=0)


@pytest.mark.parametrize(
    ("candidate", "verdict"),
    [
        (1_000_000, UNCHANGED),
        (1_019_000, UNCHANGED),
        (1_050_000, REGRESSION),
        (900_000, IMPROVEMENT),
    ],
)
def test_instruction_counts_need_no_statistics(candidate: int, verdict: str) -> None:
    result = compare_counts("b", 1_000_000, candidate, threshold=0.02)
    assert result.verdict == verdict
    assert result.ratio == pytest.approx(candidate / 1_000_000)
    assert (result.p_slower, result.runs) == (None, 1)


def test_count_maps_list_new_and_removed_and_print_counts() -> None:
    baseline = {"a::t1": 1000.0, "a::gone": 5.0}
    candidate = {"a::t1": 1100.0, "a::new": 7.0}
    outcome = compare_count_maps(baseline, candidate, threshold=0.05)
    assert [c.name for c in outcome.regressions] == ["a::t1"]
    assert (outcome.new, outcome.removed) == (("a::new",), ("a::gone",))
    text = outcome_markdown(outcome, {})
    assert "| `a::t1` | 1,000 Ir | 1,100 Ir | 1.100 | 1.100-1.100 | n/a | 1 | regression |" in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2.5, "2.5 s"), (0.0123, "12.3 ms"), (4.2e-6, "4.2 us"), (3e-8, "30 ns")],
)
def test_format_figure_picks_a_readable_unit(value: float, shown: str) -> None:
    assert format_figure(value, SECONDS) == shown


def test_a_change_within_the_interpreter_jitter_is_unchanged() -> None:
    # 324 instructions: the type-attribute cache jitter measured on a 12k benchmark.
    assert compare_counts("b", 12_000, 12_324, threshold=0.02, noise=500).verdict == UNCHANGED
    assert compare_counts("b", 12_000, 12_650, threshold=0.02, noise=500).verdict == REGRESSION
    assert compare_counts("b", 12_000, 12_324, threshold=0.02).verdict == REGRESSION


def test_slow_state_rounds_are_dropped_but_a_real_slowdown_is_not() -> None:
    baseline = rounds(11, 1.0)
    stalled = rounds(12, 1.0)
    stalled[2] = stalled[5] = stalled[8] = 2.0e-3  # three rounds in the machine's 2x state
    assert len(without_slow_states(stalled)) == len(stalled) - 3
    assert (
        compare("stalled", without_slow_states(baseline), without_slow_states(stalled)).verdict
        != REGRESSION
    )
    slower = [value * 1.3 for value in stalled]
    assert without_slow_states(slower) == [value * 1.3 for value in without_slow_states(stalled)]
    result = compare("slower", without_slow_states(baseline), without_slow_states(slower))
    assert result.verdict == REGRESSION


class Replayed:
    """A comparison whose benchmarks get decided after a given number of re-runs each."""

    def __init__(self, decided_after: dict[str, int]) -> None:
        self.decided_after = decided_after
        self.reruns: dict[str, int] = dict.fromkeys(decided_after, 0)
        self.asked: list[list[str]] = []

    def decide(self) -> Outcome:
        verdicts = {
            name: INCONCLUSIVE if self.reruns[name] < after else REGRESSION
            for name, after in self.decided_after.items()
        }
        return Outcome(
            tuple(
                Comparison(name, 1.0, 1.3, 1.3, 0.9, 1.6, 0.5, 0.5, 6, verdict)
                for name, verdict in verdicts.items()
            ),
            (),
            (),
            6,
        )

    def rerun(self, names: list[str]) -> None:
        self.asked.append(names)
        for name in names:
            self.reruns[name] += 1


def test_settle_re_runs_only_the_inconclusive_and_stops_once_decided() -> None:
    replayed = Replayed({"a": 0, "b": 1, "c": 2})
    outcome = settle(replayed.decide, replayed.rerun, reruns=4)
    assert replayed.asked == [["b", "c"], ["c"]]
    assert [c.verdict for c in outcome.comparisons] == [REGRESSION] * 3
    assert RERUN_ROUNDS % 2 == 0  # the sides keep alternating


def test_settle_gives_up_after_reruns_and_says_inconclusive() -> None:
    replayed = Replayed({"a": 0, "stuck": 99})
    outcome = settle(replayed.decide, replayed.rerun, reruns=3)
    assert replayed.asked == [["stuck"]] * 3
    assert outcome.inconclusive == ["stuck"]
    nothing_to_do = Replayed({"a": 0})
    settle(nothing_to_do.decide, nothing_to_do.rerun, reruns=3)
    assert nothing_to_do.asked == []
