"""The workflow of a uv workspace: each member's jobs, named for it, and the workspace's own.

Every member's jobs are generated as for a project of its own (its configuration, the
root's workflow settings), then named for the member (`tests-ws-core`, its nox session
`tests-ws-core-3.13`), their artifacts, caches and reports moved to the member's folder
and names, and each run only when the change reaches the member: the first job runs
`nox -s members`, whose `members` output every member job's condition reads. Then
`coverage-all` over the members' coverage reports, and the required check over every job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ci_sessions.config import Config
from ci_sessions.workflow.kit import CiKit
from ci_sessions.workflow.settings import WorkflowConfig

# The plumbing of a single project's workflow, replaced by the workspace's own.
DROPPED = ("changes", "report")
MEMBERS_OUTPUT = "needs.changes.outputs.members"


def member_path(config: Config, root: Path) -> str:
    return config.root.relative_to(root).as_posix()


def generation_config(config: Config, root: Path) -> Config:
    """A member's configuration as its jobs see the repository: reports under its folder."""
    return replace(config, reports_dir=f"{member_path(config, root)}/{config.reports_dir}")


def session_name(session: str, member: str) -> str:
    """`tests-${{ matrix.python }}` -> `tests-ws-core-${{ matrix.python }}`; `lint` ->
    `lint-ws-core`: the member goes after the family's name, before nox's Python."""
    base, marker, rest = session.partition("-${{")
    return f"{base}-{member}{marker}{rest}"


def renamed_jobs(
    jobs: Mapping[str, dict[str, Any]], member: str, required_check: str
) -> dict[str, dict[str, Any]]:
    """A member's jobs (plumbing and the required check dropped), named for the member,
    each also waiting for the change to reach the member."""
    kept = {
        name: job
        for name, job in jobs.items()
        if name not in (*DROPPED, required_check) and not name.startswith("report-")
    }
    names = {name: f"{name}-{member}" for name in kept}
    renamed = {}
    for name, job in kept.items():
        body = _walk(job, lambda text: _rename_text(text, names))
        body["needs"] = [names.get(need, need) for need in body.get("needs", [])]  # "changes" stays
        if "changes" not in body["needs"]:
            body["needs"].insert(0, "changes")
        for step in body["steps"]:
            _rename_step(step, member)
        reached = f"contains({MEMBERS_OUTPUT}, ',{member},')"
        condition = body.pop("if", None)
        clause = f"{condition} && {reached}" if condition else reached
        renamed[names[name]] = {"if": clause, **body}
    return renamed


def changes_job(kit: CiKit) -> dict[str, Any]:
    """`nox -s members`: its `members` output names the members a change reaches."""
    return kit.first_job("members", ["code", "members"])


def coverage_all_job(
    kit: CiKit, coverage_jobs: Mapping[str, str], member_reports: Mapping[str, str]
) -> dict[str, Any]:
    """After every member's coverage job: their reports downloaded into their folders, then
    `nox -s coverage-all` over the members this change reached."""
    downloads = [
        kit.download(member_reports[member], name=f"{member}--reports-coverage")
        for member in coverage_jobs
    ]
    guarded = [
        {"if": f"contains({MEMBERS_OUTPUT}, ',{member},')", **step}
        for member, step in zip(coverage_jobs, downloads, strict=True)
    ]
    needs = ["changes", *coverage_jobs.values()]
    # After every member's gate (a failed one included: the total still says where it
    # stands), when one of them ran at all on this occasion.
    ran = " || ".join(f"needs.{job}.result != 'skipped'" for job in coverage_jobs.values())
    return {
        "if": f"always() && !cancelled() && needs.changes.result == 'success' && ({ran})",
        "needs": needs,
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        "steps": [
            *kit.setup(python=kit.config.python_of("coverage")),
            *guarded,
            kit.nox_step("coverage-all", {"CI_SESSIONS_MEMBERS": f"${{{{ {MEMBERS_OUTPUT} }}}}"}),
        ],
    }


def workspace_jobs(
    root: Path,
    configs: Sequence[Config],
    pins: Mapping[str, str] | None,
    member_jobs: Callable[[Config, CiKit], dict[str, Any]],
    required: Callable[[list[str]], dict[str, Any]],
) -> dict[str, Any]:
    """Every job of the workspace's workflow. `member_jobs`: the generator's jobs() for one
    configuration; `required`: its required check over the given jobs."""
    first = generation_config(configs[0], root)
    kit = CiKit.of(first, pins)
    found: dict[str, Any] = {"changes": changes_job(kit)}
    coverage_jobs: dict[str, str] = {}
    member_reports: dict[str, str] = {}
    for config in configs:
        generating = generation_config(config, root)
        settings = generating.of(WorkflowConfig)
        jobs = renamed_jobs(
            member_jobs(generating, CiKit.of(generating, pins)),
            config.member,
            settings.required_check,
        )
        found.update(jobs)
        if f"coverage-{config.member}" in jobs:
            coverage_jobs[config.member] = f"coverage-{config.member}"
            member_reports[config.member] = f"{generating.reports_dir}/"
    if coverage_jobs:
        found["coverage-all"] = coverage_all_job(kit, coverage_jobs, member_reports)
    settings = first.of(WorkflowConfig)
    found[settings.required_check] = required([name for name in found if name != "changes"])
    return found


def _rename_text(text: str, names: Mapping[str, str]) -> str:
    """`needs.tests.result` -> `needs.tests-ws-core.result`, for each job of the member."""
    for old in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\bneeds\.{re.escape(old)}\.", f"needs.{names[old]}.", text)
    return text


def _rename_step(step: dict[str, Any], member: str) -> None:
    """The member's session in a nox step; its artifacts and cache entries named for it."""
    env = step.get("env", {})
    if "SESSION" in env:
        env["SESSION"] = session_name(env["SESSION"], member)
    uses = str(step.get("uses", ""))
    options = step.get("with", {})
    if "upload-artifact" in uses or "download-artifact" in uses:
        for key in ("name", "pattern"):
            if key in options:
                options[key] = f"{member}--{options[key]}"
    if "actions/cache" in uses:
        for key in ("key", "restore-keys"):
            if key in options:
                options[key] = f"{member}-{options[key]}"


def _walk(value: Any, rename: Callable[[str], str]) -> Any:
    """A deep copy with every string renamed (conditions, step inputs)."""
    if isinstance(value, dict):
        return {key: _walk(item, rename) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, rename) for item in value]
    if isinstance(value, str):
        return rename(value)
    return value
