"""How often benchmark-compare is right: false alarms, detection rates, wall time.

Usage (from the repository root, after scripts/nox.sh has made .venv-nox):

    scripts/bench.sh benchmark_compare [--reps 10] [--modes walltime,instructions]

A sample project with three benchmarks (about 1 us, 100 us and 10 ms per
call) is committed on main in a scratch git repository. Each repetition
makes a branch: unchanged, or one benchmark (rotating over the three) made
5%, 10% or 30% slower by running its loop that much longer. Then the real
`nox -s benchmark-compare` runs, with the defaults a user gets, and its JSON
report is read. Printed: per mode and change, how often the slowed benchmark
was called a regression, how often an untouched one was (a false alarm), and
the median wall time of one comparison.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from _common import NOX, REPO, fresh_dir, git, median, run, table

# Loop lengths for about 1.5 us, 100 us and 10 ms per call on this machine
# (Python 3.13; 20 iterations, so that 5% is one more).
LOOPS = {"tiny": 20, "medium": 1500, "large": 100_000}
CHANGES = {
    "walltime": (0.0, 0.30, 0.10),
    "instructions": (0.0, 0.30, 0.10, 0.05),
}
PACKAGE = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "rates-app"
version = "0.1.0"
requires-python = ">=3.11"
"""
PYPROJECT = PACKAGE + """
[tool.ci_sessions]
python = ["3.13"]

[tool.ci_sessions.benchmark]
baseline = "main"
mode = "{mode}"
"""
BENCHMARKS = (
    "from rates_app import "
    + ", ".join(LOOPS)
    + "\n\n\n"
    + "".join(f"def test_{n}(benchmark):\n    benchmark({n})\n\n\n" for n in LOOPS)
)
NOXFILE = "import ci_sessions\n\nci_sessions.register()\n"


def source(loops: dict[str, int]) -> str:
    return "".join(
        f"def {name}():\n    total = 0\n    for i in range({count}):\n"
        f"        total += i * i\n    return total\n\n\n"
        for name, count in loops.items()
    )


def make_project(root: Path, mode: str) -> Path:
    project = fresh_dir(root / f"rates-{mode}")
    (project / "src" / "rates_app").mkdir(parents=True)
    (project / "benchmarks").mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(mode=mode))
    (project / "noxfile.py").write_text(NOXFILE)
    (project / "benchmarks" / "test_rates.py").write_text(BENCHMARKS)
    (project / "src" / "rates_app" / "__init__.py").write_text(source(LOOPS))
    (project / ".gitignore").write_text("reports/\n.nox/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


def one_comparison(
    project: Path, envdir: Path, change: float, slowed: str
) -> tuple[float, dict[str, Any]]:
    git(project, "checkout", "-q", "-B", "candidate", "main")
    if change:
        loops = dict(LOOPS, **{slowed: round(LOOPS[slowed] * (1 + change))})
        (project / "src" / "rates_app" / "__init__.py").write_text(source(loops))
        git(project, "commit", "-q", "-am", f"{slowed} {change:.0%} slower")
    seconds, done = run(
        [*NOX, "-s", "benchmark-compare", "--envdir", str(envdir), "-r"], project, check=False
    )
    report_file = project / "reports" / "benchmark-compare.json"
    if done.returncode not in (0, 1) or not report_file.exists():
        raise SystemExit(f"bench: benchmark-compare broke:\n{done.stdout[-3000:]}{done.stderr}")
    report = json.loads(report_file.read_text())
    report_file.unlink()
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--modes", default="walltime,instructions")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    rows = []
    for mode in args.modes.split(","):
        project = make_project(work, mode)
        envdir = work / "envs"
        for change in CHANGES[mode]:
            detected = alarms = 0
            times = []
            for rep in range(args.reps):
                slowed = list(LOOPS)[rep % len(LOOPS)]
                seconds, report = one_comparison(project, envdir, change, slowed)
                times.append(seconds)
                verdicts = {
                    b["name"].rpartition("test_")[2]: b["verdict"] for b in report["benchmarks"]
                }
                if len(verdicts) != len(LOOPS):
                    raise SystemExit(f"bench: expected {len(LOOPS)} benchmarks, got {verdicts}")
                for name, verdict in verdicts.items():
                    if change and name == slowed:
                        detected += verdict == "regression"
                    else:
                        alarms += verdict == "regression"
                print(
                    f"{mode} {change:.0%} rep {rep + 1}: {slowed if change else '-'} "
                    f"{verdicts} {seconds:.0f} s",
                    flush=True,
                )
            rows.append(
                [
                    mode,
                    f"{change:.0%}" if change else "none",
                    f"{detected}/{args.reps}" if change else "-",
                    f"{alarms}/{args.reps * (len(LOOPS) - (1 if change else 0))}",
                    f"{median(times):.0f} s",
                ]
            )
    print()
    print(table(["mode", "slowdown", "detected", "false alarms (benchmarks)", "median time"], rows))
    print(f"\n(scratch folder: {work}; ci-sessions from {REPO})")


if __name__ == "__main__":
    main()
