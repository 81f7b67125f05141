"""The GitHub Actions workflow, generated from the families a configuration loaded.

Each family describes its own jobs (``ci_jobs``); this module walks them, adds
the triggers of their tiers, the `changes` job that lets documentation-only
changes skip the heavy jobs, and writes the YAML. It knows GitHub, not coverage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ci_sessions.config import Config
from ci_sessions.workflow.emit import HEADER, RELEASE_PATH, WORKFLOW_PATH, Uses, drift, render
from ci_sessions.workflow.kit import CONDITIONS, CiJob, CiKit, event_condition
from ci_sessions.workflow.settings import WorkflowConfig

__all__ = [
    "HEADER",
    "RELEASE_PATH",
    "WORKFLOW_PATH",
    "CiJob",
    "CiKit",
    "Uses",
    "WorkflowError",
    "drift",
    "generated",
    "release",
    "render",
    "sessions_run",
    "workflow",
]


class WorkflowError(ValueError):
    """The configuration asks for something the workflow cannot express; says what."""


# Tiers with a trigger in the workflow; smoke is the quick local check.
PLACED_TIERS = ("pr", "nightly")
LOCAL_TIERS = ("smoke",)
CODE_CHANGED = "needs.changes.outputs.code == 'true'"


def unplaced_tiers(tiers: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """Tiers the workflow has no trigger for: their jobs would be dropped silently."""
    return [name for name, _ in tiers if name not in (*PLACED_TIERS, *LOCAL_TIERS)]


def _when(job: dict[str, Any], clauses: list[str]) -> dict[str, Any]:
    """Put the job's conditions first, joined by &&."""
    return {"if": " && ".join(clauses), **job} if clauses else job


def jobs(config: Config, kit: CiKit) -> dict[str, Any]:
    unplaced = unplaced_tiers(config.tiers)
    if unplaced:
        raise WorkflowError(
            f"{config.key_ref('tiers')}: the workflow has no trigger for tier "
            f"{', '.join(repr(t) for t in unplaced)}, so its sessions would never run in CI; "
            "it runs the pr tier on pushes and pull requests and the nightly tier on its "
            "schedule (smoke is local): name your tiers pr and nightly"
        )
    described = [job for family in config.families for job in family.ci_jobs(config, kit)]
    placed = {job.name: job for job in described if kit.events_of(job.member)}
    found: dict[str, Any] = {"changes": _changes_job(kit)}

    for job in placed.values():
        condition = event_condition(kit.events_of(job.member))
        clauses = ["always()"] if job.always else []
        clauses += [condition] if condition else []
        needs = [] if job.light else ["changes"]
        needs += [name for name in job.needs if name in placed]
        if not job.light:
            clauses.append(CODE_CHANGED)
        body = {**job.body, "needs": needs} if needs else dict(job.body)
        found[job.name] = _when(body, clauses)
    return found


def _changes_job(kit: CiKit) -> dict[str, Any]:
    """Tells the other jobs whether code changed (`nox -s changes`, full history)."""
    before = {"CI_SESSIONS_BEFORE": "${{ github.event.before }}"}
    step = {"id": "nox", **kit.nox_step("changes", before)}
    return {
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        "outputs": {"code": "${{ steps.nox.outputs.code }}"},
        "steps": [*kit.setup(full_history=True), step],
    }


def release(config: Config, pins: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The release workflow: a pushed v* tag builds the sdist and the wheel and publishes
    them to PyPI with trusted publishing. A workflow of its own, without any cache (a
    cache a pull request could fill must not reach a published artifact; zizmor's
    cache-poisoning audit), and the OIDC token for the publishing job alone. The tag's
    commit is the one main's CI passed."""
    kit = CiKit.of(config, pins)
    setup = kit.setup()
    setup[2] = {**setup[2], "with": {"enable-cache": False}}
    build = {
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 30,
        "steps": [*setup, kit.nox_step("build"), kit.upload("dist", f"{kit.reports}/dist/")],
    }
    publish = {
        "needs": ["build"],
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        "environment": "pypi",
        "permissions": {"id-token": "write"},
        "steps": [
            kit.download("dist/", name="dist"),
            {"uses": kit.uses("pypa/gh-action-pypi-publish"), "with": {"packages-dir": "dist/"}},
        ],
    }
    return {
        "name": "release",
        "on": {"push": {"tags": ["v*"]}},
        "permissions": {"contents": "read"},
        "jobs": {"build": build, "publish": publish},
    }


def generated(config: Config, pins: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Every workflow file ci-sessions writes, as text; None for one it must not leave
    (the release workflow of a project that turned release off)."""
    files: dict[str, str | None] = {WORKFLOW_PATH: render(workflow(config, pins))}
    enabled = config.of(WorkflowConfig).release
    files[RELEASE_PATH] = render(release(config, pins)) if enabled else None
    return files


def workflow(config: Config, pins: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The workflow; pins: these, else [tool.ci_sessions.workflow] pins, over the built-in."""
    return {
        "name": "ci",
        "on": {
            "push": {"branches": list(config.of(WorkflowConfig).branches)},
            "pull_request": {},
            "schedule": [{"cron": "17 3 * * *"}],  # the nightly tier
            "workflow_dispatch": {},
        },
        "permissions": {"contents": "read"},
        "concurrency": {
            "group": "${{ github.workflow }}-${{ github.ref }}",
            "cancel-in-progress": True,
        },
        "jobs": jobs(config, CiKit.of(config, pins)),
    }


def sessions_run(document: Mapping[str, Any], event: str) -> list[str]:
    """Every nox session the workflow runs for an event that changes code, matrix
    expanded; the `changes` job is the workflow's own plumbing, not a gate."""
    found = []
    for name, job in document["jobs"].items():
        sessions = [step for step in job["steps"] if "SESSION" in step.get("env", {})]
        if name == "changes" or not sessions or not _runs_on(job.get("if"), event):
            continue
        pythons = job.get("strategy", {}).get("matrix", {}).get("python", [None])
        for step in job["steps"]:
            session = step.get("env", {}).get("SESSION")
            if session is None:
                continue
            for python in pythons:
                found.append(session.replace("${{ matrix.python }}", str(python)))
    return found


def _runs_on(condition: str | None, event: str) -> bool:
    """Evaluate the conditions this module writes, for a change that touches code."""
    if condition is None:
        return True
    for clause in condition.split(" && "):
        if clause in ("always()", CODE_CHANGED):
            continue
        events = next((e for e, text in CONDITIONS.items() if clause == f"({text})"), None)
        if events is None:
            raise ValueError(f"unknown job condition {clause!r}")
        if event not in events:
            return False
    return True
