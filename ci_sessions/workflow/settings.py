"""``[tool.ci_sessions.workflow]``: the generated GitHub Actions workflow's keys."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section
from ci_sessions.families.changes.docs import DEFAULT_DOCS
from ci_sessions.workflow import options
from ci_sessions.workflow.options import JobOptions
from ci_sessions.workflow.triggers import DEFAULT_TRIGGERS, Trigger


@dataclass(frozen=True)
class WorkflowConfig:
    # action -> "sha # tag", replacing the built-in pin of that action.
    pins: tuple[tuple[str, str], ...]
    # A change that touches only these skips every job but lint.
    docs: tuple[str, ...]
    # The branches whose pushes run the pr tier. Never read off git here: the
    # workflow (and its drift check) must not depend on which branch is checked
    # out; `init` detects the default branch and writes it.
    branches: tuple[str, ...]
    # Publish the build job's sdist and wheel to PyPI when a v* tag is pushed.
    release: bool
    # tier -> what runs it (events, crons, a manual dispatch that picks it).
    triggers: tuple[tuple[str, Trigger], ...] = DEFAULT_TRIGGERS
    # job or tier -> the jobs or tiers that must pass first.
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # job -> what the project adds to it (env, steps, timeout, OS axis, ...).
    jobs: tuple[tuple[str, JobOptions], ...] = ()
    # The one job that needs every other: the check branch protection names.
    required_check: str = "ci-passed"
    # Pushes and pull requests touching only these do not start the workflow at all.
    paths_ignore: tuple[str, ...] = ()
    # Write .github/dependabot.yml (unless the project has its own).
    dependabot: bool = True

    def options(self, job: str) -> JobOptions:
        return dict(self.jobs).get(job, JobOptions())


WORKFLOW = Section(
    table="workflow",
    build=WorkflowConfig,
    title="the generated workflow",
    keys=(
        Key(
            "pins",
            "pins",
            values.action_pins,
            (),
            '`{ "owner/action" = "<40-hex sha> # <tag>" }`: replaces the built-in pin of an action',
        ),
        Key(
            "docs",
            "docs",
            values.str_list,
            DEFAULT_DOCS,
            "globs of documentation: a change touching only these skips every job but lint",
        ),
        Key(
            "branches",
            "branches",
            values.non_empty_str_list,
            ("main",),
            "the branches whose pushes run the pr tier (`init` writes the repository's "
            "default branch here)",
        ),
        Key(
            "release",
            "release",
            values.boolean,
            False,
            "on a pushed `v*` tag, once every job passed, publish the build job's sdist and wheel "
            "to PyPI with trusted publishing (`id-token: write` on that job alone)",
        ),
        Key(
            "triggers",
            "triggers",
            options.triggers,
            DEFAULT_TRIGGERS,
            'tier -> what runs it: `{ on = ["push", "pull_request", "merge_group"], cron = '
            '"0 2 * * *", dispatch = true, issue-labels = ["ci", "nightly-failure"] }` (a failed '
            "scheduled run opens or updates one issue with those labels); every tier with "
            "members needs one (smoke is local)",
            default_text='`pr = { on = ["push", "pull_request", "merge_group"] }`, '
            '`nightly = { cron = "17 3 * * *", dispatch = true }`',
        ),
        Key(
            "needs",
            "needs",
            options.stages,
            (),
            "stages: a job or a tier -> the jobs or tiers that must pass first, `{ coverage = "
            '["tests"], pr = ["smoke"] }`',
        ),
        Key(
            "jobs",
            "jobs",
            options.job_options,
            (),
            "job -> what it adds: `env` (secrets as `${{ secrets.NAME }}` only), `steps-before`, "
            "`steps-after` (actions pinned to a commit), `timeout-minutes`, `retention-days`, "
            "`os`, `pr-os` (a narrower OS list for pull requests), `fail-fast`, `blocking = "
            "false` (left out of the required check: an informational stage)",
        ),
        Key(
            "required-check",
            "required_check",
            options.job_id,
            "ci-passed",
            "the job that needs every other one and fails if any failed or was cancelled "
            "(skipped by design counts as passed): the one check branch protection names",
        ),
        Key(
            "paths-ignore",
            "paths_ignore",
            values.str_list,
            (),
            "globs: pushes and pull requests touching only these do not start the workflow "
            "(no check reports then; the `docs` key skips jobs and still reports)",
        ),
        Key(
            "dependabot",
            "dependabot",
            values.boolean,
            True,
            "write `.github/dependabot.yml` (actions and the project's packages, grouped, with "
            "a cooldown) unless the project has one of its own",
        ),
    ),
)
