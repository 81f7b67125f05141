"""A uv workspace of three members (tests/fixtures/workspace): ws-app depends on ws-core,
ws-cli stands alone. Real nox at the root, as a user types it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    FIXTURES,
    ci_sessions,
    new_copy,
    typed,
)
from tests.e2e.test_coverage import git
from tests.e2e.test_workflow import validate

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

MEMBERS = ("ws-app", "ws-cli", "ws-core")


PIPELINE = [
    "-s",
    *(f"tests-{member}-3.13" for member in MEMBERS),
    *(f"coverage-{member}" for member in MEMBERS),
    "coverage-all",
]


def committed(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    (project / ".gitignore").write_text(".nox/\nreports/\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "workspace")
    return project


@pytest.fixture(scope="module")
def measured(projects_dir: Path) -> Iterator[Path]:
    """The workspace after every member's tests and coverage, and coverage-all."""
    project = committed(new_copy(projects_dir, FIXTURES / "workspace"))
    result = typed(project, *PIPELINE)
    assert result.returncode == 0, result
    yield project


def test_each_member_runs_from_its_folder_and_the_whole_is_gated(measured: Path) -> None:
    for member, folder in (("ws-app", "app"), ("ws-cli", "cli"), ("ws-core", "core")):
        reports = measured / "packages" / folder / "reports"
        assert (reports / "coverage.json").is_file(), member
        assert (reports / "junit-tests-3.13.xml").is_file(), member
    # ws-app's tests import ws-core: it was installed beside ws-app, from its folder.
    log = (measured / "packages" / "app" / "reports" / "junit-tests-3.13.xml").read_text()
    assert 'tests="1"' in log and 'failures="0"' in log


def test_the_whole_fails_below_the_root_s_threshold(measured: Path, projects_dir: Path) -> None:
    project = new_copy(projects_dir, measured)
    passing = typed(project, "-s", "coverage-all")
    assert passing.returncode == 0, passing
    assert "coverage-all: " in passing.output and "over every member" in passing.output
    total = float(passing.output.split("coverage-all: ")[1].split("%")[0])
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("fail-under = 80", f"fail-under = {int(total) + 1}")
    )
    failing = typed(project, "-s", "coverage-all")
    assert failing.returncode == 1, failing
    assert f"is below fail-under {int(total) + 1}" in failing.output


def test_the_whole_names_a_member_without_a_report(measured: Path, projects_dir: Path) -> None:
    project = new_copy(projects_dir, measured)
    (project / "packages" / "cli" / "reports" / "coverage.json").unlink()
    result = typed(project, "-s", "coverage-all")
    assert result.returncode == 1, result
    assert "ws-cli: no coverage report; run `nox -s coverage-ws-cli`" in result.output


def test_a_member_s_own_threshold_wins_over_the_root_s(measured: Path, projects_dir: Path) -> None:
    project = new_copy(projects_dir, measured)
    # ws-cli sets fail-under = 50 over the root's 80; its tests cover about 70%.
    pyproject = project / "packages" / "cli" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().split("# Its own threshold")[0])
    result = typed(project, "-s", "tests-ws-cli-3.13", "coverage-ws-cli")
    assert result.returncode == 1, result
    assert "below fail-under 80" in result.output


def test_a_change_reaches_its_member_and_the_members_depending_on_it(
    measured: Path, projects_dir: Path
) -> None:
    project = new_copy(projects_dir, measured)
    core = project / "packages" / "core" / "src" / "ws_core" / "__init__.py"
    core.write_text(core.read_text().replace("value * 2", "value * 3"))
    git(project, "commit", "-q", "-am", "core triples")
    said = typed(project, "-s", "members", "--", "--base", "HEAD~1")
    assert said.returncode == 0, said
    assert "ws-app: runs, it depends on ws-core, which changed" in said.output
    assert "ws-core: runs, its files changed (packages/core/src/ws_core/__init__.py)" in said.output
    assert "ws-cli: skipped, nothing it depends on changed" in said.output
    assert "CI_SESSIONS_MEMBERS=ws-app,ws-core" in said.output

    chosen = {"CI_SESSIONS_MEMBERS": "ws-app,ws-core"}
    skipped = typed(project, "-s", "tests-ws-cli-3.13", env=chosen)
    assert skipped.returncode == 0, skipped
    assert "member ws-cli: not reached by this change" in skipped.output
    # ws-app's venv is reused (-r), yet ws-core changed under it: it is installed again,
    # and ws-app's test now fails on the tripled double.
    reused = typed(project, "-r", "-s", "tests-ws-app-3.13", env=chosen)
    assert reused.returncode == 1, reused
    assert "test_quadruple" in reused.output


