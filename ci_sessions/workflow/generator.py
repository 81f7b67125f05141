"""The GitHub Actions workflow, generated from the families a configuration loaded.

(`ci_sessions.workflow` exports its public names lazily; its `__all__` lists them.)

Each family describes its own jobs (``ci_jobs``); this module walks them, adds
the triggers of their tiers, the `changes` job that lets documentation-only
changes skip the heavy jobs, and writes the YAML. It knows GitHub, not coverage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ci_sessions import select
from ci_sessions.config import Config
from ci_sessions.workflow import extend, members, stages
from ci_sessions.workflow.dependabot import DEPENDABOT_PATH, dependabot
from ci_sessions.workflow.emit import (
    HEADER,
    RELEASE_PATH,
    WORKFLOW_PATH,
    Commented,
    render,
)
from ci_sessions.workflow.filters import matches
from ci_sessions.workflow.kit import CiJob, CiKit
from ci_sessions.workflow.own import ListingError, OwnSession, list_sessions, own_jobs, own_sessions
from ci_sessions.workflow.report import pipeline_job, record_upload, report_job
from ci_sessions.workflow.settings import WorkflowConfig
from ci_sessions.workflow.triggers import (
    evaluate,
    expand,
    on_block,
    paths_output,
    untriggered,
)


class WorkflowError(ValueError):
    """The configuration asks for something the workflow cannot express; says what."""


# A tier with no trigger of its own is fine only when it is meant for laptops.
LOCAL_TIERS = ("smoke",)
CODE_CHANGED = "needs.changes.outputs.code == 'true'"
# Jobs that run nox for the workflow itself, not for a tier.
PLUMBING = ("changes", "report")
# Jobs that wait for stages run when those were skipped (another trigger's), not failed.
STAGED = "!cancelled() && !failure()"


def _when(job: dict[str, Any], clauses: list[str]) -> dict[str, Any]:
    """Put the job's conditions first, joined by &&."""
    return {"if": " && ".join(clauses), **job} if clauses else job


def _check_triggers(
    config: Config, kit: CiKit, own_tags: Sequence[str], suites: Sequence[CiJob] = ()
) -> None:
    """Every tier with members has a trigger (or is local); every trigger names a tier
    (of the configuration, or a tag of the project's own sessions)."""
    triggers = kit.triggers
    tiers = [tier for tier, members in config.tiers if members]
    missing = untriggered(tiers, triggers, LOCAL_TIERS)
    if missing:
        raise WorkflowError(
            f"{config.key_ref('workflow.triggers')}: no trigger runs tier "
            f"{', '.join(repr(t) for t in missing)}, so its sessions would never run in CI; "
            + config.fix("workflow.triggers", f'{{ {missing[0]} = {{ cron = "0 2 * * *" }} }}')
        )
    dropped = [
        job.name
        for job in suites
        if not any(tier in triggers or tier in LOCAL_TIERS for tier in job.tiers or ())
    ]
    if dropped:
        raise WorkflowError(
            f"{config.key_ref('workflow.triggers')}: no trigger runs a tier of suite "
            f"{dropped[0]!r}, so it would never run in CI; give one of its tiers a trigger"
        )
    both = sorted({job.name for job in suites} & {tier for tier, _ in config.tiers})
    if both:
        raise WorkflowError(
            f"{config.key_ref('tiers')}: {both[0]!r} is both a tier and a suite, so a stage "
            f"that waits for {both[0]!r} would wait for the suite alone; rename one of them"
        )
    branches = config.of(WorkflowConfig).branches
    for tier, trigger in triggers.items():
        # A prefix (release/*) is checked with one branch it names.
        named = {b: b.rstrip("*") + "x" if b.endswith("*") else b for b in trigger.branches}
        outside = [b for b, name in named.items() if not matches(name, branches)]
        if outside:
            raise WorkflowError(
                f"{config.key_ref('workflow.triggers')}: tier {tier!r} runs for branch "
                f"{outside[0]!r}, which the workflow's branches ({', '.join(branches)}) leave "
                f"out, so it would never run there; add it to {config.key_ref('workflow.branches')}"
            )
    suite_tiers = [tier for job in suites for tier in job.tiers or ()]
    unknown = [tier for tier in triggers if tier not in (*tiers, *own_tags, *suite_tiers)]
    if unknown:
        raise WorkflowError(
            f"{config.key_ref('workflow.triggers')}: {unknown[0]!r} is not a tier with sessions "
            f"(tiers: {', '.join(tiers)}); add it to {config.key_ref('tiers')}, tag a session "
            "of the noxfile with it, or remove it"
        )


def _check_inputs(config: Config, kit: CiKit, placed: Mapping[str, CiJob]) -> None:
    """A job that judges another's output runs only where that one runs too: coverage on
    an occasion without the tests (a nightly cron of coverage, security and build) would
    fail every time for lack of data, and skip every stage behind it."""
    for job in placed.values():
        for name in job.ran:
            source = placed.get(name)
            theirs = set(kit.occasions_of_job(source)) if source else set()
            alone = [o for o in kit.occasions_of_job(job) if o not in theirs]
            if alone:
                raise WorkflowError(
                    f"{config.key_ref('tiers')}: on {alone[0]} the {job.name} job runs without "
                    f"the {name} job, whose output it judges; put {name} in the same tiers as "
                    f"{job.name} (or {job.name} out of the tiers that {alone[0]} runs)"
                )


