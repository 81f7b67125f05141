"""Checkers for the workflow's own keys: triggers, stages, and what each job adds.

Each returns the normalised value or raises ValueError saying what it expects (the
loader adds the file and the key). They refuse, rather than pass on, anything that
would make the generated workflow unsafe: an action not pinned to a commit, or an
expression that is not a plain `${{ secrets.NAME }}` / `${{ vars.NAME }}` (a
`${{ github.event... }}` in a step is a template injection zizmor would flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ci_sessions.config.values import environment
from ci_sessions.workflow.triggers import EVENTS, Trigger, cron_problem

NAME = re.compile(r"^[a-z][a-z0-9-]*$")
RUNNERS = re.compile(r"^(ubuntu|windows|macos)-[a-z0-9.\-]+$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
ALLOWED_EXPRESSION = re.compile(r"^\s*(secrets|vars)\.[A-Za-z_][A-Za-z0-9_]*\s*$")
USES = re.compile(r"^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-/]+@[0-9a-f]{40}( # \S.*)?$")
STEP_KEYS = ("name", "uses", "with", "run", "shell", "env", "if")


@dataclass(frozen=True)
class JobOptions:
    """What the project adds to one generated job."""

    env: tuple[tuple[str, str], ...] = ()
    steps_before: tuple[dict[str, Any], ...] = ()
    steps_after: tuple[dict[str, Any], ...] = ()
    timeout_minutes: int | None = None
    retention_days: int | None = None
    os: tuple[str, ...] = ()
    pr_os: tuple[str, ...] = ()
    fail_fast: bool | None = None
    # False: left out of the required check (an informational stage).
    blocking: bool = True


def triggers(value: Any) -> tuple[tuple[str, Trigger], ...]:
    """{ tier = { on = ["push", ...], cron = "0 2 * * *", dispatch = true } }."""
    if not isinstance(value, dict) or not value:
        raise ValueError('expected a table of tier = { on = ["push"], cron = "0 2 * * *" }')
    found = []
    for tier, spec in value.items():
        if not NAME.match(tier):
            raise ValueError(f'{tier!r}: expected a tier name such as "pr"')
        if not isinstance(spec, dict):
            raise ValueError(f"{tier}: expected a table with on, cron and dispatch")
        unknown = sorted(set(spec) - {"on", "cron", "dispatch", "issue-labels"})
        if unknown:
            raise ValueError(
                f"{tier}: unknown key {unknown[0]!r}; expected on, cron, dispatch, issue-labels"
            )
        events = _strings(spec.get("on", []), f"{tier}.on")
        for event in events:
            if event not in EVENTS:
                raise ValueError(f"{tier}.on: {event!r}; expected some of {', '.join(EVENTS)}")
        crons = _strings(spec.get("cron", []), f"{tier}.cron")
        for cron in crons:
            problem = cron_problem(cron)
            if problem:
                raise ValueError(f"{tier}.cron: {cron!r}: {problem}")
        dispatch = spec.get("dispatch", False)
        if not isinstance(dispatch, bool):
            raise ValueError(f"{tier}.dispatch: expected true or false")
        if not (events or crons or dispatch):
            raise ValueError(f"{tier}: names no event, cron or dispatch, so nothing would run it")
        labels = _strings(spec.get("issue-labels", []), f"{tier}.issue-labels")
        if labels and not crons:
            raise ValueError(
                f"{tier}.issue-labels: only a scheduled tier files an issue; add a cron"
            )
        found.append((tier, Trigger(tuple(events), tuple(crons), dispatch, tuple(labels))))
    return tuple(found)


# GitHub's job ids: a letter or _ first, then letters, digits, - and _.
JOB_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def job_id(value: Any) -> str:
    """A job's id in the workflow (`ci-passed`): no expression, no space."""
    if not isinstance(value, str) or not JOB_ID.match(value):
        raise ValueError(
            "expected a job id: a letter or _ first, then letters, digits, - and _ "
            '(such as "ci-passed")'
        )
    return value