def test_the_commands_say_what_they_do_at_a_workspace_root(measured: Path) -> None:
    checked = ci_sessions(measured, "check-config")
    assert checked.returncode == 0, checked.stderr
    for member in MEMBERS:
        assert f"# member {member}" in checked.stdout
    assert "fail-under = 50" in checked.stdout and "fail-under = 80" in checked.stdout
    # doctor: every member's needs once, then the root noxfile's (here without a PEP 723
    # block, which CI needs: missing, so exit 1).
    doctor = ci_sessions(measured, "doctor")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    interpreters = [line for line in doctor.stdout.splitlines() if " python3.13 (" in line]
    assert len(interpreters) == 1 and "ok      git" in doctor.stdout
    assert "MISSING noxfile dependencies" in doctor.stdout
    assert str(measured / "noxfile.py") in doctor.stdout


def test_the_workspace_workflow_replays_only_the_members_a_change_reaches(
    projects_dir: Path,
) -> None:
    """The generated workflow, replayed as a pull request that changes ws-core: ws-core's and
    ws-app's jobs run (and pass), ws-cli's are skipped, coverage-all counts the two."""
    from tests.e2e.test_replay import OFFLINE_DB, SNAPSHOT_ACCEPTED, results

    project = new_copy(projects_dir, FIXTURES / "workspace")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + SNAPSHOT_ACCEPTED)
    (project / ".gitignore").write_text(".nox/\nreports/\n")
    written = ci_sessions(project, "workflow")
    assert written.returncode == 0, written.stderr
    validate(project)
    assert ci_sessions(project, "workflow", "--check").returncode == 0
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "workspace")
    git(project, "checkout", "-q", "-b", "feature")
    core = project / "packages" / "core" / "src" / "ws_core" / "__init__.py"
    core.write_text(core.read_text() + "\n\ndef triple(value: int) -> int:\n    return value * 3\n")
    tests = project / "packages" / "core" / "tests" / "test_core.py"
    tests.write_text(
        tests.read_text().replace(
            "from ws_core import double, halve", "from ws_core import double, halve, triple"
        )
        + "\n\ndef test_triple() -> None:\n    assert triple(2) == 6\n"
    )
    git(project, "commit", "-q", "-am", "core triples")

    done = ci_sessions(
        project,
        *("workflow", "--replay", "pull_request", "--branch", "feature", "--base", "main"),
        env=OFFLINE_DB,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    rows = json.loads((project / "reports" / "replay" / "results.json").read_text())
    result = results(rows)
    for member in ("ws-core", "ws-app"):
        for job in ("lint", "tests", "coverage", "security", "build"):
            assert result.get(f"{job}-{member}") == "success", (job, member, output)
    for job in ("lint", "tests", "coverage", "security", "build"):
        assert result.get(f"{job}-ws-cli") == "skipped", (job, output)
    assert result["coverage-all"] == "success", output
    whole = (project / "reports" / "replay" / "coverage-all.log").read_text()
    assert "over members ws-app, ws-core" in whole, whole


def test_init_adopts_a_workspace_and_writes_its_workflow(projects_dir: Path) -> None:
    project = new_copy(projects_dir, FIXTURES / "workspace")
    (project / "noxfile.py").unlink()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().split("# Shared by every member")[0])
    git(project, "init", "-q", "-b", "main")
    adopted = ci_sessions(project, "init")
    assert adopted.returncode == 0, adopted.stderr
    assert f"wrote {project / 'noxfile.py'}" in adopted.stdout
    assert f"added [tool.ci_sessions] to {pyproject}: shared by the members" in adopted.stdout
    for member in MEMBERS:
        assert f"member {member}: python " in adopted.stdout
    assert 'branches = ["main"]' in pyproject.read_text()
    assert ci_sessions(project, "workflow", "--check").returncode == 0
    listed = typed(project, "-l")
    assert listed.returncode == 0, listed
    assert "tests-ws-app-" in listed.output and "coverage-all" in listed.output
    again = ci_sessions(project, "init")
    assert again.returncode == 0 and f"kept [tool.ci_sessions] in {pyproject}" in again.stdout
