"""The event a replay runs the workflow for, and what a runner knows of it: the `github`
and `inputs` contexts, the `GITHUB_*` variables, and whether the workflow's `on:` takes
the event at all (branches, paths-ignore). Pure: facts of the repository in, contexts out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ci_sessions.github import REPLAY_ENV
from ci_sessions.workflow.filters import matches

EVENTS = ("push", "pull_request", "schedule", "workflow_dispatch", "merge_group")
REPOSITORY = "owner/project"  # the replay's stand-in for the repository's name on GitHub


@dataclass(frozen=True)
class Event:
    name: str  # one of EVENTS
    branch: str  # the branch pushed, the pull request's head, the queue's target
    base: str = ""  # a pull request's (or a merge queue's) base branch
    cron: str = ""  # the schedule that fired
    inputs: Mapping[str, str] = field(default_factory=dict)  # a dispatch's inputs


@dataclass(frozen=True)
class Repository:
    """What the replay read off the repository: the commit replayed, its parent, the base
    branch's commit, and the files changed against what the event compares with."""

    sha: str
    before: str
    base_sha: str
    changed: tuple[str, ...]


def contexts(event: Event, repo: Repository, run_id: str) -> dict[str, Any]:
    """The `github` and `inputs` contexts of the run."""
    ref = {
        "pull_request": "refs/pull/1/merge",
        "merge_group": f"refs/heads/gh-readonly-queue/{event.base}/pr-1-{repo.sha}",
    }.get(event.name, f"refs/heads/{event.branch}")
    payload: dict[str, Any] = {}
    if event.name == "push":
        payload = {"before": repo.before, "after": repo.sha}
    elif event.name == "pull_request":
        payload = {
            "pull_request": {
                "head": {"ref": event.branch, "sha": repo.sha, "repo": {"full_name": REPOSITORY}},
                "base": {"ref": event.base, "sha": repo.base_sha},
            }
        }
    elif event.name == "merge_group":
        payload = {"merge_group": {"base_sha": repo.base_sha, "head_sha": repo.sha}}
    elif event.name == "schedule":
        payload = {"schedule": event.cron}
    elif event.name == "workflow_dispatch":
        payload = {"inputs": dict(event.inputs)}
    github = {
        "event_name": event.name,
        "event": payload,
        "ref": ref,
        "ref_name": ref.removeprefix("refs/heads/"),
        "sha": repo.sha,
        "repository": REPOSITORY,
        "repository_owner": REPOSITORY.split("/")[0],
        "server_url": "https://github.com",
        "run_id": run_id,
        "run_number": "1",
        "run_attempt": "1",
        "workflow": "ci",
        "actor": "replay",
        "token": "",
        "base_ref": event.base if event.name == "pull_request" else "",
        "head_ref": event.branch if event.name == "pull_request" else "",
    }
    return {"github": github, "inputs": dict(event.inputs)}


def environment(github: Mapping[str, Any]) -> dict[str, str]:
    """The `GITHUB_*` variables a runner sets from the context."""
    names = ("event_name", "ref", "ref_name", "sha", "repository", "server_url", "run_id")
    found = {f"GITHUB_{name.upper()}": str(github[name]) for name in names}
    found["GITHUB_RUN_NUMBER"] = str(github["run_number"])
    found["GITHUB_RUN_ATTEMPT"] = str(github["run_attempt"])
    found["GITHUB_WORKFLOW"] = str(github["workflow"])
    found["GITHUB_ACTOR"] = str(github["actor"])
    if github["base_ref"]:
        found["GITHUB_BASE_REF"] = str(github["base_ref"])
        found["GITHUB_HEAD_REF"] = str(github["head_ref"])
    return {
        **found,
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "RUNNER_OS": "Linux",
        REPLAY_ENV: "1",
    }


def why_not_triggered(on: Mapping[str, Any], event: Event, repo: Repository) -> str | None:
    """Why the workflow does not run on this event (None: it does), by its `on:` block."""
    if event.name not in on:
        return f"the workflow does not react to {event.name}"
    if event.name == "schedule":
        crons = [entry.get("cron") for entry in on["schedule"] or []]
        if event.cron not in crons:
            return f"no schedule {event.cron!r} (the workflow's: {', '.join(map(str, crons))})"
        return None
    spec = on[event.name] or {}
    if not isinstance(spec, Mapping):
        return None
    target = event.base if event.name in ("pull_request", "merge_group") else event.branch
    branches = spec.get("branches")
    if event.name in ("push", "pull_request") and branches and not matches(target, branches):
        return f"{event.name} on {target}: not one of branches {', '.join(branches)}"
    ignored = spec.get("paths-ignore")
    if ignored and repo.changed and all(matches(path, ignored) for path in repo.changed):
        return f"every changed file matches paths-ignore ({', '.join(ignored)})"
    return None
