"""Every session, run exactly as a user types it: in the project folder, `nox -s <session>`,
nox's default `.nox`, no other flag.

The other e2e tests share venvs through an absolute --envdir to save minutes; that
hid a benchmark-compare that crashed on nox's default, relative `.nox` (issue 26).
Here nothing is shared: each project is a fresh copy made the way a user makes one (a
src layout and a setuptools flat layout, each a git repository on main), and each
session starts from nox's own defaults.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import ADVISORY_DB, FIXTURES, NoxRun, add_config, new_copy, typed
from tests.e2e.test_coverage import git

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


def committed(project: Path) -> Path:
    (project / ".gitignore").write_text("reports/\nci-reports/\n.nox/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a new project")
    return project


def run_each(project: Path, sessions: list[str]) -> dict[str, NoxRun]:
    """Each session in turn; every one that did not succeed, with its output."""
    failed = {}
    for name in sessions:
        result = typed(project, "-s", name)
        if result.returncode != 0 or f"Session {name} was successful" not in result.output:
            failed[name] = result
    return failed


@pytest.fixture
def src_project(projects_dir: Path) -> Path:
    """A src layout with tests, benchmarks and a suite, as `init` would leave it."""
    project = new_copy(projects_dir, FIXTURES / "bench_app")
    add_config(
        project,
        f"""
[tool.ci_sessions.suites.unit]
paths = ["tests"]
[tool.ci_sessions.flaky]
runs = 2
[tool.ci_sessions.security]
db = "{ADVISORY_DB}"
max-db-age-days = 100000
""",
    )
    (project / "mkdocs.yml").write_text("site_name: bench-app\nnav:\n  - Home: index.md\n")
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# bench-app\n\nIt crunches numbers.\n")
    return committed(project)


def test_every_session_of_a_src_layout_runs_as_typed(src_project: Path) -> None:
    sessions = [
        "lint",
        "format",
        "tests-3.13",
        "collect",
        "durations",
        "unit",
        "coverage",
        "security",
        "build",
        "docs",
        "flaky",
        "changes",
        "benchmark-compare",
    ]
    failed = run_each(src_project, sessions)
    # The default pipeline, `nox` alone: its report session reads this run's records.
    pipeline = typed(src_project)
    if pipeline.returncode != 0 or "Session report was successful" not in pipeline.output:
        failed["nox"] = pipeline
    assert not failed, "\n\n".join(f"{name}:\n{run.output[-3000:]}" for name, run in failed.items())
    assert (src_project / ".nox" / "tests-3-13").is_dir()  # nox's default envdir, relative
    # benchmark-compare built its baseline in a worktree and left none behind.
    assert "worktree" not in git(src_project, "worktree", "list").split("\n", 1)[-1]
    # format changed nothing in a formatted project, and the sessions left the tree clean
    # but for the file durations writes to be committed.
    assert git(src_project, "status", "--porcelain") == "?? .test_durations\n"


def test_a_setuptools_flat_layout_builds_and_tests_as_typed(projects_dir: Path) -> None:
    # No package list: setuptools discovers `calc` itself, and would take a reports/
    # folder for a second package ("Multiple top-level packages discovered").
    project = projects_dir / "calc"
    (project / "calc").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "calc" / "__init__.py").write_text(
        "def add(a: int, b: int) -> int:\n    return a + b\n"
    )
    (project / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
    )
    (project / "noxfile.py").write_text((FIXTURES / "sample" / "noxfile.py").read_text())
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "calc"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        '[tool.ci_sessions]\npython = ["3.13"]\n'
        '[tool.ci_sessions.security]\nscanners = ["bandit"]\n'
    )
    committed(project)
    failed = run_each(project, ["lint", "tests-3.13", "coverage", "security", "build"])
    assert not failed, "\n\n".join(f"{name}:\n{run.output[-3000:]}" for name, run in failed.items())
    assert (project / "ci-reports" / "junit-tests-3.13.xml").is_file()
    assert not (project / "reports").exists()


def test_integration_runs_as_typed(projects_dir: Path) -> None:
    project = committed(new_copy(projects_dir, FIXTURES / "services_app"))
    result = typed(project, "-s", "integration")
    assert "Session integration was successful" in result.output, result
