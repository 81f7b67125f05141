"""What a family uses to describe its CI jobs: steps, a job, and which events run a tier.

A family's ``ci_jobs(config, kit)`` returns :class:`CiJob` values built with a
:class:`CiKit`; the generator (``ci_sessions.workflow``) adds the triggers,
the conditions and the `changes` plumbing. This module knows GitHub Actions,
not any family.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ci_sessions.config import Config
from ci_sessions.workflow.settings import WorkflowConfig
from ci_sessions.workflow.triggers import (
    DEFAULT_TRIGGERS,
    Trigger,
    all_occasions,
    condition,
    occasions_of,
    tier_condition,
)

if TYPE_CHECKING:  # emit writes YAML: imported when a workflow is written, not at load
    from ci_sessions.workflow.emit import Uses

NOX = "nox>=2026.10.20"

# Actions pinned to commit SHAs, the tag in a comment (zizmor rates tag-only
# pins high). [tool.ci_sessions.workflow] pins = { "actions/checkout" = "sha # tag" }
# replaces one.
# Each SHA is `git rev-parse <tag>^{commit}` in the action's own repository, and
# every Node action here runs on node24 (GitHub removed Node 20 from its runners
# in September 2026).
DEFAULT_PINS: dict[str, str] = {
    "actions/checkout": "3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
    "actions/setup-python": "5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0",
    "astral-sh/setup-uv": "20cfd1bf945f4377ade1205e4dbc17946fc9a30d # v10.0.1",
    "actions/upload-artifact": "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0",
    "actions/download-artifact": "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1",
    "actions/cache/restore": "27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5",
    "actions/cache/save": "27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5",
    "github/codeql-action/upload-sarif": "8aad20d150bbac5944a9f9d289da16a4b0d87c1e # v4.36.2",
    # A docker action (no Node runtime); the newest tag of the snapshot checked here.
    "pypa/gh-action-pypi-publish": "81e9d935c883d0b210363ab89cf05f3894778450 # v1.8.14",
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
    # Of its needs, those that must have run for it to run (an always() job whose inputs
    # were skipped, after a failed stage, has nothing to judge).
    ran: tuple[str, ...] = ()
    # Why it can only run on Linux (service containers, valgrind), if it must.
    linux_only: str = ""
    # Its tiers, when they are not the member's (a project's own tagged session).
    tiers: tuple[str, ...] | None = None
    # Its session writes a pipeline record (a session of the project's own does not).
    records: bool = True


def nox_step_index(body: Mapping[str, Any]) -> int:
    """Where a job's nox step is: the one whose env names a SESSION."""
    for index, step in enumerate(body["steps"]):
        if "SESSION" in step.get("env", {}):
            return index
    raise ValueError("the job has no nox step")


