"""``coverage``: combine the matrix' data and gate total, per-module and patch coverage."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nox

from ci_sessions import coverage_data, git, invocation, pipeline_report
from ci_sessions.config import Config
from ci_sessions.families.base import pins
from ci_sessions.families.coverage import cells, ratchet
from ci_sessions.families.coverage import gate as coverage_gate
from ci_sessions.families.coverage.family import TOOLS
from ci_sessions.families.coverage.settings import CoverageConfig
from ci_sessions.families.tests import narrow, shards
from ci_sessions.families.tests.settings import MatrixConfig
from ci_sessions.git import first_commit, merge_base_problem
from ci_sessions.github import REPLAY_ENV
from ci_sessions.glue.coverage_rc import write_rc
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import (
    IN_VENV,
    install_tools,
    publish_summary,
    reports_data_dir,
    reports_dir,
    warn_visibly,
)
from ci_sessions.platforms import this_system
from ci_sessions.workflow.settings import WorkflowConfig

DEFAULT_COMPARE_BRANCHES = ("origin/main", "main")
COMBINE = IN_VENV / "combine_coverage.py"
# What combine_coverage.py names a failure of the combination itself, not of one file.
COMBINED = "(combined)"


def coverage(session: nox.Session, config: Config) -> None:
    """The body of `coverage` (defined in family.py, imported when it runs)."""
    settings = config.of(CoverageConfig)
    folders = [reports_data_dir(config)]
    if settings.include_integration:
        folders.append(reports_data_dir(config) / "integration")
    folders += [reports_data_dir(config) / suite for suite in settings.include_suites]
    data_files = sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.iterdir()
        if coverage_data.python_of(path.name)
    )
    if not data_files:
        session.error(
            f"no coverage data in {reports_data_dir(config)}: run the tests sessions "
            "first (`nox -s tests`), or download the matrix jobs' data there"
        )
    # A narrowed tier (PR-fast) checks the Pythons it runs, and takes its own partial data.
    narrowed = narrow.in_force(config.of(MatrixConfig).narrow)
    expected = list((narrowed[1].python if narrowed else ()) or config.python)
    accepted = narrowed[1].label(narrowed[0], config.slow_marker) if narrowed else ""
    data_files = [
        path
        for path in data_files
        if path.parent != folders[0] or coverage_data.python_of(path.name) in expected
    ]
    found = _freshness(config, data_files, accepted)
    usable = [path for path in data_files if found[path].usable]
    matrix = [path.name for path in usable if path.parent == folders[0]]
    misses, warnings = _data_problems(config, data_files, found, matrix, expected)
    misses += [
        f"no usable coverage data from suite {suite}: run `nox -s {suite}` first (it is in "
        "include-suites)"
        for suite in settings.include_suites
        if not any(path.parent.name == suite for path in usable)
    ]
    for warning in warnings:
        session.warn(f"coverage: {warning}")
    if not usable:
        session.error("coverage: no usable data: " + "; ".join(misses + warnings))

    tools = ["coverage"] + (["diff-cover"] if settings.patch_fail_under is not None else [])
    install_tools(session, config, *pins(TOOLS, *tools))
    reports = reports_dir(config)
    json_report = _combine(session, config, usable, reports)
    patch = _patch(session, config, reports) if settings.patch_fail_under is not None else None
    report = json.loads(json_report.read_text(encoding="utf-8"))
    now = ratchet.figures_of(report)
    ratchet.write(reports / ratchet.FIGURES, now)
    trend, drop_misses, drop_warnings = _ratchet(session, config, reports, now)
    if narrowed:
        partial = f"Partial figure: {accepted}, not the whole suite."
        session.log(f"coverage: {partial}")
        trend = f"{partial}\n{trend}" if trend else partial
    result = coverage_gate.evaluate(
        report,
        settings,
        fail_under=settings.fail_under,  # resolved at load, [tool.coverage.report] too
        data_misses=[*misses, *drop_misses],
        warnings=[*warnings, *drop_warnings],
        patch=patch,
    )
    markdown = coverage_gate.summary_markdown(
        report,
        result,
        fail_under=settings.fail_under,
        pythons=sorted({coverage_data.python_of(p.name) or "" for p in usable}),
        patch=patch,
        worst=settings.worst_files,
        sources=[f"`{p.name}`: {found[p].note}" for p in usable],
        trend=trend,
    )
    publish_summary(config, "coverage-summary.md", markdown)
    pipeline_report.figure("total", f"{result.total:.2f}%")
    warn_visibly(session, "coverage", result.warnings)
    if not result.passed:
        session.error("coverage gate failed: " + "; ".join(m.message for m in result.misses))


def _ratchet(
    session: nox.Session, config: Config, reports: Path, now: ratchet.Figures
) -> tuple[str, list[str], list[str]]:
    """(trend line, misses, warnings) against main's stored figures, with max-drop set."""
    settings = config.of(CoverageConfig)
    branch = config.of(WorkflowConfig).main  # whose figures CI keeps and restores
    try:
        base = ratchet.read(reports / ratchet.BASELINE_DIR / ratchet.FIGURES)
    except ValueError as exc:
        session.error(f"coverage: {exc}")
    if settings.max_drop is None:
        return (ratchet.trend(base, now, branch) if base else ""), [], []
    if base is None:
        # The first run has nothing to compare with: visible, not failing.
        return (
            ratchet.trend(None, now, branch),
            [],
            [
                f"max-drop is set but there are no stored figures of {branch} in "
                f"{reports / ratchet.BASELINE_DIR} (CI restores them; the first run on main saves "
                "them): nothing compared"
            ],
        )
    found = ratchet.drops(base, now, settings.max_drop, branch)
    if settings.drop == "warn":
        return ratchet.trend(base, now, branch), [], found
    return ratchet.trend(base, now, branch), found, []


