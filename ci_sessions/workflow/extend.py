"""What a project adds to a generated job (`[tool.ci_sessions.workflow.jobs.<job>]`).

Env, steps before and after the nox step, the timeout, the artifacts' retention
and the OS axis, applied to a job body a family described. Pure: body in, body
out; a request the job cannot honour is a ValueError that says why.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ci_sessions.workflow.emit import Uses
from ci_sessions.workflow.kit import nox_step_index
from ci_sessions.workflow.options import DEFAULT_OS, JobOptions


def _user_step(step: dict[str, Any]) -> dict[str, Any]:
    """A configured step as the emitter writes it: `uses` keeps its tag as a comment."""
    written = dict(step)
    if "uses" in step:
        action, _, pin = step["uses"].partition("@")
        written["uses"] = Uses(action, pin)
    return written


def os_matrix(options: JobOptions) -> list[str] | str | None:
    """The job's OS axis: a list, an expression that narrows it on pull requests, or None."""
    if not options.os and not options.pr_os:
        return None
    systems = list(options.os or (DEFAULT_OS,))
    if not options.pr_os or list(options.pr_os) == systems:
        return systems
    return (
        "${{ github.event_name == 'pull_request' && "
        f"fromJSON('{json.dumps(list(options.pr_os))}') || fromJSON('{json.dumps(systems)}') }}}}"
    )


def apply(job: str, body: dict[str, Any], options: JobOptions, linux_only: str) -> dict[str, Any]:
    """The job with the project's additions; ValueError when it cannot honour them."""
    extended = copy.deepcopy(body)
    steps: list[dict[str, Any]] = extended["steps"]
    nox = nox_step_index(extended)
    steps[nox + 1 : nox + 1] = [_user_step(step) for step in options.steps_after]
    steps[nox:nox] = [_user_step(step) for step in options.steps_before]
    if options.env:
        extended["env"] = dict(options.env)
    if options.timeout_minutes is not None:
        extended["timeout-minutes"] = options.timeout_minutes
    if options.environment is not None:
        extended["environment"] = options.environment
    if options.on_failure == "warn":
        # The job succeeds, so the stages after it run; the report says it warned.
        steps[nox_step_index(extended)]["continue-on-error"] = True
    for step in steps:
        if options.retention_days is not None and _is_upload(step):
            step["with"]["retention-days"] = options.retention_days
    matrix = os_matrix(options)
    if matrix is not None:
        _os_axis(job, extended, matrix, options, linux_only)
    if options.fail_fast is not None:
        extended.setdefault("strategy", {})["fail-fast"] = options.fail_fast
    return extended


def _is_upload(step: dict[str, Any]) -> bool:
    uses = step.get("uses")
    return isinstance(uses, Uses) and uses.action == "actions/upload-artifact"


def _os_axis(
    job: str, body: dict[str, Any], matrix: list[str] | str, options: JobOptions, linux_only: str
) -> None:
    systems = [*options.os, *options.pr_os]
    if linux_only and any(not system.startswith("ubuntu-") for system in systems):
        raise ValueError(f"{job} runs on Linux only ({linux_only}); remove its other systems")
    body["runs-on"] = "${{ matrix.os }}"
    strategy = body.setdefault("strategy", {"fail-fast": False})
    strategy.setdefault("matrix", {})["os"] = matrix
    primary = (options.pr_os or options.os or (DEFAULT_OS,))[0]
    for step in body["steps"]:
        if not _is_upload(step):
            continue
        if step["with"]["name"].startswith("coverage-data") and job != "tests":
            # A suite's data file is named for its Python only: one system's counts.
            step["if"] = f"always() && matrix.os == '{primary}'"
        else:
            # The tests jobs' data files carry the system in their names, and the gate
            # combines every system's (paths remapped, each cell required).
            step["with"]["name"] = f"{step['with']['name']}-${{{{ matrix.os }}}}"
