"""What a family uses to describe its CI jobs: steps, a job, and which events run a tier.

A family's ``ci_jobs(config, kit)`` returns :class:`CiJob` values built with a
:class:`CiKit`; the generator (``ci_sessions.workflow``) adds the triggers,
the conditions and the `changes` plumbing. This module knows GitHub Actions,
not any family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ci_sessions.config import Config
from ci_sessions.workflow.emit import Uses
from ci_sessions.workflow.settings import WorkflowConfig

NOX = "nox>=2026.10.20"

# Actions pinned to commit SHAs, the tag in a comment (zizmor rates tag-only
# pins high). [tool.ci_sessions.workflow] pins = { "actions/checkout" = "sha # tag" }
# replaces one.
DEFAULT_PINS: dict[str, str] = {
    "actions/checkout": "11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
    "actions/setup-python": "0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0",
    "astral-sh/setup-uv": "e92bafb6253dcd438e0484186d7669ea7a8ca1cc # v6.4.3",
    "actions/upload-artifact": "65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08 # v4.6.0",
    "actions/download-artifact": "fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8",
    # A docker action (no Node runtime); the newest tag of the snapshot checked here.
    "pypa/gh-action-pypi-publish": "81e9d935c883d0b210363ab89cf05f3894778450 # v1.8.14",
}

# Which events run which tier: pushes and pull requests the pr tier, the
# nightly schedule (and a manual dispatch) the nightly tier.
PR_EVENTS = ("push", "pull_request")
NIGHTLY_EVENTS = ("schedule", "workflow_dispatch")
CONDITIONS: dict[tuple[str, ...], str] = {
    PR_EVENTS: "github.event_name == 'push' || github.event_name == 'pull_request'",
    NIGHTLY_EVENTS: "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
}


@dataclass(frozen=True)
class CiJob:
    """One job of the workflow, as a family describes it."""

    name: str  # the job's id
    member: str  # the tier member whose tiers decide the job's triggers
    body: dict[str, Any]  # runs-on, steps, strategy, services, ...
    # Runs for documentation-only changes too (no wait for `changes`).
    light: bool = False
    # Other jobs it waits for (those the workflow has).
    needs: tuple[str, ...] = ()
    # Runs even when a job it needs failed (the coverage gate must say what is missing).
    always: bool = False


@dataclass(frozen=True)
class CiKit:
    """Step and job builders bound to a configuration and its pinned actions."""

    config: Config
    pins: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Config, pins: Mapping[str, str] | None = None) -> CiKit:
        """The kit with the configured pins (or those given) over the built-in ones."""
        chosen = dict(config.of(WorkflowConfig).pins) if pins is None else dict(pins)
        return cls(config, {**DEFAULT_PINS, **chosen})

    def uses(self, action: str) -> Uses:
        return Uses(action, self.pins[action])

    @property
    def reports(self) -> str:
        return self.config.reports_dir

    @property
    def data(self) -> str:
        """Where the coverage data files go (and CI artifacts are downloaded to)."""
        return f"{self.config.reports_dir}/coverage-data"

    def setup(self, *, full_history: bool = False) -> list[dict[str, Any]]:
        checkout: dict[str, Any] = {"persist-credentials": False}
        if full_history:
            checkout["fetch-depth"] = 0  # a baseline or compare branch of the main branch
        return [
            {"uses": self.uses("actions/checkout"), "with": checkout},
            {
                "uses": self.uses("actions/setup-python"),
                "with": {"python-version": "\n".join(self.config.python)},
            },
            {
                "uses": self.uses("astral-sh/setup-uv"),
                "with": {
                    "enable-cache": True,
                    "cache-dependency-glob": "pyproject.toml\nuv.lock\n**/requirements*.txt",
                },
            },
        ]

    def nox_step(self, session: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The job's one nox step. The session name goes through env:, so nothing
        from the event is ever interpolated into the shell command."""
        return {
            "name": "nox",
            "env": {"SESSION": session, **(env or {})},
            "run": f"uvx --from '{NOX}' nox -s \"$SESSION\"",
        }

    def upload(self, name: str, path: str, *, hidden: bool = False) -> dict[str, Any]:
        step: dict[str, Any] = {
            "if": "always()",
            "uses": self.uses("actions/upload-artifact"),
            "with": {"name": name, "path": path, "if-no-files-found": "error"},
        }
        if hidden:
            step["with"]["include-hidden-files"] = True  # coverage data files start with a dot
        return step

    def download(
        self, into: str, *, name: str | None = None, pattern: str | None = None
    ) -> dict[str, Any]:
        spec: dict[str, Any] = (
            {"name": name} if name else {"pattern": pattern, "merge-multiple": True}
        )
        return {"uses": self.uses("actions/download-artifact"), "with": {**spec, "path": into}}

    def job(
        self,
        session: str,
        *extra: dict[str, Any],
        full_history: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A job body: set-up, the nox step, then the extra steps (uploads)."""
        return {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 30,
            "steps": [*self.setup(full_history=full_history), self.nox_step(session, env), *extra],
        }

    def events_of(self, member: str) -> tuple[str, ...]:
        """The events whose run includes a tier member, from the pr and nightly tiers."""
        tiers = self.config.tiers_of(member)
        return (PR_EVENTS if "pr" in tiers else ()) + (NIGHTLY_EVENTS if "nightly" in tiers else ())


def event_condition(events: tuple[str, ...]) -> str | None:
    """The `if:` clause that limits a job or step to these events; None for all of them."""
    return f"({CONDITIONS[events]})" if events in CONDITIONS else None
