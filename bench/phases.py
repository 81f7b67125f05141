"""Where a warm tests session's time goes: `nox -R -s tests-3.12`, phase by phase, beside the
very pytest command line it runs, side by side in one run.

Usage (from the repository root):

    scripts/bench.sh phases [--runs 5] [--projects sample,pluggy]

Each project is prepared as bench/fixed_cost.py prepares it (an untimed `nox -r` makes the
venv and prints the pytest line). Then, alternating which goes first, the session runs
under bench/_phase_probe.py (nox in-process, with timers around the noxfile's load, the
venv's reuse, ci-sessions' install check, every command by program, and the session
function) and the pytest line runs alone. Each phase's median is printed; what the session
did besides its commands is the session's own work; what the phases leave of the wall time
is nox's own work outside them and the interpreter's exit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import median, run, table
from fixed_cost import SESSION, bytecode_env, raw_env, session_command

PROBE = Path(__file__).resolve().parent / "_phase_probe.py"


def probed(project: Path, out: Path) -> tuple[float, dict[str, float]]:
    """One probed `nox -R` run: (wall seconds, phase -> seconds)."""
    env = bytecode_env({"PHASES_OUT": str(out), "PHASES_SPAWNED": repr(time.time())})
    seconds, _ = run([sys.executable, str(PROBE), "-R", "-s", SESSION], project, env)
    found = json.loads(out.read_text())
    if found["code"] not in (0, None):
        sys.exit(f"bench: the probed session failed in {project} (exit {found['code']})")
    phases: dict[str, float] = defaultdict(float)
    for name, value in found["phases"]:
        phases[name] += value
    commands = 0.0
    for name, value in found["commands"]:
        phases[name] += value
        commands += value
    phases["the session's own work (its time less its commands)"] = (
        phases.pop("the session, in all", 0.0) - commands
    )
    phases["the rest: nox outside these phases, the interpreter's exit"] = seconds - sum(
        phases.values()
    )
    return seconds, dict(phases)


def measure(project: Path, runs: int) -> tuple[list[float], list[dict[str, float]], list[float]]:
    command, venv = session_command(project)
    env = raw_env(venv, project)
    walls: list[float] = []
    found: list[dict[str, float]] = []
    raws: list[float] = []
    out = project / ".phases.json"
    for number in range(runs + 1):
        order = ("nox", "raw") if number % 2 == 0 else ("raw", "nox")
        for name in order:
            if name == "nox":
                wall, phases = probed(project, out)
            else:
                wall, _ = run(command, project, env)
            if number == 0:
                continue  # the first pair warms the caches
            if name == "nox":
                walls.append(wall)
                found.append(phases)
            else:
                raws.append(wall)
    return walls, found, raws


def report(name: str, walls: list[float], found: list[dict[str, float]], raws: list[float]) -> str:
    names = list(dict.fromkeys(key for phases in found for key in phases))
    rows = [[phase, f"{median([p.get(phase, 0.0) for p in found]):.3f} s"] for phase in names]
    rows.append(["wall time of `nox -R` (median)", f"{median(walls):.3f} s"])
    rows.append(["the same pytest line alone (median)", f"{median(raws):.3f} s"])
    rows.append(["fixed cost (the difference)", f"{median(walls) - median(raws):.3f} s"])
    return f"{name}:\n\n" + table(["phase", "seconds (median)"], rows)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pipeline import prepared_paths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--projects", default="sample,pluggy")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-phases-"))
    for name, path in prepared_paths(work, args.projects).items():
        print(report(name, *measure(path, args.runs)), flush=True)
        print()
    print(f"(scratch folder: {work}; {args.runs} runs of each, alternated; 2 cores)")


if __name__ == "__main__":
    main()