def jobs(config: Config, kit: CiKit, own: Sequence[OwnSession] = ()) -> dict[str, Any]:
    settings = config.of(WorkflowConfig)
    described = [
        job
        for family in config.families
        for job in family.ci_jobs(config, kit)
        if config.defines(job.member)
    ]
    suites = [job for job in described if job.tiers is not None]
    _check_triggers(config, kit, [tag for session in own for tag in session.tags], suites)
    # A session of the noxfile never replaces a job a family describes (a named suite,
    # which nox lists like any other session).
    ours = {job.name for job in described}
    described += [job for job in own_jobs(own, kit.triggers, kit) if job.name not in ours]
    placed = {job.name: job for job in described if kit.occasions_of_job(job)}
    _check_inputs(config, kit, placed)
    by_tier: dict[str, list[str]] = {}
    for job in placed.values():
        for tier in kit.tiers_of(job):
            by_tier.setdefault(tier, []).append(job.name)
    try:
        staged = stages.waits(settings.needs, by_tier, list(placed))
    except stages.StageError as exc:
        raise WorkflowError(f"{config.key_ref('workflow.needs')}: {exc}") from None
    unknown = [name for name, _ in settings.jobs if name not in placed]
    if unknown:
        raise WorkflowError(
            f"{config.key_ref('workflow.jobs')}: {unknown[0]!r} is not a job of the workflow "
            f"({', '.join(placed)})"
        )
    found: dict[str, Any] = {"changes": _changes_job(kit)}
    for job in placed.values():
        clauses = ["always()"] if job.always else ([STAGED] if staged[job.name] else [])
        clauses += [
            f"needs.{name}.result != 'skipped' && needs.{name}.result != 'cancelled'"
            for name in job.ran
            if name in placed
        ]
        condition = kit.job_condition(job)
        clauses += [condition] if condition else []
        needs = [] if job.light else ["changes"]
        needs += [name for name in job.needs if name in placed]
        needs += [name for name in staged[job.name] if name not in needs]
        if not job.light:
            clauses.append(CODE_CHANGED)
        # Every job's session records go to the report job.
        steps = [*job.body["steps"], record_upload(kit, job.name, written=job.records)]
        try:
            body = extend.apply(
                job.name, {**job.body, "steps": steps}, settings.options(job.name), job.linux_only
            )
        except ValueError as exc:
            raise WorkflowError(f"{config.key_ref('workflow.jobs')}: {exc}") from None
        found[job.name] = _when({**body, "needs": needs} if needs else body, clauses)
    nox_jobs = [name for name in found if name != "changes"]
    # Jobs marked `blocking = false` (an informational performance stage) are left out.
    gates = [name for name in found if settings.options(name).blocking]
    found[settings.required_check] = _required_check(gates)
    for tier, trigger in kit.triggers.items():
        if trigger.issue_labels and by_tier.get(tier):
            crons = tuple(f"schedule:{cron}" for cron in trigger.cron)
            when = kit.condition(crons) or "github.event_name == 'schedule'"
            found[f"report-{tier}"] = report_job(
                kit, tier, trigger.issue_labels, by_tier[tier], when
            )
    found["report"] = pipeline_job(kit, nox_jobs)
    return found