def _freshness(
    config: Config, data_files: list[Path], accepted: str
) -> dict[Path, coverage_data.Freshness]:
    """Each data file's verdict: written this run, or earlier on the same code (`accepted`:
    the narrowed tier's label, whose partial data counts)."""
    current = invocation.current()
    listed = git.project_files(config.root)
    found = {}
    for path in data_files:
        record = coverage_data.read_record(path)
        code = coverage_data.code_fingerprint(config.root, record.folders, listed) if record else ""
        found[path] = coverage_data.freshness(
            path.name, record, invocation=current, code=code, accepted_subset=accepted
        )
    return found


def _data_problems(
    config: Config,
    data_files: list[Path],
    found: dict[Path, coverage_data.Freshness],
    matrix: list[str],
    expected: list[str],
) -> tuple[list[str], list[str]]:
    """(misses, warnings) about the data itself: stale or missing Pythons and shards."""
    stale = {
        coverage_data.python_of(path.name) or "": found[path].note
        for path in data_files
        if not found[path].usable
    }
    if not config.of(CoverageConfig).require_all_pythons:
        return [], [f"not combined: {note}" for note in stale.values()]
    if config.of(WorkflowConfig).options("tests").os_axis:
        return _cell_problems(config, data_files, found, expected)
    if config.of(MatrixConfig).shards > 1:
        return [
            f"no coverage data from Python {part}"
            for part in shards.missing(expected, config.of(MatrixConfig).shards, matrix)
        ] + [note for python, note in stale.items() if python in expected], []
    pythons = [coverage_data.python_of(name) or "" for name in matrix]
    return coverage_gate.data_problems(expected, pythons, stale, absent_here=config.absent_pythons)


def _cell_problems(
    config: Config,
    data_files: list[Path],
    found: dict[Path, coverage_data.Freshness],
    expected: list[str],
) -> tuple[list[str], list[str]]:
    """(misses, warnings) with an OS axis: every cell (system x Python x shard) of the
    matrix needs exactly one usable data file; on CI, every system of the axis."""
    matrix_folder = reports_data_dir(config)
    located = {
        path: cells.cell_of(path.name, record.system if record else "")
        for path in data_files
        if path.parent == matrix_folder
        for record in [coverage_data.read_record(path)]
    }
    usable = {path.name: cell for path, cell in located.items() if cell and found[path].usable}
    why = {
        cell: found[path].note for path, cell in located.items() if cell and path.name not in usable
    }
    options = config.of(WorkflowConfig).options("tests")
    pull_request = os.environ.get("GITHUB_EVENT_NAME") == "pull_request"
    systems, unknown = cells.expected_systems(
        options.runners(pull_request=pull_request),
        {cell.system for cell in usable.values()},
        on_ci=bool(os.environ.get("CI")),
    )
    shard_count = config.of(MatrixConfig).shards
    missing, misses = cells.check(usable, systems, expected, shard_count)
    warnings = [
        f"runner {label} names no system ci-sessions knows (ubuntu-*, macos-*, windows-*): its "
        "data is combined, but not required"
        for label in unknown
    ]
    here = this_system()
    # `workflow --replay` runs no job of another system (and says so in its table).
    replay = bool(os.environ.get(REPLAY_ENV))
    for cell in missing:
        reason = why.get(cell) or "its tests job did not run or its data was not downloaded"
        text = f"no usable coverage data from {cell.describe(shard_count)}: {reason}"
        if cell.system == here and cell.python in config.absent_pythons:
            warnings.append(
                f"{text}; Python {cell.python} does not start here (on CI it is required)"
            )
        elif replay and cell.system != here:
            warnings.append(
                f"{text}; a replay runs no {cell.system} job (on GitHub it is required)"
            )
        else:
            misses.append(text)
    return misses, warnings


