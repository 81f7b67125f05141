"""The benchmark processes behind benchmark-compare: wall-time rounds, instruction counts.

Both measure the same way on either side: the candidate's benchmark files, run
by the side's own interpreter, node IDs relative to the project (so re-runs and
reports name benchmarks alike on both sides). Each returns per-side rounds of
{benchmark: figure} for ci_sessions.benchstats to decide on.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from pathlib import Path

import nox

from ci_sessions import benchstats, callgrind
from ci_sessions.config import BenchmarkConfig
from ci_sessions.outcomes import read_junit_file

CONTROL_SOURCE = f"""
def _control():
    total = 0
    for i in range(20000):
        total += i % 7
    return total


def {benchstats.CONTROL}(benchmark):
    benchmark(_control)
"""
WALLTIME_TOOLS = ("pytest", "pytest-benchmark")
INSTRUCTIONS_TOOLS = ("pytest", "pytest-codspeed")
VALGRIND_HINT = (
    "install it (Debian/Ubuntu: apt-get install valgrind; Fedora: dnf install valgrind); "
    'valgrind does not run on macOS or Windows, where mode = "walltime" is the choice'
)
Rounds = dict[str, list[benchstats.Round]]
# File and folder names of the sides, of equal length: under callgrind a
# longer argument shifts the memory layout, and with it a few hundred instructions.
LABELS = {"baseline": "a", "candidate": "b"}


def pytest_args(root: Path, settings: BenchmarkConfig, posargs: list[str]) -> list[str]:
    return [
        "--continue-on-collection-errors",
        # Node IDs relative to the project, whatever the other paths: the
        # inconclusive benchmarks are re-run by these IDs.
        f"--rootdir={root}",
        "-c",
        str(root / "pyproject.toml"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *settings.pytest_args,
        *posargs,
    ]


def side_pytest(python: str, targets: list[str], mode: list[str], common: list[str]) -> list[str]:
    """One side's pytest command line: its interpreter, the mode's options, then the shared ones."""
    return [python, "-m", "pytest", *targets, *mode, *common]


def success_codes(side: str) -> list[int]:
    # The candidate must run every benchmark; on the baseline, a benchmark of
    # code that does not exist there yet fails and is listed as new.
    return [0] if side == "candidate" else [0, 1, 2]


def control_file(tmp: Path) -> Path:
    control = tmp / "control" / f"{benchstats.CONTROL}.py"
    control.parent.mkdir(exist_ok=True)
    control.write_text(CONTROL_SOURCE)
    return control


def walltime_rounds(
    session: nox.Session,
    sides: dict[str, str],
    targets: list[str],
    rounds: Rounds,
    count: int,
    common: list[str],
) -> None:
    """`count` rounds per side, each a fresh process, the sides alternated."""
    out = Path(session.create_tmp()) / "rounds"
    out.mkdir(exist_ok=True)
    for number in range(count):
        # A B, then B A: neither side always runs on the warmer machine.
        order = [side for side in ("baseline", "candidate") if side in sides]
        for side in order if number % 2 == 0 else reversed(order):
            report = out / f"{side}-{len(rounds[side])}.json"
            session.run(
                *side_pytest(
                    sides[side], targets, ["--benchmark-only", f"--benchmark-json={report}"], common
                ),
                external=True,
                silent=True,
                success_codes=success_codes(side),
            )
            rounds[side].append(benchstats.round_figures(json.loads(report.read_text())))


def require_valgrind(session: nox.Session) -> None:
    for tool in ("valgrind", "setarch"):
        if shutil.which(tool) is None:
            session.error(
                f'benchmark-compare: mode = "instructions" needs {tool}, which is not on PATH; '
                + (VALGRIND_HINT if tool == "valgrind" else "it comes with util-linux")
            )


def instruction_counts(
    session: nox.Session,
    sides: dict[str, str],
    targets: list[str],
    rounds: Rounds,
    common: list[str],
    root: Path,
) -> None:
    """One process per side under callgrind: counts are repeatable, one round decides."""
    out = Path(session.create_tmp()) / "callgrind"
    shutil.rmtree(out, ignore_errors=True)
    codspeed = ["--codspeed", "--codspeed-mode=simulation"]
    for side, python in sides.items():
        # A plain pass first, writing bytecode even where the environment says
        # not to: both sides then count with every module read from a .pyc
        # (compiling instead moves objects, and with them a few hundred
        # instructions), and a broken benchmark fails fast, not under valgrind.
        run = side_pytest(python, targets, codspeed, common)
        session.run(
            *run,
            env={"PYTHONDONTWRITEBYTECODE": ""},
            external=True,
            silent=True,
            success_codes=success_codes(side),
        )
        dumps = out / LABELS[side]
        dumps.mkdir(parents=True)
        junit = out / f"{LABELS[side]}.xml"
        session.run(
            # The same small environment wherever this runs: its size moves
            # the stack, and with it the counts.
            "env",
            "-i",
            *(f"{key}={value}" for key, value in callgrind.environment(os.environ).items()),
            *callgrind.command(platform.machine(), str(dumps / "callgrind.%p")),
            *run,
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",
            external=True,
            silent=True,
            success_codes=success_codes(side),
        )
        failed = {case.id for case in read_junit_file(junit) if case.outcome == "failed"}
        counted = callgrind.counts((f.read_text() for f in sorted(dumps.iterdir())), root)
        rounds[side].append({name: n for name, n in counted.items() if name not in failed})