def named(found: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Each job named after its id: the name checks show (and branch protection requires)."""
    return {name: {"name": name, **job} for name, job in found.items()}


def _required_check(names: list[str]) -> dict[str, Any]:
    """Needs every job; fails if one failed or was cancelled. A job skipped by design
    (documentation-only changes, another tier's) counts as passed."""
    return {
        "if": "always()",
        "needs": names,
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 5,
        "steps": [
            {
                "name": "every job passed or was skipped by design",
                "if": "contains(needs.*.result, 'failure') "
                "|| contains(needs.*.result, 'cancelled')",
                "env": {"RESULTS": "${{ toJSON(needs) }}"},
                "run": 'echo "::error::a job failed or was cancelled"; echo "$RESULTS"; exit 1',
            }
        ],
    }


def _changes_job(kit: CiKit) -> dict[str, Any]:
    """Tells the other jobs whether code changed (`nox -s changes`, full history)."""
    paths = [paths_output(tier) for tier, trigger in kit.triggers.items() if trigger.paths]
    return kit.first_job("changes", ["code", *paths])


def release(config: Config, pins: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The release workflow: a pushed v* tag builds the sdist and the wheel and publishes
    them to PyPI with trusted publishing. A workflow of its own, without any cache (a
    cache a pull request could fill must not reach a published artifact; zizmor's
    cache-poisoning audit), and the OIDC token for the publishing job alone. The tag's
    commit is the one main's CI passed."""
    kit = CiKit.of(config, pins)
    setup = kit.setup(python=config.python_of("build"))
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
        "permissions": {"id-token": Commented("write", "trusted publishing to PyPI")},
        "steps": [
            kit.download("dist/", name="dist"),
            {"uses": kit.uses("pypa/gh-action-pypi-publish"), "with": {"packages-dir": "dist/"}},
        ],
    }
    return {
        "name": "release",
        "on": {"push": {"tags": ["v*"]}},
        "permissions": {"contents": "read"},
        # One release at a time, never cancelled halfway through publishing.
        "concurrency": {
            "group": "${{ github.workflow }}-${{ github.ref }}",
            "cancel-in-progress": False,
        },
        "jobs": named({"build": build, "publish": publish}),
    }


def generated(config: Config, pins: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Every workflow file ci-sessions writes, as text; None for one it must not leave
    (the release workflow of a project that turned release off).

    From the noxfile's own listing: the sessions register(only=, exclude=) defines get
    jobs, and a project session that replaces one of them gets its own."""
    settings = config.of(WorkflowConfig)
    config, own = project_sessions(config)
    files: dict[str, str | None] = {WORKFLOW_PATH: render(workflow(config, pins, own))}
    files[RELEASE_PATH] = render(release(config, pins)) if settings.release else None
    files.update(_dependabot(config.root, config))
    return files


def _dependabot(root: Path, config: Config) -> dict[str, str | None]:
    """dependabot.yml, unless the project keeps its own (left alone, not checked for drift)."""
    theirs = root / DEPENDABOT_PATH
    if theirs.is_file() and not theirs.read_text(encoding="utf-8").startswith(HEADER):
        return {}
    wanted = config.of(WorkflowConfig).dependabot
    return {DEPENDABOT_PATH: render(dependabot(root)) if wanted else None}


def workspace_generated(
    root: Path, configs: Sequence[Config], pins: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """The workflow of a uv workspace (ci_sessions.workflow.members); no release workflow."""
    first = members.generation_config(configs[0], root)
    if first.of(WorkflowConfig).release:
        raise WorkflowError(
            f"{first.key_ref('workflow.release')}: a uv workspace's release workflow is not "
            "generated (which members, which tags?); publish from a workflow of your own"
        )
    found = members.workspace_jobs(
        root, configs, pins, lambda c, k: jobs(c, k, ()), _required_check
    )
    document = {**workflow_head(CiKit.of(first, pins)), "jobs": named(found)}
    files: dict[str, str | None] = {WORKFLOW_PATH: render(document), RELEASE_PATH: None}
    files.update(_dependabot(root, first))
    return files


def project_sessions(config: Config) -> tuple[Config, tuple[OwnSession, ...]]:
    """The configuration with the noxfile's register(only=, exclude=), and the noxfile's
    own sessions (those ci-sessions does not define there), as nox lists them."""
    if not (config.root / "noxfile.py").is_file():
        return config, ()
    try:
        listing = list_sessions(config.root)
    except ListingError as exc:
        raise WorkflowError(f"{exc}; the workflow needs the noxfile's sessions and tags") from None
    config = select(config, listing.only, listing.exclude)
    builtin = [
        name for family in config.families for name in family.SESSIONS if config.defines(name)
    ]
    return config, own_sessions(listing.entries, builtin)


def workflow(
    config: Config, pins: Mapping[str, str] | None = None, own: Sequence[OwnSession] = ()
) -> dict[str, Any]:
    """The workflow; pins: these, else [tool.ci_sessions.workflow] pins, over the built-in;
    own: the project's own nox sessions (`project_sessions`)."""
    kit = CiKit.of(config, pins)
    return {**workflow_head(kit), "jobs": named(jobs(config, kit, own))}


def workflow_head(kit: CiKit) -> dict[str, Any]:
    """Everything of the workflow but its jobs: name, triggers, permissions, concurrency."""
    settings = kit.config.of(WorkflowConfig)
    return {
        "name": "ci",
        "on": on_block(kit.triggers, settings.branches, settings.paths_ignore),
        "permissions": {"contents": "read"},
        "concurrency": {
            "group": "${{ github.workflow }}-${{ github.ref }}",
            "cancel-in-progress": True,
        },
    }


def sessions_run(document: Mapping[str, Any], occasion: str) -> list[str]:
    """Every nox session the workflow runs on an occasion that changes code ("push",
    "pull_request", "schedule:<cron>", "dispatch:<tier>"), its Python and session
    matrices expanded (an OS axis runs the same sessions elsewhere, so it is not).
    The `changes` and `report` jobs are the workflow's own plumbing, not gates."""
    found = []
    for name, job in document["jobs"].items():
        if name in PLUMBING or not evaluate(job.get("if"), occasion):
            continue
        matrix = job.get("strategy", {}).get("matrix", {})
        for step in job["steps"]:
            session = step.get("env", {}).get("SESSION")
            if session is None:
                continue
            for python in expand(matrix.get("python", [None]), occasion):
                named_session = session.replace("${{ matrix.python }}", str(python))
                for entry in matrix.get("session", [None]):
                    found.append(named_session.replace("${{ matrix.session }}", str(entry)))
    return found
