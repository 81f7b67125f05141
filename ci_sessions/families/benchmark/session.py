"""``benchmark-compare``: the baseline revision against the working tree, same run.

Both sides run the candidate's benchmark files (so a benchmark means the same
on both). In walltime mode each round is a fresh pytest process per side, the
sides alternated, a control benchmark in every process correcting for the
machine's speed that round; in instructions mode one process per side counts
instructions under callgrind. The baseline is a git ref built in a temporary
worktree, or a file an earlier run wrote (``-- --baseline-file PATH``).
Verdicts come from ci_sessions.families.benchmark.stats.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nox
import nox.command

from ci_sessions import cleanup, git, pipeline_report
from ci_sessions.config import Config
from ci_sessions.families.benchmark import runs
from ci_sessions.families.benchmark import stats as benchstats
from ci_sessions.families.benchmark import stored as benchfile
from ci_sessions.families.benchmark.settings import MEMORY, BenchmarkConfig
from ci_sessions.git import first_commit
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import (
    IN_VENV,
    publish_summary,
    reports_dir,
    require_paths,
    side_venv,
    warn_visibly,
)

DEFAULT_BASES = ("origin/main", "main")
INSTRUCTIONS = benchstats.INSTRUCTIONS  # the mode's name, as the reports spell it


def benchmark_compare(session: nox.Session, config: Config) -> None:
    """The body of `benchmark-compare` (defined in family.py, imported when it runs)."""
    settings = config.of(BenchmarkConfig)
    require_paths(session, config, "benchmark.paths", settings.paths)
    try:
        stored_path, posargs = benchfile.take_option(session.posargs)
    except ValueError as error:
        session.error(f"benchmark-compare: {error}")
    if settings.mode == INSTRUCTIONS:
        runs.require_valgrind(session)
    tools = {
        INSTRUCTIONS: runs.INSTRUCTIONS_TOOLS,
        MEMORY: runs.MEMORY_TOOLS,
    }.get(settings.mode, runs.WALLTIME_TOOLS)
    tmp = scratch_dir(session)
    env = runs.plugin_env(tmp, config.packages)
    python = _side_python(session, tmp, "candidate", config.root, tools)
    version = _version(python)
    rounds: runs.Rounds = {"baseline": [], "candidate": []}
    sides = {"candidate": python}
    # The benchmarks the baseline revision itself has: one of those that
    # fails there is an error to show, not a new benchmark.
    known: set[str] = set()
    if stored_path is not None:
        rounds["baseline"] = list(_stored(session, settings, stored_path, version).rounds)
        baseline = f"the file {stored_path}"
    else:
        baseline = _baseline(session, config, settings)
        try:
            with _worktree(config.root, tmp / "baseline-tree", baseline) as tree:
                sides["baseline"] = _side_python(session, tmp, "baseline", tree, tools)
                known = runs.collected_ids(sides["baseline"], tree, settings.paths, env)
        except RuntimeError as exc:  # git could not make the worktree
            session.error(f"benchmark-compare: {exc}")
    failures: runs.Failures = {}
    outcome = _measure(session, config, settings, sides, rounds, posargs, env, failures)
    _refuse_baseline_errors(session, failures.get("baseline", {}), known, baseline)
    _report(session, config, settings, outcome, baseline, version, rounds["candidate"])


def _measure(
    session: nox.Session,
    config: Config,
    settings: BenchmarkConfig,
    sides: dict[str, str],
    rounds: runs.Rounds,
    posargs: list[str],
    env: dict[str, str],
    failures: runs.Failures,
) -> benchstats.Outcome:
    targets = [str(config.root / path) for path in settings.paths]
    common = runs.pytest_args(config.root, settings, posargs)
    if settings.mode == INSTRUCTIONS:
        runs.instruction_counts(session, sides, targets, rounds, common, config.root, env, failures)
        outcome = benchstats.compare_count_maps(
            rounds["baseline"][0],
            rounds["candidate"][0],
            threshold=settings.limit,
            noise=settings.noise_instructions,
        )
    elif settings.mode == MEMORY:
        runs.memory_peaks(session, sides, targets, rounds, common, env, failures)
        outcome = benchstats.compare_count_maps(
            rounds["baseline"][0],
            rounds["candidate"][0],
            threshold=settings.limit,
            noise=settings.noise_bytes,
            unit=benchstats.BYTES,
        )
    else:
        control = str(runs.control_file(scratch_dir(session)))
        runs.walltime_rounds(
            session, sides, [*targets, control], rounds, settings.rounds, common, env, failures
        )

        def rerun(names: list[str]) -> None:
            again = [*(str(config.root / name) for name in names), control]
            runs.walltime_rounds(
                session, sides, again, rounds, benchstats.RERUN_ROUNDS, common, env, failures
            )

        outcome = benchstats.settle(lambda: _decide(settings, rounds), rerun, settings.reruns)
    if not outcome.comparisons and not outcome.new:
        session.error(
            f"benchmark-compare: no benchmark ran in {', '.join(settings.paths)}; "
            f"check {config.key_ref('benchmark.paths')} and that the tests use the benchmark "
            "fixture"
        )
    return outcome


def _refuse_baseline_errors(
    session: nox.Session, failed: dict[str, str], known: set[str], baseline: str
) -> None:
    """A benchmark the baseline has, failing there, leaves nothing to compare with:
    that is an error to show, never a pass with the benchmark listed as new."""
    broken = {name: message for name, message in failed.items() if name in known}
    if broken:
        listed = "; ".join(f"{name}: {message}" for name, message in sorted(broken.items()))
        session.error(
            f"benchmark-compare: on the baseline ({baseline}) these benchmarks fail, so there "
            f"is nothing to compare them with: {listed}"
        )


def _decide(settings: BenchmarkConfig, rounds: runs.Rounds) -> benchstats.Outcome:
    return benchstats.compare_rounds(
        rounds["baseline"],
        rounds["candidate"],
        threshold=settings.limit,
        shortest=settings.shortest,
    )


def _version(python: str) -> str:
    done = subprocess.run(
        [python, str(IN_VENV / "python_version.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _stored(
    session: nox.Session, settings: BenchmarkConfig, path: str, version: str
) -> benchfile.Stored:
    try:
        stored = benchfile.from_document(json.loads(Path(path).read_text()), path)
    except (OSError, ValueError) as error:
        session.error(f"benchmark-compare: cannot use {benchfile.OPTION} {path}: {error}")
    if stored.mode != settings.mode:
        session.error(
            f"benchmark-compare: {path} holds {stored.mode} figures, but mode is "
            f"{settings.mode}; compare like with like"
        )
    if settings.mode in (INSTRUCTIONS, MEMORY) and stored.python != version:
        session.error(
            f"benchmark-compare: {path} was measured on Python {stored.python}, this run uses "
            f"{version}; {settings.mode} figures differ between interpreters"
        )
    if settings.mode not in (INSTRUCTIONS, MEMORY):
        session.warn(
            f"benchmark-compare: wall time against a stored baseline ({path}) is unreliable: "
            "another process, maybe another machine; the control benchmark corrects only "
            'part of that. Prefer a git baseline, or mode = "instructions".'
        )
    return stored


def _baseline(session: nox.Session, config: Config, settings: BenchmarkConfig) -> str:
    """The baseline commit: the configured ref (a branch also as origin's: a pull request's
    checkout has no local branch but the one it tests), else the merge-base with main."""
    configured = settings.baseline
    candidates = (configured, f"origin/{configured}") if configured else DEFAULT_BASES
    found = first_commit(config.root, candidates)
    if found is not None:
        ref, sha = found
        return git.merge_base(config.root, ref) or sha
    wanted = configured or " / ".join(DEFAULT_BASES)
    session.error(
        f"benchmark-compare: the baseline {wanted} is not a git ref here; fetch it or set "
        f"{config.key_ref('benchmark.baseline')}"
    )


@contextmanager
def _worktree(root: Path, tree: Path, sha: str) -> Iterator[Path]:
    """The baseline revision checked out beside, removed in every outcome.

    SIGTERM unwinds like Ctrl-C (ci_sessions.cleanup), so the `finally` runs on
    a cancel too; after a SIGKILL the record beside it lets the next run remove it.
    """
    record = cleanup.worktree_record(tree)
    cleanup.mark_owned(record)
    try:
        git.add_worktree(root, tree, sha)
        yield tree
    finally:
        git.remove_worktree(root, tree)
        git.prune_worktrees(root)
        record.unlink(missing_ok=True)


def _side_python(
    session: nox.Session, tmp: Path, side: str, source: Path, tools: Sequence[str]
) -> str:
    """A venv for one side with its revision installed (not editable), and the tools.

    Both sides alike: venv paths of the same length and the package copied
    into site-packages, so that an unchanged tree gives equal instruction
    counts, not counts shifted by a different memory layout. Always
    installed, even under `nox -R`: the revision may have moved.
    """
    python, installer = side_venv(session, tmp / "sides" / runs.LABELS[side], session.run)
    session.run(*installer, str(source), *tools, external=True)
    return python


def _report(
    session: nox.Session,
    config: Config,
    settings: BenchmarkConfig,
    outcome: benchstats.Outcome,
    baseline: str,
    version: str,
    candidate_rounds: list[benchstats.Round],
) -> None:
    meta = {
        "mode": settings.mode,
        "baseline": baseline,
        "candidate": git.head(config.root),
        "python": version,
        "machine": f"{platform.machine()} {platform.node()}",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "rounds per side": str(outcome.runs),
        "threshold": f"{settings.limit:.0%}",
    }
    markdown = benchstats.outcome_markdown(outcome, meta, advisory=settings.advisory)
    reports = reports_dir(config)
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
    # The candidate's figures, for a later run's --baseline-file.
    stored = benchfile.to_document(settings.mode, version, candidate_rounds, meta)
    (reports / "benchmark-results.json").write_text(json.dumps(stored, indent=2), encoding="utf-8")
    publish_summary(config, "benchmark-compare.md", markdown)
    pipeline_report.figure("benchmarks", len(outcome.comparisons))
    pipeline_report.figure("slower", len(outcome.regressions))
    if outcome.regressions:
        names = ", ".join(f"{c.name} ({c.ratio:.2f}x)" for c in outcome.regressions)
        worse = "more memory than" if settings.mode == MEMORY else "slower than"
        if settings.advisory:
            # advisory = true: a third outcome, visible everywhere, exit 0.
            message = f"{worse} the baseline (advisory, not failing): {names}"
            warn_visibly(session, "benchmark-compare", [message])
            return
        session.error(f"benchmark-compare: {worse} the baseline: {names}")
