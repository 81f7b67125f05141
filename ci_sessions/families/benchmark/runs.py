"""The benchmark processes behind benchmark-compare: wall-time rounds, instruction counts.

Both measure the same way on either side: the candidate's benchmark files, run
by the side's own interpreter, node IDs relative to the project (so re-runs and
reports name benchmarks alike on both sides). Each returns per-side rounds of
{benchmark: figure} for ci_sessions.families.benchmark.stats to decide on.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

import nox

from ci_sessions import cleanup, test_outcomes
from ci_sessions.families.base import pins
from ci_sessions.families.benchmark import callgrind, memory
from ci_sessions.families.benchmark import stats as benchstats
from ci_sessions.families.benchmark.family import TOOLS, VALGRIND_HINT
from ci_sessions.families.benchmark.settings import BenchmarkConfig
from ci_sessions.glue.pytest_run import copy_plugins
from ci_sessions.glue.scratch import scratch_dir

CONTROL_SOURCE = f"""
def _control():
    total = 0
    for i in range(20000):
        total += i % 7
    return total


def {benchstats.CONTROL}(benchmark):
    benchmark(_control)
"""
WALLTIME_TOOLS = pins(TOOLS, "pytest", "pytest-benchmark")
INSTRUCTIONS_TOOLS = pins(TOOLS, "pytest", "pytest-codspeed")
# pytest-benchmark too: the benchmarks' fixture, called once (--benchmark-disable).
MEMORY_TOOLS = pins(TOOLS, "pytest", "pytest-benchmark", "pytest-memray")
Rounds = dict[str, list[benchstats.Round]]
# side -> benchmark -> the first line of its failure, from the side's first run.
Failures = dict[str, dict[str, str]]
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
        # Each side measures its own install. `append` puts the folders pytest
        # inserts (a conftest.py's, so the project root in a flat layout) after
        # site-packages, and the project's `pythonpath` would put them first.
        "--import-mode=append",
        "-o",
        "pythonpath=",
        "-p",
        "pytest_ci_sessions",
        *settings.pytest_args,
        *posargs,
    ]


def side_pytest(python: str, targets: list[str], mode: list[str], common: list[str]) -> list[str]:
    """One side's pytest command line: its own pytest script, the mode's options, the shared.

    Not `python -m pytest`, which puts the current folder (the project root)
    first on sys.path: in a flat layout both sides would import the working tree.
    """
    return [str(Path(python).parent / "pytest"), *targets, *mode, *common]


def plugin_env(tmp: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """The ci-sessions pytest plugin (outcomes per benchmark, set per run), and the
    check that each side imports its own install of the packages."""
    return {
        "PYTHONPATH": str(copy_plugins(tmp)),
        "CI_SESSIONS_EXPECT_INSTALLED": ",".join(packages),
        "CI_SESSIONS_DROP_PERF_MAP": "1",
    }


def collected_ids(python: str, tree: Path, paths: tuple[str, ...], env: dict[str, str]) -> set[str]:
    """The benchmarks a revision's own benchmark files hold (node IDs relative to it)."""
    present = [str(tree / path) for path in paths if (tree / path).exists()]
    if not present:
        return set()
    listing = subprocess.run(
        [
            str(Path(python).parent / "pytest"),
            *present,
            "--collect-only",
            "-q",
            f"--rootdir={tree}",
            "-p",
            "no:cacheprovider",
            "--import-mode=append",
        ],
        cwd=tree,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return {line.strip() for line in listing.stdout.splitlines() if "::" in line}


def failures_of(outcomes: Path) -> dict[str, str]:
    """The benchmarks that failed or errored in one run, with their messages."""
    found = test_outcomes.read_outcomes_file(outcomes)
    if found is None:
        return {}
    return {c.id: c.message for c in found.cases if c.outcome in test_outcomes.FAILING}


def success_codes(side: str) -> list[int]:
    # The candidate must run every benchmark; on the baseline, a benchmark of
    # code that does not exist there yet fails and is listed as new.
    return [0] if side == "candidate" else [0, 1, 2]


def control_file(tmp: Path) -> Path:
    control = tmp / "control" / f"{benchstats.CONTROL}.py"
    control.parent.mkdir(exist_ok=True)
    control.write_text(CONTROL_SOURCE)
    return control


def side_run(
    session: nox.Session,
    side: str,
    python: str,
    run: tuple[list[str], list[str], list[str]],
    env: dict[str, str],
    outcomes: Path,
) -> dict[str, str]:
    """One side's pytest process (`run`: targets, the mode's options, the shared ones);
    the benchmarks that failed in it."""
    targets, mode, common = run
    session.run(
        *side_pytest(python, targets, mode, common),
        env={**env, "CI_SESSIONS_OUTCOMES": str(outcomes)},
        external=True,
        silent=True,
        success_codes=success_codes(side),
    )
    return failures_of(outcomes)


def walltime_rounds(
    session: nox.Session,
    sides: dict[str, str],
    targets: list[str],
    rounds: Rounds,
    count: int,
    common: list[str],
    env: dict[str, str],
    failures: Failures,
) -> None:
    """`count` rounds per side, each a fresh process, the sides alternated."""
    out = scratch_dir(session) / "rounds"
    out.mkdir(exist_ok=True)
    for number in range(count):
        # A B, then B A: neither side always runs on the warmer machine.
        order = [side for side in ("baseline", "candidate") if side in sides]
        for side in order if number % 2 == 0 else reversed(order):
            report = out / f"{side}-{len(rounds[side])}.json"
            outcomes = out / f"{side}-{len(rounds[side])}-outcomes.json"
            mode = ["--benchmark-only", f"--benchmark-json={report}"]
            failed = side_run(session, side, sides[side], (targets, mode, common), env, outcomes)
            failures.setdefault(side, failed)
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
    env: dict[str, str],
    failures: Failures,
) -> None:
    """One process per side under callgrind: counts are repeatable, one round decides."""
    out = scratch_dir(session) / "callgrind"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    codspeed = ["--codspeed", "--codspeed-mode=simulation"]
    for side, python in sides.items():
        # A plain pass first, writing bytecode even where the environment says
        # not to: both sides then count with every module read from a .pyc
        # (compiling instead moves objects, and with them a few hundred
        # instructions), and a broken benchmark fails fast, not under valgrind.
        run = side_pytest(python, targets, codspeed, common)
        # Paths of equal length on both sides (a, b): the environment's size
        # moves the stack, and with it the counts.
        outcomes = out / f"{LABELS[side]}.json"
        side_env = {**env, "CI_SESSIONS_OUTCOMES": str(outcomes)}
        session.run(
            *run,
            env={**side_env, "PYTHONDONTWRITEBYTECODE": ""},
            external=True,
            silent=True,
            success_codes=success_codes(side),
        )
        failures[side] = failures_of(outcomes)
        dumps = out / LABELS[side]
        dumps.mkdir(parents=True)
        # The run's marker too, so that a cancel finds the process it started.
        owner = {key: os.environ[key] for key in (cleanup.OWNER_ENV,) if key in os.environ}
        counted_env = {**callgrind.environment(os.environ), **side_env, **owner}
        session.run(
            # The same small environment wherever this runs: its size moves
            # the stack, and with it the counts.
            "env",
            "-i",
            *(f"{key}={value}" for key, value in counted_env.items()),
            *callgrind.command(platform.machine(), str(dumps / "callgrind.%p")),
            *run,
            external=True,
            silent=True,
            success_codes=success_codes(side),
        )
        failed = set(failures_of(outcomes))
        counted = callgrind.counts((f.read_text() for f in sorted(dumps.iterdir())), root)
        rounds[side].append({name: n for name, n in counted.items() if name not in failed})


def memory_peaks(
    session: nox.Session,
    sides: dict[str, str],
    targets: list[str],
    rounds: Rounds,
    common: list[str],
    env: dict[str, str],
    failures: Failures,
) -> None:
    """One process per side under pytest-memray: each benchmark's peak memory, one call."""
    out = scratch_dir(session) / "memray"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for side, python in sides.items():
        captures = out / LABELS[side]
        outcomes = out / f"{LABELS[side]}.json"
        mode = [*memory.OPTIONS, f"--memray-bin-path={captures}"]
        side_env = {**env, **memory.ENVIRONMENT}
        failures[side] = side_run(
            session, side, python, (targets, mode, common), side_env, outcomes
        )
        found = memory.peaks(captures)
        rounds[side].append({name: n for name, n in found.items() if name not in failures[side]})
