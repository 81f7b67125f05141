"""``[tool.ci_sessions.workflow]``: the generated GitHub Actions workflow's keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ci_sessions.config import tables, values
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.families.changes.docs import DEFAULT_DOCS
from ci_sessions.workflow import options
from ci_sessions.workflow.options import JobOptions
from ci_sessions.workflow.triggers import DEFAULT_TRIGGERS, Trigger


@dataclass(frozen=True)
class WorkflowConfig:
    # action -> "sha # tag", replacing the built-in pin of that action.
    pins: tuple[tuple[str, str], ...] = setting(
        tables.action_pins,
        (),
        '`{ "owner/action" = "<40-hex sha> # <tag>" }`: replaces the built-in pin of an action',
    )
    # A change that touches only these skips every job but lint.
    docs: tuple[str, ...] = setting(
        values.str_list,
        DEFAULT_DOCS,
        "globs of documentation: a change touching only these skips every job but lint",
    )
    # The branches whose pushes run the pr tier. Never read off git here: the
    # workflow (and its drift check) must not depend on which branch is checked
    # out; `init` detects the default branch and writes it.
    branches: tuple[str, ...] = setting(
        values.non_empty_str_list,
        ("main",),
        "the branches whose pushes run the pr tier (`init` writes the repository's "
        "default branch here)",
    )
    # The branch whose figures (coverage, benchmarks, the affected-tests map) are kept for
    # the next comparison: a name, never a pattern.
    main_branch: str | None = setting(
        values.git_ref,
        None,
        "the branch whose figures are kept and compared with (coverage's ratchet, stored "
        "benchmarks, the affected-tests map)",
        default_text="the first of `branches`; a pattern there (`**`) needs this key",
    )
    # Publish the build job's sdist and wheel to PyPI when a v* tag is pushed.
    release: bool = setting(
        values.boolean,
        False,
        "on a pushed `v*` tag, once every job passed, publish the build job's sdist and wheel "
        "to PyPI with trusted publishing (`id-token: write` on that job alone)",
    )
    # tier -> what runs it (events, crons, a manual dispatch that picks it).
    triggers: tuple[tuple[str, Trigger], ...] = setting(
        nested=Trigger,
        keyed=True,
        default=DEFAULT_TRIGGERS,
        doc="what runs each tier, `[tool.ci_sessions.workflow.triggers.<tier>]` (below); every "
        "tier with members needs one (smoke is local)",
        default_text='`pr = { on = ["push", "pull_request", "merge_group"] }`, '
        '`nightly = { cron = "17 3 * * *", dispatch = true }`',
    )
    # job or tier -> the jobs or tiers that must pass first.
    needs: tuple[tuple[str, tuple[str, ...]], ...] = setting(
        options.stages,
        (),
        "stages: a job or a tier -> the jobs or tiers that must pass first, `{ coverage = "
        '["tests"], pr = ["smoke"] }`',
    )
    # job -> what the project adds to it (env, steps, timeout, OS axis, ...).
    jobs: tuple[tuple[str, JobOptions], ...] = setting(
        nested=JobOptions,
        keyed=True,
        default=(),
        doc="what the project adds to a generated job, `[tool.ci_sessions.workflow.jobs.<job>]` "
        "(below)",
    )
    # The one job that needs every other: the check branch protection names.
    required_check: str = setting(
        options.job_id,
        "ci-passed",
        "the job that needs every other one and fails if any failed or was cancelled "
        "(skipped by design counts as passed): the one check branch protection names",
    )
    # Pushes and pull requests touching only these do not start the workflow at all.
    paths_ignore: tuple[str, ...] = setting(
        values.str_list,
        (),
        "globs: pushes and pull requests touching only these do not start the workflow "
        "(no check reports then; the `docs` key skips jobs and still reports)",
    )
    # Write .github/dependabot.yml (unless the project has its own).
    dependabot: bool = setting(
        values.boolean,
        True,
        "write `.github/dependabot.yml` (actions and the project's packages, grouped, with "
        "a cooldown) unless the project has one of its own",
    )

    @property
    def main(self) -> str:
        """The main branch, resolved at load (a name, never a pattern)."""
        return self.main_branch or self.branches[0]

    def options(self, job: str) -> JobOptions:
        return dict(self.jobs).get(job, JobOptions())


# What makes a branch entry a pattern, as GitHub's filters read them.
PATTERN = re.compile(r"[*?\[\]!+]")


def resolve(settings: WorkflowConfig, context: ResolveContext) -> WorkflowConfig:
    main = settings.main_branch or settings.branches[0]
    if PATTERN.search(main):
        where = "main-branch" if settings.main_branch else "the first of branches"
        raise ValueError(
            f"[tool.ci_sessions.workflow] {where} is {main!r}, a pattern: the branch whose "
            'figures are kept must be a name; set main-branch = "main" (the branch they are '
            "kept from)"
        )
    return settings


WORKFLOW = Section(
    table="workflow",
    build=WorkflowConfig,
    title="the generated workflow",
    resolve=resolve,
)
