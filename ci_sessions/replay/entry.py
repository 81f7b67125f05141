"""One job entry of a replay (a job, or one entry of its matrix): a clean clone of the
commit, the environment a runner gives it, its steps, and the row that says how it ended."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ci_sessions import git
from ci_sessions.replay import plan
from ci_sessions.replay.actions import Place
from ci_sessions.replay.events import environment
from ci_sessions.replay.steps import EntryResult, JobRun
from ci_sessions.services import SERVICES
from ci_sessions.workflow.expressions import render

# Variables of the shell the replay starts from that a runner would not have: an
# enclosing nox, pytest, coverage or venv, and what ci-sessions passes between its own
# processes. The user's own settings (CI_SESSIONS_VULN_DB, a uv cache) are kept.
RUNNER_DROPS = ("NOX_", "PYTEST_", "COVERAGE_", "VIRTUAL_ENV", "UV_PYTHON", "GITHUB_", "RUNNER_")
INTERNAL = (
    "CI_SESSIONS_SESSION",
    "CI_SESSIONS_REGISTERED",
    "CI_SESSIONS_INVOCATION",
    "CI_SESSIONS_OUTCOMES",
)


@dataclass(frozen=True)
class Row:
    job: str
    matrix: str
    result: str  # success, failure, skipped, cancelled, not replayed
    note: str = ""


@dataclass(frozen=True)
class Entry:
    """What one entry needs to run: the job, its index in the matrix, and its context."""

    name: str
    index: int
    job: Mapping[str, Any]
    context: Mapping[str, Any]  # github, inputs, needs, vars, matrix, strategy

    @property
    def label(self) -> str:
        return plan.label(self.context["matrix"])


@dataclass
class Ended:
    row: Row
    outputs: dict[str, str] = field(default_factory=dict)
    tail: str = ""  # the end of the failing step's output, with the log's path


def runner_environment(environ: Mapping[str, str]) -> dict[str, str]:
    kept = {
        key: value
        for key, value in environ.items()
        if not key.startswith(RUNNER_DROPS) and key not in INTERNAL
    }
    # A runner downloads a missing Python; the replay fails fast instead.
    return {**kept, "UV_PYTHON_DOWNLOADS": "never"}


def without_service_urls(env: Mapping[str, str], services: Mapping[str, Any]) -> dict[str, str]:
    """The job's environment without the URLs of its service containers: the session then
    starts the service itself, as on a laptop."""
    urls = {SERVICES[name].CI_URL for name in services if name in SERVICES}
    return {key: value for key, value in env.items() if value not in urls}


def run_entry(
    entry: Entry,
    root: Path,
    scratch: Path,
    logs: Path,
    envdir: Path | None,
    workflow_env: Mapping[str, str],
) -> Ended:
    """Run one entry in its own clone under scratch; its log under logs."""
    name, job, label = entry.name, entry.job, entry.label
    runs_on = render(str(job.get("runs-on", "ubuntu-latest")), entry.context)
    if not runs_on.startswith("ubuntu"):
        return Ended(Row(name, label, "not replayed", f"runs on {runs_on}, not this Linux machine"))
    folder = scratch / f"{name}-{entry.index}"
    place = Place(folder / "work", folder / "runner", scratch / "store", envdir)
    place.runner.mkdir(parents=True)
    github = entry.context["github"]
    branch = github["ref_name"] if github["ref"] == f"refs/heads/{github['ref_name']}" else None
    problem = git.clone(root, place.work, github["sha"], branch)
    if problem:
        return Ended(Row(name, label, plan.FAILURE, f"git clone: {problem}"))
    services = job.get("services") or {}
    job_env = {
        k: render(str(v), {**entry.context, "env": workflow_env})
        for k, v in (job.get("env") or {}).items()
    }
    env_context = without_service_urls({**workflow_env, **job_env}, services)
    env = {**runner_environment(os.environ), **environment(github), **env_context}
    env.update(GITHUB_WORKSPACE=str(place.work), RUNNER_TEMP=str(place.runner))
    context = {
        **entry.context,
        "env": env_context,
        "secrets": {},
        "runner": {"os": "Linux", "arch": "X64", "name": "replay", "temp": str(place.runner)},
    }
    log_name = (
        f"{name}-{entry.index}.log" if entry.context["strategy"]["job-total"] > 1 else f"{name}.log"
    )
    steps = [_without_service_urls(step, services) for step in job.get("steps") or []]
    deadline = time.monotonic() + float(job.get("timeout-minutes", 360)) * 60
    with (logs / log_name).open("w", encoding="utf-8") as log:
        done = JobRun(place, context, env, log, deadline).run(steps, job.get("outputs") or {})
    tail = ""
    if done.result == plan.FAILURE and done.tail:
        tail = f"--- {name} ({label}), the end of {logs / log_name}:\n" + "\n".join(done.tail[-20:])
    return Ended(Row(name, label, done.result, note(done, job)), done.outputs, tail)


def _without_service_urls(
    step: Mapping[str, Any], services: Mapping[str, Any]
) -> Mapping[str, Any]:
    if not step.get("env") or not services:
        return step
    return {
        **step,
        "env": without_service_urls({k: str(v) for k, v in step["env"].items()}, services),
    }


def note(done: EntryResult, job: Mapping[str, Any]) -> str:
    """What the table says beside an entry's result: the first failure, the services the
    session started, the environment, and every step not replayed."""
    notes = [done.why] if done.why else []
    notes += [f"{step} (continue-on-error: the job went on)" for step in done.continued]
    services = job.get("services") or {}
    started = [name for name in services if name in SERVICES]
    if started:
        notes.append(f"{', '.join(started)} started by the session (not a container)")
    unknown = [name for name in services if name not in SERVICES]
    if unknown:
        notes.append(f"service {', '.join(unknown)} not replayed")
    target = job.get("environment")
    if target:
        target = target.get("name") if isinstance(target, dict) else target
        notes.append(f"environment {target} (its protection rules are GitHub's)")
    notes += [f"not replayed: {item}" for item in done.not_replayed]
    return "; ".join(notes)
