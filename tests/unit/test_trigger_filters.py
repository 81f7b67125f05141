"""Triggers per tier by branch and by path (#28 2.1): pull requests into main only, a tier
on main but not develop, a migrations stage only when `alembic/versions/**` changes. The
generated `if:` is evaluated as GitHub evaluates it, with the contexts of each event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ci_sessions.config import ConfigError
from ci_sessions.workflow import WorkflowError, workflow
from ci_sessions.workflow.expressions import condition
from tests.unit.fake_nox import project
from tests.unit.test_small_sessions import run_changes
from tests.unit.test_workflow import config_of

TABLE = """
[tool.ci_sessions.workflow]
branches = ["main", "develop", "release/*"]

[tool.ci_sessions.tiers]
fast = ["lint", "tests"]
comprehensive = ["security"]
migrations = ["build"]

[tool.ci_sessions.workflow.triggers]
fast = { on = ["push", "pull_request"], branches = ["main", "develop"] }
comprehensive = { on = ["push", "pull_request", "merge_group"], branches = ["main", "release/*"] }
migrations = { on = ["push", "pull_request"], paths = ["alembic/versions/**"] }
"""


def context(event: str, branch: str, paths_changed: bool = True) -> dict[str, Any]:
    """The contexts GitHub gives the job's if: for an event on (or into) a branch."""
    github: dict[str, Any] = {"event_name": event, "ref_name": branch, "base_ref": "", "event": {}}
    if event == "pull_request":
        github.update(ref_name="7/merge", base_ref=branch)
    if event == "merge_group":
        github["event"] = {"merge_group": {"base_ref": f"refs/heads/{branch}"}}
    outputs = {"code": "true", "paths-migrations": "true" if paths_changed else "false"}
    return {
        "github": github,
        "inputs": {},
        "needs": {"changes": {"result": "success", "outputs": outputs}},
    }


@pytest.fixture
def jobs(tmp_path: Path) -> dict[str, Any]:
    return workflow(config_of(tmp_path, TABLE))["jobs"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("event", "branch", "runs"),
    [
        (("push", "main"), "security", True),
        (("push", "develop"), "security", False),  # comprehensive: main, not develop
        (("push", "release/2.0"), "security", True),
        (("pull_request", "main"), "security", True),  # into main
        (("pull_request", "develop"), "security", False),
        (("merge_group", "main"), "security", True),
        (("push", "develop"), "lint", True),
        (("pull_request", "release/2.0"), "lint", False),  # fast: main and develop only
    ],
)
def test_a_tier_runs_for_its_branches_only(
    jobs: dict[str, Any], event: tuple[str, str], branch: str, runs: bool
) -> None:
    assert condition(jobs[branch]["if"], context(*event)) is runs


def test_a_tier_with_paths_runs_only_when_the_changes_job_says_they_changed(
    jobs: dict[str, Any],
) -> None:
    build = jobs["build"]["if"]
    assert condition(build, context("push", "feature", paths_changed=True))
    assert not condition(build, context("push", "feature", paths_changed=False))
    changes = jobs["changes"]["outputs"]
    assert changes["paths-migrations"] == "${{ steps.nox.outputs.paths-migrations }}"


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ('{ cron = "0 2 * * *", branches = ["main"] }', r"branches and paths filter its events"),
        (
            '{ on = ["push"], branches = ["rel*ase"] }',
            r"branches: 'rel\*ase': expected a branch name, or a prefix",
        ),
    ],
)
def test_bad_filters_name_the_key(tmp_path: Path, trigger: str, message: str) -> None:
    table = f"[tool.ci_sessions.workflow.triggers]\npr = {trigger}\n"
    with pytest.raises(ConfigError, match=r"triggers.pr\] " + message):
        config_of(tmp_path, table)


def test_a_branch_the_workflow_never_runs_for_is_an_error(tmp_path: Path) -> None:
    table = (
        '[tool.ci_sessions.tiers]\npr = ["lint"]\n[tool.ci_sessions.workflow.triggers]\n'
        'pr = { on = ["push"], branches = ["develop"] }\n'
    )
    with pytest.raises(
        WorkflowError, match=r"tier 'pr' runs for branch 'develop'.*branches \(main\)"
    ):
        workflow(config_of(tmp_path, table))


@pytest.mark.parametrize(
    ("changed", "output"), [("alembic/versions/1_add.py", "true"), ("src/demo/x.py", "false")]
)
def test_the_changes_session_tells_whether_a_tiers_paths_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str, output: str
) -> None:
    written = run_changes(project(tmp_path, TABLE), tmp_path, monkeypatch, changed)
    assert written == f"code=true\npaths-migrations={output}\n"
