"""End-to-end: each of the five pipelines' generated workflow, replayed on every event it
reacts to (`python -m ci_sessions workflow --replay EVENT`): every job that would run runs
here, in a clean clone, and must end the way the pipeline intends. The replays share one
nox envdir (each job still installs its own clone) to keep them within the CI budget; one
case runs in the project's default .nox, as a user types it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci_sessions.workflow import WORKFLOW_PATH
from ci_sessions.workflow.triggers import evaluate
from tests.e2e.conftest import clean_env, coverage_of_subprocess
from tests.e2e.test_pipelines import BASES, pipeline_project

# On 3.12: the longest e2e module (about 8 minutes), beside tests-3.13 in CI (nox -j 3).
pytestmark = [pytest.mark.e2e, pytest.mark.one_python("3.12")]

OFFLINE_DB = {
    "CI_SESSIONS_VULN_DB": str(Path(__file__).parents[3] / "shared" / "advisory-db" / "vulns")
}

SNAPSHOT_ACCEPTED = "\n[tool.ci_sessions.security]\nmax-db-age-days = 100000\n"


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


def committed(project: Path) -> Path:
    # The advisory snapshot beside this repository is from 2024: accepted as current here.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + SNAPSHOT_ACCEPTED)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the project")
    return project


def replay(
    project: Path, *args: str, envdir: Path | None = None
) -> tuple[int, list[dict[str, str]], str]:
    measure, measure_env = coverage_of_subprocess()
    shared = ["--envdir", str(envdir)] if envdir else []
    done = subprocess.run(
        [*measure, "-m", "ci_sessions", "workflow", "--replay", *args, *shared],
        cwd=project,
        env=clean_env({**OFFLINE_DB, **measure_env}),
        capture_output=True,
        text=True,
        check=False,
        timeout=1500,
    )
    results = project / "reports" / "replay" / "results.json"
    rows = json.loads(results.read_text()) if results.is_file() else []
    results.unlink(missing_ok=True)
    return done.returncode, rows, done.stdout + done.stderr


def events_of(document: dict[Any, Any]) -> list[tuple[list[str], str]]:
    """(replay arguments, occasion) for every event the workflow's `on:` takes."""
    on: dict[str, Any] = document.get("on") or document[True]
    found: list[tuple[list[str], str]] = []
    for event in on:
        if event == "schedule":
            found += [
                (["schedule", "--cron", e["cron"]], f"schedule:{e['cron']}") for e in on[event]
            ]
        elif event == "workflow_dispatch":
            tiers = on[event]["inputs"]["tier"]["options"]
            found += [
                (["workflow_dispatch", "--input", f"tier={t}"], f"dispatch:{t}") for t in tiers
            ]
        elif event == "pull_request":
            found.append(
                (["pull_request", "--branch", "feature", "--base", "main"], "pull_request")
            )
        else:
            found.append(([event], event))
    return found


def expected_jobs(document: dict[Any, Any], occasion: str) -> set[str]:
    """The session jobs the static evaluator says run on the occasion (the replay decides
    the same from the results of the jobs before)."""
    return {
        name
        for name, job in document["jobs"].items()
        if any("SESSION" in (step.get("env") or {}) for step in job["steps"])
        and name != "changes"
        and not (job.get("if") or "").startswith("failure()")
        and evaluate(job.get("if"), occasion)
    }


# The teams' five pipelines; (f) filters by branch and path, replayed by its own test.
FIVE = sorted(name for name in BASES if name != "f_capabilities")


@pytest.mark.parametrize("name", FIVE)
def test_each_pipeline_replays_green_on_every_event_it_reacts_to(
    name: str, projects_dir: Path, shared_envdir: Path
) -> None:
    project = committed(pipeline_project(projects_dir, name))
    git(project, "checkout", "-q", "-b", "feature")
    source = next(project.glob("src/*/__init__.py"))
    source.write_text(source.read_text() + "\n# a change under review\n")
    git(project, "commit", "-q", "-am", "a change")
    document = yaml.safe_load((project / WORKFLOW_PATH).read_text())
    for arguments, occasion in events_of(document):
        git(project, "checkout", "-q", "feature" if arguments[0] == "pull_request" else "main")
        code, rows, output = replay(project, *arguments, envdir=shared_envdir)
        assert code == 0, output
        ended = {row["result"] for row in rows}
        assert ended <= {"success", "skipped", "not replayed"}, output
        ran = {row["job"] for row in rows if row["result"] in ("success", "not replayed")}
        assert expected_jobs(document, occasion) <= ran, (occasion, output)
        skipped = [row for row in rows if row["result"] == "skipped"]
        assert all("did not succeed" not in row["note"] for row in skipped), output


