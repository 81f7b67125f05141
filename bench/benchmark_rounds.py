"""Why benchmark-compare's walltime settings are what they are: record rounds, replay them.

Usage (from the repository root):

    scripts/bench.sh benchmark_rounds collect [--cycles 60] [--out rounds.jsonl]
    scripts/bench.sh benchmark_rounds replay rounds.jsonl [--reruns 2,4,6]

`collect` installs benchmark_compare.py's sample project three times: as is,
with every benchmark 30% slower, and 10% slower. Each cycle runs one
pytest-benchmark process per version, in rotating order, with the command
line and control benchmark benchmark-compare uses, and appends each process'
figures to a JSON-lines file. About 15 s a cycle.

`replay` feeds windows of those rounds, in the order they ran, to the very
decision benchmark-compare makes (ci_sessions.families.benchmark.stats.compare_rounds, then
pairs of re-runs for the inconclusive benchmarks only), for each `reruns`
setting: one comparison per start cycle. Printed: the verdicts per change and
the mean and largest rounds a side it took. Unchanged code compares
alternate cycles of the unmodified version, so its rounds are interleaved too.
Minutes of recording answer what would otherwise take hours of full runs.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import shutil
import tempfile
from pathlib import Path

from _common import REPO, fresh_dir, run, table
from benchmark_compare import BENCHMARKS, LOOPS, PACKAGE, source

from ci_sessions.families.benchmark import runs
from ci_sessions.families.benchmark import stats as benchstats
from ci_sessions.families.benchmark.settings import BENCHMARK, BenchmarkConfig

VERSIONS = {"unchanged": 0.0, "30%": 0.30, "10%": 0.10}
PYTHON = "python3.13"


def install(work: Path, name: str, change: float) -> str:
    """One version of the sample package in a venv of its own; its interpreter."""
    project = fresh_dir(work / name)
    (project / "src" / "rates_app").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PACKAGE)
    loops = {bench: round(count * (1 + change)) for bench, count in LOOPS.items()}
    (project / "src" / "rates_app" / "__init__.py").write_text(source(loops))
    venv = work / f"venv-{name}"
    uv = shutil.which("uv") or "uv"
    run([uv, "venv", "-q", "-p", PYTHON, str(venv)], work)
    python = str(venv / "bin" / "python")
    tools = runs.WALLTIME_TOOLS
    run(
        [uv, "pip", "install", "-q", "-p", python, "--compile-bytecode", *tools, str(project)], work
    )
    return python


def collect(cycles: int, out: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-rounds-"))
    pythons = {name: install(work, name, change) for name, change in VERSIONS.items()}
    benchmarks = fresh_dir(work / "benchmarks")
    (benchmarks / "test_rates.py").write_text(BENCHMARKS)
    (work / "pyproject.toml").write_text(PACKAGE)
    targets = [str(benchmarks), str(runs.control_file(work))]
    common = runs.pytest_args(work, BENCHMARK.make({}), [])
    orders = list(itertools.permutations(VERSIONS))
    report = work / "round.json"
    with out.open("a") as lines:
        for cycle in range(cycles):
            for name in orders[cycle % len(orders)]:
                mode = ["--benchmark-only", f"--benchmark-json={report}"]
                run(runs.side_pytest(pythons[name], targets, mode, common), work)
                figures = benchstats.round_figures(json.loads(report.read_text()))
                lines.write(json.dumps({"cycle": cycle, "version": name, "round": figures}) + "\n")
                lines.flush()
            print(f"cycle {cycle + 1}/{cycles}", flush=True)
    print(f"appended to {out} (scratch folder: {work}; ci-sessions from {REPO})")


Cycle = dict[str, benchstats.Round]


def load(path: Path) -> list[Cycle]:
    cycles: dict[int, Cycle] = collections.defaultdict(dict)
    for line in path.read_text().splitlines():
        record = json.loads(line)
        cycles[record["cycle"]][record["version"]] = record["round"]
    return [cycles[c] for c in sorted(cycles) if len(cycles[c]) == len(VERSIONS)]


def only(round_: benchstats.Round, names: set[str]) -> benchstats.Round:
    """A re-run round: the inconclusive benchmarks and the control, as the session runs them."""
    return {n: v for n, v in round_.items() if n in names or n.endswith(benchstats.CONTROL)}


def replay_one(
    pairs: list[tuple[benchstats.Round, benchstats.Round]], reruns: int
) -> tuple[benchstats.Outcome, int]:
    """benchmark-compare's decision on these (baseline, candidate) rounds, in order."""
    settings: BenchmarkConfig = BENCHMARK.make({"reruns": reruns})
    base = [b for b, _ in pairs[: settings.rounds]]
    cand = [c for _, c in pairs[: settings.rounds]]

    def decide() -> benchstats.Outcome:
        return benchstats.compare_rounds(
            base, cand, threshold=settings.limit, shortest=settings.shortest
        )

    def rerun(names: list[str]) -> None:
        used, wanted = len(base), set(names)
        for b, c in pairs[used : used + benchstats.RERUN_ROUNDS]:
            base.append(only(b, wanted))
            cand.append(only(c, wanted))

    return benchstats.settle(decide, rerun, settings.reruns), len(base)


def replay(path: Path, settings: list[int]) -> None:
    cycles = load(path)
    longest = BENCHMARK.make({}).rounds + benchstats.RERUN_ROUNDS * max(settings)
    rows = []
    for reruns in settings:
        for change in VERSIONS:
            if change == "unchanged":  # alternate cycles of the same version
                pairs = [
                    (cycles[i]["unchanged"], cycles[i + 1]["unchanged"])
                    for i in range(0, len(cycles) - 1, 2)
                ]
            else:
                pairs = [(cycle["unchanged"], cycle[change]) for cycle in cycles]
            starts = range(len(pairs) - longest + 1)
            if not starts:
                raise SystemExit(f"bench: {path} holds too few cycles for {max(settings)} reruns")
            verdicts: collections.Counter[str] = collections.Counter()
            used = []
            for start in starts:
                outcome, rounds = replay_one(pairs[start:], reruns)
                verdicts.update(c.verdict for c in outcome.comparisons)
                used.append(rounds)
            rows.append(
                [
                    str(reruns),
                    change,
                    str(len(starts)),
                    ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())),
                    f"{sum(used) / len(used):.1f} (max {max(used)})",
                ]
            )
    print(
        table(["reruns", "change", "comparisons", "verdicts (benchmarks)", "rounds a side"], rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("collect")
    record.add_argument("--cycles", type=int, default=60)
    record.add_argument("--out", type=Path, default=Path("rounds.jsonl"))
    again = commands.add_parser("replay")
    again.add_argument("file", type=Path)
    again.add_argument("--reruns", default="2,4,6")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.cycles, args.out.resolve())
    else:
        replay(args.file, [int(n) for n in args.reruns.split(",")])


if __name__ == "__main__":
    main()