def stages(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """{ coverage = ["tests"], pr = ["smoke"] }: a job or a tier waits for jobs or tiers."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of name = ["what it waits for", ...]')
    found = []
    for name, needs in value.items():
        waits = _strings(needs, name)
        if name in waits:
            raise ValueError(f"{name}: cannot wait for itself")
        found.append((name, tuple(waits)))
    return tuple(found)


def job_options(value: Any) -> tuple[tuple[str, JobOptions], ...]:
    """{ job = { env = {...}, steps-before = [...], timeout-minutes = 45, os = [...] } }."""
    if not isinstance(value, dict):
        raise ValueError("expected a table of job = { env, steps-before, steps-after, ... }")
    return tuple((job, _one_job(job, spec)) for job, spec in value.items())


def _one_job(job: str, spec: Any) -> JobOptions:
    keys = {
        "env", "steps-before", "steps-after", "timeout-minutes", "retention-days",
        "os", "pr-os", "fail-fast", "blocking",
    }  # fmt: skip
    if not isinstance(spec, dict):
        raise ValueError(f"{job}: expected a table such as {{ timeout-minutes = 45 }}")
    unknown = sorted(set(spec) - keys)
    if unknown:
        raise ValueError(f"{job}: unknown key {unknown[0]!r}; expected {', '.join(sorted(keys))}")
    env = _env(spec.get("env", {}), f"{job}.env")
    before = tuple(_step(s, f"{job}.steps-before") for s in _list(spec, "steps-before", job))
    after = tuple(_step(s, f"{job}.steps-after") for s in _list(spec, "steps-after", job))
    systems = _runners(spec.get("os", []), f"{job}.os")
    pr_systems = _runners(spec.get("pr-os", []), f"{job}.pr-os")
    if pr_systems and not set(pr_systems) <= set(systems or ("ubuntu-latest",)):
        raise ValueError(f"{job}.pr-os: expected a subset of {job}.os")
    fail_fast = spec.get("fail-fast")
    if fail_fast is not None and not isinstance(fail_fast, bool):
        raise ValueError(f"{job}.fail-fast: expected true or false")
    blocking = spec.get("blocking", True)
    if not isinstance(blocking, bool):
        raise ValueError(f"{job}.blocking: expected true or false")
    return JobOptions(
        env=env,
        steps_before=before,
        steps_after=after,
        timeout_minutes=_minutes(spec.get("timeout-minutes"), f"{job}.timeout-minutes", 360),
        retention_days=_minutes(spec.get("retention-days"), f"{job}.retention-days", 90),
        os=tuple(systems),
        pr_os=tuple(pr_systems),
        fail_fast=fail_fast,
        blocking=blocking,
    )


def _list(spec: dict[str, Any], key: str, job: str) -> list[Any]:
    steps = spec.get(key, [])
    if not isinstance(steps, list):
        raise ValueError(
            f"{job}.{key}: expected a list of steps ({{ uses = ... }} or {{ run = ... }})"
        )
    return steps


def _strings(value: Any, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ValueError(f"{where}: expected a string or a list of strings")
    return items


def _runners(value: Any, where: str) -> list[str]:
    runners = _strings(value, where)
    for runner in runners:
        if not RUNNERS.match(runner):
            raise ValueError(f"{where}: {runner!r}; expected ubuntu-*, windows-* or macos-* labels")
    return runners


def _minutes(value: Any, where: str, most: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ValueError(f"{where}: expected a whole number from 1 to {most}")
    return value


def _expressions_safe(text: str, where: str) -> None:
    for inner in EXPRESSION.findall(text):
        if not ALLOWED_EXPRESSION.match(inner):
            raise ValueError(
                f"{where}: ${{{{{inner}}}}} is not allowed; only ${{{{ secrets.NAME }}}} and "
                "${{ vars.NAME }} may appear, as env values (anything from the event could "
                "inject commands)"
            )


def _env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    try:
        pairs = environment(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    for name, text in pairs:
        _expressions_safe(text, f"{where}.{name}")
    return pairs


def _step(step: Any, where: str) -> dict[str, Any]:
    """One step, checked: pinned if it uses an action, no expression in its command."""
    if not isinstance(step, dict):
        raise ValueError(f"{where}: expected a table {{ uses = ... }} or {{ run = ... }}")
    unknown = sorted(set(step) - set(STEP_KEYS))
    if unknown:
        raise ValueError(
            f"{where}: unknown step key {unknown[0]!r}; expected {', '.join(STEP_KEYS)}"
        )
    if ("uses" in step) == ("run" in step):
        raise ValueError(f"{where}: a step has either uses or run")
    if "uses" in step and not (isinstance(step["uses"], str) and USES.match(step["uses"])):
        raise ValueError(
            f"{where}: uses = {step['uses']!r}; pin the action to a full commit SHA: "
            '"owner/action@<40-hex sha> # v1.2.3"'
        )
    for key in ("name", "run", "shell", "if"):
        if key in step and not isinstance(step[key], str):
            raise ValueError(f"{where}: {key} expected a string")
    if "run" in step and EXPRESSION.search(step["run"]):
        raise ValueError(
            f"{where}: run contains ${{{{ ... }}}}; pass the value through the step's env "
            "and use $NAME in the command"
        )
    checked = dict(step)
    if "env" in step:
        checked["env"] = dict(_env(step["env"], f"{where}.env"))
    if "with" in step:
        if not isinstance(step["with"], dict) or not all(
            isinstance(v, (str, int, bool)) for v in step["with"].values()
        ):
            raise ValueError(f"{where}.with: expected a table of strings, numbers or booleans")
        for key, text in step["with"].items():
            if isinstance(text, str):
                _expressions_safe(text, f"{where}.with.{key}")
    return checked