def test_a_failing_smoke_stage_skips_every_later_stage_and_fails_the_run(
    projects_dir: Path, shared_envdir: Path
) -> None:
    project = pipeline_project(projects_dir, "e_tiers_performance")
    broken = next(project.glob("tests/test_*.py"))
    broken.write_text(broken.read_text() + "\nimport a_module_that_does_not_exist\n")
    committed(project)
    code, rows, output = replay(project, "push", envdir=shared_envdir)
    assert code == 1, output
    result = {(row["job"]): row["result"] for row in rows}
    assert result["collect"] == "failure", output
    for later in ("tests", "coverage", "security", "build", "benchmark-compare"):
        assert result[later] == "skipped", (later, output)
    assert result["ci-passed"] == "failure", output
    assert "collect" in output.split("job ")[-1], output  # the failing step's end is shown


def test_a_replay_as_a_user_types_it_uses_the_default_nox_folder(projects_dir: Path) -> None:
    project = committed(pipeline_project(projects_dir, "d_unit_integration_e2e"))
    code, rows, output = replay(project, "push")
    assert code == 0, output
    result = {(row["job"], row["matrix"]): row["result"] for row in rows}
    assert result[("e2e", "-")] == "success", output  # the project's own nox session
    assert result[("integration", "-")] == "success", output
    assert "postgres, redis started by the session" in output, output
    assert not (project / ".nox").exists()  # each job ran in its own clean clone


def results(rows: list[dict[str, str]]) -> dict[str, str]:
    """job -> its result (a matrix job: failure if an entry failed, else its first's)."""
    found: dict[str, str] = {}
    for row in rows:
        if found.get(row["job"]) != "failure":
            found[row["job"]] = row["result"]
    return found


def test_the_capabilities_pipeline_runs_each_stage_where_its_filters_say(
    projects_dir: Path, shared_envdir: Path
) -> None:
    """(f): the comprehensive stage on main and not on develop, the migrations stage when
    alembic/versions/ changes, the environment named, the notification's run link, lint on
    3.12, and a fast stage over its budget that warns and lets the next stage run."""
    project = committed(pipeline_project(projects_dir, "f_capabilities"))
    source = project / "src" / "sample" / "__init__.py"
    source.write_text(source.read_text() + "\n# a change pushed\n")
    git(project, "commit", "-q", "-am", "a change, no migration")
    git(project, "branch", "develop")
    code, rows, output = replay(project, "push", envdir=shared_envdir)
    ran = results(rows)
    assert code == 0 and ran["security"] == "success", output
    assert ran["build"] == "skipped", output  # no migration changed
    assert "environment production" in output
    notify = (project / "reports" / "replay" / "tests-0.log").read_text()
    assert "notify: https://github.com/owner/project/actions/runs/" in notify
    venv = (shared_envdir / "lint" / "pyvenv.cfg").read_text()
    assert re.search(r"^version_info = 3\.12\.", venv, re.MULTILINE), venv

    code, rows, output = replay(project, "push", "--branch", "develop", envdir=shared_envdir)
    ran = results(rows)
    assert code == 0 and ran["lint"] == "success" and ran["security"] == "skipped", output

    git(project, "checkout", "-q", "-b", "feature")
    migration = project / "alembic" / "versions" / "0001_notes.py"
    migration.parent.mkdir(parents=True)
    migration.write_text("revision = '0001'\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a migration")
    code, rows, output = replay(
        project, "pull_request", "--branch", "feature", envdir=shared_envdir
    )
    ran = results(rows)
    assert code == 0 and ran["build"] == "success" and ran["security"] == "success", output

    tests = project / "tests" / "test_broken.py"
    tests.write_text("\n\n".join(f"def test_{n}() -> None:\n    assert False\n" for n in range(4)))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "4 of 8 tests fail: over the 30% budget")
    code, rows, output = replay(
        project, "pull_request", "--branch", "feature", envdir=shared_envdir
    )
    ran = results(rows)
    assert ran["tests"] == "success" and ran["security"] == "success", output  # let through
    assert "nox: exited with 1 (continue-on-error: the job went on)" in output
    report = (project / "reports" / "replay" / "report.log").read_text()
    assert "passed with warnings" in report and "on-failure = warn let the stages" in report
