"""A tests session's fixed cost: `nox -R -s tests-3.12` against the very pytest command line
that session runs, with the same coverage options, side by side in one run.

Usage (from the repository root):

    scripts/bench.sh fixed_cost [--runs 7] [--projects sample,pluggy]

Run by bench/pipeline.py too, after its own table. For each project (the tiny sample suite,
and pluggy 1.7.0's, as bench/pipeline.py prepares them): an untimed `nox -r -s tests-3.12`
makes the venv and prints the pytest command line it ran; then, alternating which goes first,
`nox -R -s tests-3.12` (nox's start, the noxfile, the configuration read, the reused install
checked, pytest, the outcomes, the summary, the coverage data's record) and that command line
alone, run by the venv's pytest with the same environment the session gives it (coverage data
file, the plugin on PYTHONPATH). Both with bytecode written (see bytecode_env). The fixed
cost is the difference of the medians; the goal is under 0.3 s.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

from _common import NOX, clean_env, median, run, table

SESSION = "tests-3.12"
GOAL = 0.3


def session_command(project: Path) -> tuple[list[str], Path]:
    """(the pytest command line the session ran, its venv) from an untimed `nox -r` run."""
    _, done = run([*NOX, "-r", "-s", SESSION], project, bytecode_env())
    [line] = [
        text.removeprefix("nox > ")
        for text in done.stderr.splitlines()
        if text.startswith("nox > pytest ")
    ]
    return shlex.split(line), project / ".nox" / SESSION.replace(".", "-")


def bytecode_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """clean_env() with bytecode written, as on a developer's machine or a CI runner (this
    machine sets PYTHONDONTWRITEBYTECODE, which makes nox and ci-sessions compile every module
    at every start, a tenth of a second that is this machine's, not the session's)."""
    env = clean_env(extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def raw_env(venv: Path, project: Path) -> dict[str, str]:
    """What the session puts around pytest: its venv first on PATH, the plugin, a data file."""
    return bytecode_env(
        {
            "PATH": f"{venv / 'bin'}:{clean_env()['PATH']}",
            "VIRTUAL_ENV": str(venv),
            "PYTHONPATH": str(venv / "tmp" / "plugins"),
            "COVERAGE_FILE": str(project / ".coverage.fixed-cost"),
            "CI_SESSIONS_OUTCOMES": str(venv / "tmp" / "outcomes-fixed-cost.json"),
        }
    )


def measure(project: Path, runs: int) -> tuple[list[float], list[float]]:
    """(nox -R session times, raw pytest times), `runs` of each, alternated."""
    command, venv = session_command(project)
    env = raw_env(venv, project)
    sessions: list[float] = []
    raws: list[float] = []
    variants = {
        "nox": ([*NOX, "-R", "-s", SESSION], bytecode_env(), sessions),
        "raw": (command, env, raws),
    }
    for number in range(runs + 1):
        for name in ("nox", "raw") if number % 2 == 0 else ("raw", "nox"):
            args, environment, times = variants[name]
            seconds, _ = run(args, project, environment)
            if number:  # the first pair warms the caches and is not counted
                times.append(seconds)
    return sessions, raws


def rows(name: str, sessions: list[float], raws: list[float]) -> list[str]:
    cost = median(sessions) - median(raws)
    return [
        name,
        f"{median(sessions):.2f} s",
        f"{median(raws):.2f} s",
        f"{cost:.2f} s",
        "met" if cost < GOAL else f"missed (goal {GOAL} s)",
    ]


def report(projects: dict[str, Path], runs: int) -> str:
    found = []
    for name, path in projects.items():
        sessions, raws = measure(path, runs)
        print(f"{name}: nox -R {sessions}, raw {raws}", flush=True)
        found.append(rows(name, sessions, raws))
    header = [
        "project",
        f"`nox -R -s {SESSION}` (median)",
        "the same pytest line (median)",
        "fixed cost",
        "goal",
    ]
    return table(header, found)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pipeline import prepared_paths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--projects", default="sample,pluggy")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fixed-cost-"))
    prepared = prepared_paths(work, args.projects)
    print(report(prepared, args.runs))
    print(f"\n(scratch folder: {work}; {args.runs} runs of each; 2 cores)")


if __name__ == "__main__":
    main()
