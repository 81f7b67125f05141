"""The coverage session as nox runs it, over a real nox.Session and a fake runner. The data
files are real coverage.py data, and the fake runner runs the session's own combining
script for real (in this interpreter, which has coverage): only nox's process is faked."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import coverage
import pytest

from ci_sessions import coverage_data, invocation
from ci_sessions.config import Config
from ci_sessions.registry import load_config
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    Script,
    commands,
    make_session,
    project,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest

SOURCE = "def area(a, b):\n    if a < 0:\n        raise ValueError('negative')\n    return a * b\n"


def measured(config: Config, python: str, lines: set[int], *, run: str | None = None) -> Path:
    """A real data file of one Python (lines of the package's module ran), with the record
    of the run that wrote it (this nox run unless `run` names another)."""
    module = config.root / "src" / "demo" / "__init__.py"
    module.write_text(SOURCE)
    target = config.root / "reports" / "coverage-data" / f".coverage.py{python}"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = coverage.CoverageData(basename=str(target))
    # As pytest-cov writes it with relative_files: relative to the project root.
    data.add_lines({"src/demo/__init__.py": sorted(lines)})
    data.write()
    record = coverage_data.new_record(
        f"tests-{python}", run or invocation.current(), config.root, ["src/demo", "tests"]
    )
    coverage_data.write_record(target, record)
    return target


def runs_python_for_real(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The venv's python: here, this interpreter, on the session's own script."""
    done = subprocess.run(
        [sys.executable, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout + done.stderr


def diff_cover(percent: float) -> Script:
    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        target = next(a for a in argv if a.startswith("--format=")).split("json:")[1].split(",")[0]
        Path(target).write_text(
            json.dumps(
                {
                    "src_stats": {"src/demo/__init__.py": {"percent_covered": percent}},
                    "total_num_lines": 4,
                    "total_num_violations": 0 if percent == 100 else 2,
                    "total_percent_covered": percent,
                }
            )
        )
        return 0, ""

    return script


@pytest.fixture
def run_coverage(commands: FakeCommands) -> FakeCommands:
    commands.on("python", runs_python_for_real)
    return commands


def coverage_session(config: Config, tmp_path: Path) -> None:
    """The session, from the project's folder as nox runs it."""
    with contextlib.chdir(config.root):
        registered(config, "coverage")(make_session(tmp_path / "s", name="coverage"))


def test_the_gate_combines_reports_and_passes_above_fail_under(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = project(tmp_path, "[tool.ci_sessions.coverage]\nfail-under = 70\n")
    measured(config, "3.13", {1, 2, 4})
    coverage_session(config, tmp_path)
    reports = config.root / "reports"
    assert (reports / "coverage.xml").is_file() and (reports / "coverage-html").is_dir()
    summary = (reports / "coverage-summary.md").read_text()
    assert "tests-3.13, this run" in summary
    figures = json.loads((reports / "coverage-figures.json").read_text())
    assert figures["files"] == {"src/demo/__init__.py": pytest.approx(figures["total"])}


def test_below_fail_under_fails(tmp_path: Path, run_coverage: FakeCommands) -> None:
    config = project(tmp_path, "[tool.ci_sessions.coverage]\nfail-under = 99\n")
    measured(config, "3.13", {1, 2, 4})
    with pytest.raises(Quit, match=r"coverage gate failed: .*below fail-under 99"):
        coverage_session(config, tmp_path)


def test_no_data_at_all_says_what_to_run(tmp_path: Path, run_coverage: FakeCommands) -> None:
    config = project(tmp_path)
    with pytest.raises(Quit, match=r"no coverage data in .*run the tests sessions first"):
        coverage_session(config, tmp_path)


def with_pythons(tmp_path: Path, table: str = "") -> Config:
    config = project(tmp_path, table)
    pyproject = config.pyproject
    pyproject.write_text(
        pyproject.read_text().replace('python = ["3.13"]', 'python = ["3.12", "3.13"]')
    )
    return load_config(pyproject, environ={"CI": "true"})


def test_a_python_of_the_matrix_without_data_fails_by_name(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = with_pythons(tmp_path)
    measured(config, "3.13", {1, 2, 4})
    with pytest.raises(Quit, match=r"no usable coverage data from Python 3.12"):
        coverage_session(config, tmp_path)


def test_data_of_an_earlier_run_on_changed_code_does_not_count(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = with_pythons(tmp_path)
    measured(config, "3.13", {1, 2, 4})
    measured(config, "3.12", {1, 2, 4}, run="1.1-aaaa")
    (config.root / "src" / "demo" / "__init__.py").write_text(SOURCE + "\nVALUE = 1\n")
    with pytest.raises(Quit, match=r"\.coverage\.py3\.12 is from an earlier run .*changed since"):
        coverage_session(config, tmp_path)


def test_partial_data_is_accepted_only_where_it_is_asked_for(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = with_pythons(tmp_path)
    pyproject = config.pyproject
    pyproject.write_text(
        pyproject.read_text() + "[tool.ci_sessions.coverage]\nrequire-all-pythons = false\n"
    )
    config = load_config(pyproject, environ={"CI": "true"})
    measured(config, "3.13", {1, 2, 4})
    coverage_session(config, tmp_path)  # 3.12 missing, and that is written down


def test_an_unreadable_data_file_is_named(tmp_path: Path, run_coverage: FakeCommands) -> None:
    config = project(tmp_path)
    data = measured(config, "3.13", {1, 2, 4})
    data.write_text("garbage")
    with pytest.raises(Quit, match=r"unreadable data file: .*\.coverage\.py3\.13"):
        coverage_session(config, tmp_path)


def test_the_ratchet_fails_a_drop_and_warns_without_stored_figures(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = project(tmp_path, "[tool.ci_sessions.coverage]\nmax-drop = 1\n")
    measured(config, "3.13", {1, 2, 4})
    coverage_session(config, tmp_path)  # nothing stored yet: a warning
    record = json.loads((config.root / "reports/pipeline.d/coverage.json").read_text())
    assert record["status"] == "warn"
    assert "no stored figures of main in" in record["warnings"][0]
    stored = config.root / "reports" / "coverage-baseline"
    stored.mkdir()
    (stored / "coverage-figures.json").write_text(json.dumps({"total": 100.0, "files": {}}))
    with pytest.raises(Quit, match=r"coverage gate failed: .*dropped"):
        coverage_session(config, tmp_path)


def test_patch_coverage_needs_its_compare_branch(
    tmp_path: Path, run_coverage: FakeCommands
) -> None:
    config = project(
        tmp_path,
        '[tool.ci_sessions.coverage]\npatch-fail-under = 90\ncompare-branch = "main"\n',
    )
    measured(config, "3.13", {1, 2, 4})
    with pytest.raises(Quit, match=r"compare-branch main is not a git ref here"):
        coverage_session(config, tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "demo"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e.invalid", *args],
            cwd=config.root,
            check=True,
        )
    run_coverage.on("diff-cover", diff_cover(50.0))
    with pytest.raises(
        Quit, match=r"patch coverage 50.00% against main is below patch-fail-under 90%"
    ):
        coverage_session(config, tmp_path)
    run_coverage.on("diff-cover", diff_cover(100.0))
    coverage_session(config, tmp_path)
    assert "Patch" in (config.root / "reports" / "coverage-summary.md").read_text()


# Where each system's tests job measured the module: paths as that runner writes them.
RUNNER_PATHS = {
    "linux": "src/demo/__init__.py",
    "windows": "D:\\a\\demo\\demo\\.nox\\tests-3-13\\Lib\\site-packages\\demo\\__init__.py",
    "macos": "/Users/runner/work/demo/demo/.nox/tests-3-13/lib/python3.13/site-packages/"
    "demo/__init__.py",
}
OS_AXIS = """
[tool.ci_sessions.workflow.jobs.tests]
os = ["ubuntu-latest", "windows-latest", "macos-latest"]
pr-os = ["ubuntu-latest"]
"""


def measured_on(config: Config, system: str, lines: set[int], name: str | None = None) -> Path:
    """A data file as `system`'s tests job writes it with an OS axis, its paths that
    runner's, and its record naming the system."""
    target = measured(config, "3.13", lines)
    moved = target.with_name(name or coverage_data.data_name("3.13", None, system))
    if moved == target:
        moved.unlink()  # rewritten below with the runner's paths
    data = coverage.CoverageData(basename=str(moved))
    data.add_lines({RUNNER_PATHS[system]: sorted(lines)})
    data.write()
    record = coverage_data.read_record(target)
    assert record is not None
    coverage_data.write_record(moved, dataclasses.replace(record, system=system))
    if moved != target:
        target.unlink()
        coverage_data.record_path(target).unlink()
    return moved


@pytest.fixture
def on_ci(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("GITHUB_EVENT_NAME", raising=False)
    return monkeypatch


def test_every_system_s_data_counts_in_the_total(
    tmp_path: Path, run_coverage: FakeCommands, on_ci: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path, "[tool.ci_sessions.coverage]\nfail-under = 100\n" + OS_AXIS)
    measured_on(config, "linux", {1, 2, 4})
    measured_on(config, "macos", {1, 2, 4})
    measured_on(config, "windows", {1, 2, 3})  # the raise runs on Windows only
    coverage_session(config, tmp_path)
    report = json.loads((config.root / "reports" / "coverage.json").read_text())
    assert list(report["files"]) == ["src/demo/__init__.py"]
    assert report["totals"]["covered_lines"] == 4
    summary = (config.root / "reports" / "coverage-summary.md").read_text()
    for name in (".coverage.py3.13.linux", ".coverage.py3.13.macos", ".coverage.py3.13.windows"):
        assert name in summary


def test_a_system_without_data_fails_by_name(
    tmp_path: Path, run_coverage: FakeCommands, on_ci: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path, OS_AXIS)
    measured_on(config, "linux", {1, 2, 4})
    measured_on(config, "windows", {1, 2, 3})
    with pytest.raises(Quit, match=r"no usable coverage data from Python 3.13 on macos"):
        coverage_session(config, tmp_path)


def test_a_pull_request_requires_its_narrower_systems_only(
    tmp_path: Path, run_coverage: FakeCommands, on_ci: pytest.MonkeyPatch
) -> None:
    on_ci.setenv("GITHUB_EVENT_NAME", "pull_request")
    config = project(tmp_path, OS_AXIS)
    measured_on(config, "linux", {1, 2, 4})
    coverage_session(config, tmp_path)


def test_a_cell_with_two_data_files_fails(
    tmp_path: Path, run_coverage: FakeCommands, on_ci: pytest.MonkeyPatch
) -> None:
    on_ci.setenv("GITHUB_EVENT_NAME", "pull_request")
    config = project(tmp_path, OS_AXIS)
    measured_on(config, "linux", {1, 2, 4})
    # Left from a run before the OS axis: its record says linux.
    measured_on(config, "linux", {1, 2, 4}, name=".coverage.py3.13")
    with pytest.raises(Quit, match=r"Python 3.13 on linux has 2 data files"):
        coverage_session(config, tmp_path)


def test_a_stale_cell_is_named_with_its_system(
    tmp_path: Path, run_coverage: FakeCommands, on_ci: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path, OS_AXIS)
    for system in ("linux", "macos"):
        measured_on(config, system, {1, 2, 4})
    windows = measured_on(config, "windows", {1, 2, 3})
    record = coverage_data.read_record(windows)
    assert record is not None
    coverage_data.write_record(
        windows, dataclasses.replace(record, invocation="1.1-aaaa", code="0" * 32)
    )
    with pytest.raises(
        Quit, match=r"Python 3.13 on windows: \.coverage\.py3\.13\.windows is from an earlier"
    ):
        coverage_session(config, tmp_path)


def test_a_replay_warns_for_the_systems_it_runs_no_job_of(
    tmp_path: Path,
    run_coverage: FakeCommands,
    on_ci: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    on_ci.setenv("CI_SESSIONS_REPLAY", "1")
    config = project(tmp_path, OS_AXIS)
    measured_on(config, "linux", {1, 2, 4})
    coverage_session(config, tmp_path)  # windows and macos: warned, not failed
    summary = (config.root / "reports" / "coverage-summary.md").read_text()
    assert "a replay runs no windows job (on GitHub it is required)" in summary
    assert "a replay runs no macos job" in summary
