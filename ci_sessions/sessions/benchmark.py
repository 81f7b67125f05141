"""``benchmark-compare``: the baseline revision against the working tree, same run.

Both sides run the candidate's benchmark files (so a benchmark means the same
on both), each round a fresh pytest process per side, the sides alternated;
a control benchmark in every process corrects for the machine's speed that
round. Verdicts come from ci_sessions.benchstats.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

import nox
import nox.command

from ci_sessions import benchstats
from ci_sessions.config import BenchmarkConfig, Config
from ci_sessions.git import first_commit
from ci_sessions.github import append_step_summary
from ci_sessions.sessions._nox import install, reports_dir, require_paths, session, side_venv
from ci_sessions.tools import requirements

CONTROL_SOURCE = f"""
def _control():
    total = 0
    for i in range(20000):
        total += i % 7
    return total


def {benchstats.CONTROL}(benchmark):
    benchmark(_control)
"""
DEFAULT_BASES = ("origin/main", "main")
BENCH_TOOLS = ("pytest", "pytest-benchmark")


def register(config: Config) -> None:
    settings = config.benchmark
    if settings is None:
        return  # no [tool.ci_sessions.benchmark]: nothing to compare

    @session(config, "benchmark-compare", python=config.newest_python, default=False)
    def benchmark_compare(session: nox.Session) -> None:
        """Compare the benchmarks of the working tree with those of the baseline revision."""
        require_paths(session, config, "benchmark.paths", settings.paths)
        sha = _baseline(session, config, settings)
        install(session, config, tools=BENCH_TOOLS)
        tmp = Path(session.create_tmp())
        control = tmp / "control" / f"{benchstats.CONTROL}.py"
        control.parent.mkdir(exist_ok=True)
        control.write_text(CONTROL_SOURCE)
        tree = tmp / "baseline-tree"
        _git(config.root, "worktree", "remove", "--force", str(tree), check=False)
        _git(config.root, "worktree", "add", "--detach", str(tree), sha)
        try:
            sides = {
                "candidate": str(Path(session.bin) / "python"),
                "baseline": _baseline_python(session, config, tree, tmp),
            }
            targets = [str(config.root / path) for path in settings.paths]
            rounds: dict[str, list[benchstats.Round]] = {"baseline": [], "candidate": []}
            _run_rounds(
                session,
                settings,
                config.root,
                sides,
                [*targets, str(control)],
                rounds,
                settings.rounds,
            )
            outcome = _decide(settings, rounds)
            for _ in range(settings.reruns):
                if not outcome.inconclusive:
                    break
                # Re-run only the benchmarks that could not be decided.
                _run_rounds(
                    session,
                    settings,
                    config.root,
                    sides,
                    [*(str(config.root / name) for name in outcome.inconclusive), str(control)],
                    rounds,
                    2,
                )
                outcome = _decide(settings, rounds)
        finally:
            _git(config.root, "worktree", "remove", "--force", str(tree), check=False)
            _git(config.root, "worktree", "prune", check=False)
        _report(session, config, outcome, sha)


def _decide(
    settings: BenchmarkConfig, rounds: dict[str, list[benchstats.Round]]
) -> benchstats.Outcome:
    return benchstats.compare_rounds(
        rounds["baseline"],
        rounds["candidate"],
        threshold=settings.threshold,
        shortest=settings.shortest,
    )


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise nox.command.CommandFailed(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _baseline(session: nox.Session, config: Config, settings: BenchmarkConfig) -> str:
    """The baseline commit: the configured ref, else the merge-base with main."""
    configured = settings.baseline
    found = first_commit(config.root, (configured,) if configured else DEFAULT_BASES)
    if found is not None:
        ref, sha = found
        return _git(config.root, "merge-base", "HEAD", ref, check=False) or sha
    wanted = configured or " / ".join(DEFAULT_BASES)
    session.error(
        f"benchmark-compare: the baseline {wanted} is not a git ref here; fetch it or set "
        f"{config.where('benchmark')} baseline"
    )


def _baseline_python(session: nox.Session, config: Config, tree: Path, tmp: Path) -> str:
    """A venv of its own with the baseline revision installed."""
    # Always installed, even under `nox -R`: the baseline revision may have moved.
    python, installer = side_venv(session, tmp / "baseline-venv", session.run)
    session.run(*installer, str(tree), *requirements(*BENCH_TOOLS), external=True)
    return python


def _run_rounds(
    session: nox.Session,
    settings: BenchmarkConfig,
    root: Path,
    sides: dict[str, str],
    targets: list[str],
    rounds: dict[str, list[benchstats.Round]],
    count: int,
) -> None:
    out = Path(session.create_tmp()) / "rounds"
    out.mkdir(exist_ok=True)
    for number in range(count):
        # A B, then B A: neither side always runs on the warmer machine.
        order = ["baseline", "candidate"] if number % 2 == 0 else ["candidate", "baseline"]
        for side in order:
            report = out / f"{side}-{len(rounds[side])}.json"
            _run_side(session, settings, root, sides[side], targets, report, side)
            rounds[side].append(benchstats.round_medians(json.loads(report.read_text())))


def _run_side(
    session: nox.Session,
    settings: BenchmarkConfig,
    root: Path,
    python: str,
    targets: list[str],
    report: Path,
    side: str,
) -> None:
    # The candidate must run every benchmark; on the baseline, a benchmark of
    # code that does not exist there yet fails and is listed as new.
    codes = [0] if side == "candidate" else [0, 1, 2]
    session.run(
        python,
        "-m",
        "pytest",
        *targets,
        "--benchmark-only",
        f"--benchmark-json={report}",
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
        *session.posargs,
        external=True,
        silent=True,
        success_codes=codes,
    )


def _report(session: nox.Session, config: Config, outcome: benchstats.Outcome, sha: str) -> None:
    head = _git(config.root, "rev-parse", "HEAD", check=False)
    dirty = _git(config.root, "status", "--porcelain", check=False)
    meta = {
        "baseline": sha,
        "candidate": f"{head}{' + uncommitted changes' if dirty else ''}",
        "python": str(session.python),
        "machine": f"{platform.machine()} {platform.node()}",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "rounds per side": str(outcome.runs),
    }
    markdown = benchstats.outcome_markdown(outcome, meta)
    reports = reports_dir(config)
    (reports / "benchmark-compare.md").write_text(markdown, encoding="utf-8")
    (reports / "benchmark-compare.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "benchmarks": [vars(c) for c in outcome.comparisons],
                "new": list(outcome.new),
                "removed": list(outcome.removed),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(markdown)
    append_step_summary(markdown)
    if outcome.regressions:
        names = ", ".join(f"{c.name} ({c.ratio:.2f}x)" for c in outcome.regressions)
        session.error(f"benchmark-compare: slower than the baseline: {names}")