def _combine(session: nox.Session, config: Config, usable: list[Path], reports: Path) -> Path:
    """Combine copies of the data (the inputs survive a second run) and write the reports."""
    work = scratch_dir(session) / "combine"
    shutil.rmtree(work, ignore_errors=True)
    (work / "inputs").mkdir(parents=True)
    copies = {
        Path(shutil.copy2(path, work / "inputs" / f"{path.name}.{index}")): path
        for index, path in enumerate(usable)
    }
    status_file = work / "status.json"
    json_report = reports / "coverage.json"
    session.run(
        "python",
        str(COMBINE),
        str(write_rc(config, work)),
        str(status_file),
        str(json_report),
        str(reports / "coverage.xml"),
        str(reports / "coverage-html"),
        *map(str, copies),
        env={"COVERAGE_FILE": str(work / ".coverage")},
    )
    status = json.loads(status_file.read_text(encoding="utf-8"))
    # A file that cannot be read, then one that measured nothing of the package, each
    # named; only then what failed combining them all.
    unreadable = [item for item in status["unreadable"] if item["file"] != COMBINED]
    if unreadable:
        named = "; ".join(
            f"{copies.get(Path(item['file']), item['file'])}: {item['error']}"
            for item in unreadable
        )
        session.error(
            f"coverage: unreadable data file: {named}; delete it and run its tests session again"
        )
    empty = [
        copies[Path(name)]
        for name, measured in status["measured"].items()
        if not coverage_data.measures_package(measured, config.packages)
    ]
    if empty:
        named = "; ".join(
            f"{path.name} ({_written_by(path)}) measured no line of {', '.join(config.packages)}"
            for path in empty
        )
        session.error(
            f"coverage: {named}: that data contributes nothing (an empty file, or the tests "
            f"of another project or copy); run its tests session again, and check "
            f"{config.key_ref('package')} names the package the tests import"
        )
    measured_all = [path for measured in status["measured"].values() for path in measured]
    unmeasured = coverage_data.unmeasured_packages(measured_all, config.packages)
    if unmeasured:
        session.error(
            f"coverage: no test measured {', '.join(unmeasured)}, a package of "
            f"{config.key_ref('package')} ({', '.join(config.packages)}): its code would count "
            "as nothing; test it, or leave it out of package"
        )
    if status["unreadable"]:
        errors = "; ".join(item["error"] for item in status["unreadable"])
        session.error(f"coverage: combining the data files failed: {errors}")
    if status["no_data"]:
        session.error(
            f"coverage: the tests measured no code of {', '.join(config.packages)} "
            f"({status['no_data']}): check {config.key_ref('package')} names the package the "
            "tests import"
        )
    return json_report


def _written_by(path: Path) -> str:
    record = coverage_data.read_record(path)
    return f"written by {record.session}" if record else "no record of its run"


def _patch(session: nox.Session, config: Config, reports: Path) -> coverage_gate.Patch:
    """diff-cover over coverage.xml against the compare branch."""
    branch = config.of(CoverageConfig).compare_branch
    candidates = (branch,) if branch else DEFAULT_COMPARE_BRANCHES
    found = first_commit(config.root, candidates)
    if found is None:
        session.error(
            f"patch coverage: compare-branch {' / '.join(candidates)} is not a git ref "
            "here; fetch it (in CI: actions/checkout with fetch-depth: 0) or set "
            f"{config.key_ref('coverage.compare-branch')}"
        )
    branch = found[0]
    problem = merge_base_problem(config.root, branch)
    if problem:
        session.error(f"patch coverage against {branch}: {problem}")
    report = reports / "patch-coverage.json"
    session.run(
        "diff-cover",
        str(reports / "coverage.xml"),
        f"--compare-branch={branch}",
        "--branch-coverage",
        f"--format=json:{report},markdown:{reports / 'patch-coverage.md'}",
    )
    return coverage_gate.patch_from_diff_cover(
        json.loads(report.read_text(encoding="utf-8")), branch
    )
