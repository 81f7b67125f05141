"""``coverage``: combine the matrix' data and gate total, per-module and patch coverage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nox

from ci_sessions import coverage_gate, shards
from ci_sessions.config import Config
from ci_sessions.git import first_commit
from ci_sessions.github import append_step_summary
from ci_sessions.sessions._coverage import (
    coverage_data_dir,
    user_coverage_settings,
    write_coverage_rc,
)
from ci_sessions.sessions._nox import install_tools, reports_dir, session

DEFAULT_COMPARE_BRANCHES = ("origin/main", "main")


def register(config: Config) -> None:
    # Not parallel: under `nox -j` it then starts only when the tests sessions
    # queued before it have finished writing their data.
    @session(config, "coverage", python=config.newest_python)
    def coverage(session: nox.Session) -> None:
        """Combine every Python's coverage data, write reports, apply the thresholds."""
        settings = config.coverage
        folders = [coverage_data_dir(config)]
        if settings.include_integration:
            folders.append(coverage_data_dir(config) / "integration")
        data_files = sorted(
            path
            for folder in folders
            if folder.is_dir()
            for path in folder.iterdir()
            if coverage_gate.python_of(path.name)
        )
        if not data_files:
            session.error(
                f"no coverage data in {coverage_data_dir(config)}: run the tests sessions "
                "first (`nox -s tests`), or download the matrix jobs' data there"
            )
        tools = ["coverage"] + (["diff-cover"] if settings.patch_fail_under is not None else [])
        install_tools(session, *tools)

        reports = reports_dir(config)
        work = Path(session.create_tmp()) / "combine"
        shutil.rmtree(work, ignore_errors=True)
        (work / "inputs").mkdir(parents=True)
        # Combine copies, so the inputs survive and a second run gives the same result.
        copies = [
            shutil.copy2(path, work / "inputs" / f"{path.name}.{index}")
            for index, path in enumerate(data_files)
        ]
        rcfile = write_coverage_rc(config, work)
        env = {"COVERAGE_FILE": str(work / ".coverage")}
        json_report = reports / "coverage.json"
        # One process for combine and the four reports, through coverage's API:
        # five CLI runs cost a second of start-up on a small project.
        session.run(
            "python",
            "-c",
            COMBINE_AND_REPORT,
            str(rcfile),
            str(json_report),
            str(reports / "coverage.xml"),
            str(reports / "coverage-html"),
            *map(str, copies),
            env=env,
        )

        patch = _patch(session, config, reports) if settings.patch_fail_under is not None else None
        report = json.loads(json_report.read_text(encoding="utf-8"))
        fail_under = coverage_gate.effective_fail_under(settings, user_coverage_settings(config))
        missing = (
            # Only the matrix' own files count: integration data is extra.
            _missing(config, [p.name for p in data_files if p.parent == folders[0]])
            if settings.require_all_pythons
            else []
        )
        result = coverage_gate.evaluate(
            report, settings, fail_under=fail_under, missing=missing, patch=patch
        )
        pythons = sorted({coverage_gate.python_of(p.name) or "" for p in data_files})
        markdown = coverage_gate.summary_markdown(
            report,
            result,
            fail_under=fail_under,
            pythons=pythons,
            patch=patch,
            worst=settings.worst_files,
        )
        (reports / "coverage-summary.md").write_text(markdown, encoding="utf-8")
        print(markdown)
        append_step_summary(markdown)
        if not result.passed:
            session.error("coverage gate failed: " + "; ".join(m.message for m in result.misses))


# Run in the coverage venv: argv = rcfile, json, xml, html folder, data files.
# The data file is $COVERAGE_FILE; fail_under is the gate's, not coverage's.
COMBINE_AND_REPORT = """
import sys
import coverage

rcfile, json_out, xml_out, html_dir, *inputs = sys.argv[1:]
cov = coverage.Coverage(config_file=rcfile)
cov.combine(inputs, keep=True, strict=True)
cov.save()
cov.load()
cov.json_report(outfile=json_out)
cov.xml_report(outfile=xml_out)
cov.html_report(directory=html_dir)
cov.report()
"""


def _missing(config: Config, names: list[str]) -> list[str]:
    """Pythons (or, sharded, Python shards) of the matrix that left no data."""
    if config.shards > 1:
        return shards.missing(config.python, config.shards, names)
    return coverage_gate.missing_pythons(config.python, names)


def _patch(session: nox.Session, config: Config, reports: Path) -> coverage_gate.Patch:
    """diff-cover over coverage.xml against the compare branch."""
    candidates = (
        (config.coverage.compare_branch,)
        if config.coverage.compare_branch
        else DEFAULT_COMPARE_BRANCHES
    )
    found = first_commit(config.root, candidates)
    if found is None:
        session.error(
            f"patch coverage: compare-branch {' / '.join(candidates)} is not a git ref "
            "here; fetch it (in CI: actions/checkout with fetch-depth: 0) or set "
            f"{config.where('coverage')} compare-branch"
        )
    branch = found[0]
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