def nox_step(body: Mapping[str, Any]) -> dict[str, Any]:
    """A job's nox step, to add to its env or command."""
    step: dict[str, Any] = body["steps"][nox_step_index(body)]
    return step


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
        from ci_sessions.workflow.emit import Uses

        return Uses(action, self.pins[action])

    @property
    def reports(self) -> str:
        return self.config.reports_dir

    @property
    def data(self) -> str:
        """Where the coverage data files go (and CI artifacts are downloaded to)."""
        return f"{self.config.reports_dir}/coverage-data"

    def setup(self, *, python: str, full_history: bool = False) -> list[dict[str, Any]]:
        """Check out, set up Python and uv. `python`: what the job's session runs on (a
        version, `${{ matrix.python }}`, or every_python where that is not known here)."""
        checkout: dict[str, Any] = {"persist-credentials": False}
        if full_history:
            checkout["fetch-depth"] = 0  # a baseline or compare branch of the main branch
        return [
            {"uses": self.uses("actions/checkout"), "with": checkout},
            {
                "uses": self.uses("actions/setup-python"),
                "with": {"python-version": python},
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
            # bash on every runner: on Windows the default shell would read $SESSION
            # as a PowerShell variable.
            "shell": "bash",
            "run": f"uvx --from '{NOX}' nox -s \"$SESSION\"",
        }

    def first_job(self, session: str, outputs: Sequence[str]) -> dict[str, Any]:
        """The job the others wait for: `session` over the full history, against the push's
        previous commit or a merge queue group's base (pull requests have GITHUB_BASE_REF);
        `outputs`: the names its nox step writes to $GITHUB_OUTPUT."""
        before = {
            "CI_SESSIONS_BEFORE": "${{ github.event.before || github.event.merge_group.base_sha }}"
        }
        step = {"id": "nox", **self.nox_step(session, before)}
        return {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 10,
            "outputs": {name: f"${{{{ steps.nox.outputs.{name} }}}}" for name in outputs},
            "steps": [
                *self.setup(full_history=True, python=self.config.python_of(session)),
                step,
            ],
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
        python: str | None = None,
    ) -> dict[str, Any]:
        """A job body: set-up, the nox step, then the extra steps (uploads). `python`: what
        to set up, by default the one Python the session runs on (its session-python);
        a matrix job passes `${{ matrix.python }}`, the project's own sessions
        every_python."""
        return {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 30,
            "steps": [
                *self.setup(
                    full_history=full_history, python=python or self.config.python_of(session)
                ),
                self.nox_step(session, env),
                *extra,
            ],
        }

    @property
    def every_python(self) -> str:
        """The whole matrix, for a job whose session's Pythons are not known here."""
        return "\n".join(self.config.python)

    def keep_main_figures(
        self, body: dict[str, Any], name: str, produced: str | None, *, part: str = ""
    ) -> str:
        """Figures of the main branch, kept between runs (benchmarks, coverage, the map of
        affected tests): restored before the nox step (the latest saved,
        `steps.<name>.outputs.cache-matched-key` says which) and saved after a successful
        run on the first of `branches`. Returns the folder they are restored to. A cache
        entry, not an artifact: pull requests can read what main saved and never write what
        main reads. `produced`: the report copied there (None: the session writes there
        itself); `part`: what tells the entries of one job apart (a matrix value)."""
        stored = f"{self.reports}/{name}"
        branch = self.config.of(WorkflowConfig).main
        on_main = f"github.event_name != 'pull_request' && github.ref == 'refs/heads/{branch}'"
        key = f"{name}-{part}${{{{ runner.os }}}}-"
        restore = {
            "id": name,
            "uses": self.uses("actions/cache/restore"),
            "with": {"path": stored, "key": key + "${{ github.sha }}", "restore-keys": key},
        }
        steps = body["steps"]
        steps.insert(nox_step_index(body), restore)
        if produced is not None:
            steps.append(
                {
                    "name": "keep the main branch's figures for the next comparison",
                    "if": f"success() && {on_main}",
                    "shell": "bash",
                    "run": f"mkdir -p {stored} && cp {self.reports}/{produced} {stored}/",
                }
            )
        steps += [
            {
                "if": f"success() && {on_main}",
                "uses": self.uses("actions/cache/save"),
                "with": {"path": stored, "key": key + "${{ github.sha }}"},
            },
        ]
        return stored

    @property
    def triggers(self) -> dict[str, Trigger]:
        """tier -> its trigger, for the tiers this configuration has."""
        return placed_triggers(self.config)

    def tiers_of(self, job: CiJob) -> tuple[str, ...]:
        """The tiers a job belongs to: its own, else its tier member's."""
        return job.tiers if job.tiers is not None else tuple(self.config.tiers_of(job.member))

    def occasions_of_job(self, job: CiJob) -> tuple[str, ...]:
        return occasions_of(self.tiers_of(job), self.triggers)

    def occasions_of(self, member: str) -> tuple[str, ...]:
        """The occasions (events, schedules, dispatches) whose run includes a tier member."""
        return occasions_of(self.config.tiers_of(member), self.triggers)

    def job_condition(self, job: CiJob) -> str | None:
        """The `if:` clause of the occasions that run a job: by its tiers' occasions, or,
        when a tier of it runs for some branches or paths only, by each tier's clause."""
        tiers = [tier for tier in self.tiers_of(job) if tier in self.triggers]
        if not any(self.triggers[tier].filtered for tier in tiers):
            return self.condition(self.occasions_of_job(job))
        return "(" + " || ".join(tier_condition(t, self.triggers[t]) for t in tiers) + ")"

    def condition(self, occasions: tuple[str, ...]) -> str | None:
        """The `if:` clause that limits a job or step to these occasions; None for all."""
        return condition(occasions, all_occasions(self.triggers))


def placed_triggers(config: Config) -> dict[str, Trigger]:
    """The configured triggers; of the built-in ones, those of tiers the project has."""
    settings = config.of(WorkflowConfig)
    tiers = {tier for tier, _ in config.tiers}
    if settings.triggers is DEFAULT_TRIGGERS:
        return {tier: trigger for tier, trigger in settings.triggers if tier in tiers}
    return dict(settings.triggers)
