"""The workflow of a uv workspace: each member's jobs named for it, run when reached."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ci_sessions.families import workspace as workspace_sessions
from ci_sessions.registry import load_config
from ci_sessions.workflow import WorkflowError, workspace_generated
from ci_sessions.workflow.emit import WORKFLOW_PATH
from ci_sessions.workflow.members import renamed_jobs, session_name

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "workspace"


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ("lint", "lint-ws-core"),
        ("tests-${{ matrix.python }}", "tests-ws-core-${{ matrix.python }}"),
        ("coverage", "coverage-ws-core"),
    ],
)
def test_the_member_goes_after_the_family_s_name(session: str, expected: str) -> None:
    assert session_name(session, "ws-core") == expected


def test_jobs_are_renamed_and_wait_for_the_change_to_reach_the_member() -> None:
    jobs: dict[str, Any] = {
        "changes": {"steps": []},
        "report": {"steps": []},
        "ci-passed": {"steps": []},
        "tests": {
            "needs": ["changes"],
            "steps": [
                {"env": {"SESSION": "tests-${{ matrix.python }}"}},
                {"uses": "actions/upload-artifact@x", "with": {"name": "coverage-data-3.13"}},
            ],
        },
        "coverage": {
            "if": "always() && needs.tests.result != 'skipped'",
            "needs": ["changes", "tests"],
            "steps": [
                {"uses": "actions/download-artifact@x", "with": {"pattern": "coverage-data-*"}},
                {"uses": "actions/cache/restore@x", "with": {"key": "k-", "restore-keys": "k-"}},
                {"env": {"SESSION": "coverage"}},
            ],
        },
    }
    renamed = renamed_jobs(jobs, "ws-core", "ci-passed")
    assert sorted(renamed) == ["coverage-ws-core", "tests-ws-core"]
    coverage = renamed["coverage-ws-core"]
    assert coverage["if"] == (
        "always() && needs.tests-ws-core.result != 'skipped' && "
        "contains(needs.changes.outputs.members, ',ws-core,')"
    )
    assert coverage["needs"] == ["changes", "tests-ws-core"]
    assert coverage["steps"][0]["with"]["pattern"] == "ws-core--coverage-data-*"
    assert coverage["steps"][1]["with"] == {"key": "ws-core-k-", "restore-keys": "ws-core-k-"}
    assert coverage["steps"][2]["env"]["SESSION"] == "coverage-ws-core"
    tests = renamed["tests-ws-core"]
    assert tests["steps"][1]["with"]["name"] == "ws-core--coverage-data-3.13"
    # The input is left as it was.
    assert jobs["tests"]["steps"][0]["env"]["SESSION"] == "tests-${{ matrix.python }}"


def fixture_configs(tmp_path: Path, root_extra: str = "") -> tuple[Path, list[Any]]:
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURE, root)
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + root_extra)
    document = tomllib.loads((root / "pyproject.toml").read_text())
    _, configs = workspace_sessions.member_configs(root, document, None, (), load_config)
    return root, configs


def test_the_workspace_workflow_has_each_member_s_jobs_and_the_whole_s(tmp_path: Path) -> None:
    import yaml

    root, configs = fixture_configs(tmp_path)
    files = workspace_generated(root, configs)
    document = yaml.safe_load(files[WORKFLOW_PATH] or "")
    jobs = document["jobs"]
    for member in ("ws-app", "ws-cli", "ws-core"):
        assert f"tests-{member}" in jobs and f"coverage-{member}" in jobs
    assert jobs["changes"]["outputs"]["members"] == "${{ steps.nox.outputs.members }}"
    changes_step = jobs["changes"]["steps"][-1]
    assert changes_step["env"]["SESSION"] == "members"
    whole = jobs["coverage-all"]
    assert whole["needs"] == ["changes", "coverage-ws-app", "coverage-ws-cli", "coverage-ws-core"]
    downloads = [step for step in whole["steps"] if "download-artifact" in str(step.get("uses"))]
    assert [step["with"]["path"] for step in downloads] == [
        "packages/app/reports/",
        "packages/cli/reports/",
        "packages/core/reports/",
    ]
    tests = jobs["tests-ws-core"]
    upload = next(s for s in tests["steps"] if "coverage-data" in str(s.get("with", {})))
    assert upload["with"]["path"] == "packages/core/reports/coverage-data/.coverage.py*"
    required = jobs["ci-passed"]["needs"]
    assert "coverage-all" in required and "tests-ws-cli" in required
    assert "changes" not in required


def test_a_workspace_release_workflow_is_refused(tmp_path: Path) -> None:
    root, configs = fixture_configs(tmp_path, "\n[tool.ci_sessions.workflow]\nrelease = true\n")
    with pytest.raises(WorkflowError, match="release workflow is not generated"):
        workspace_generated(root, configs)
