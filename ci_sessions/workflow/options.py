"""The workflow's own keys: stages, the required check, and what each job adds.

Each returns the normalised value or raises ValueError saying what it expects (the
loader adds the file and the key). They refuse, rather than pass on, anything that
would make the generated workflow unsafe: an action not pinned to a commit, or an
expression that is not a plain `${{ secrets.NAME }}` / `${{ vars.NAME }}` or one of the
contexts nobody outside the repository sets (a `${{ github.event... }}` in a step is a
template injection zizmor would flag).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import setting
from ci_sessions.config.values import environment
from ci_sessions.workflow.triggers import strings

NAME = re.compile(r"^[a-z][a-z0-9-]*$")
# The runner of every job without an OS axis.
DEFAULT_OS = "ubuntu-latest"
RUNNERS = re.compile(r"^(ubuntu|windows|macos)-[a-z0-9.\-]+$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
# The contexts a step added to a job may read: secrets and variables by name, and what
# the repository's owners set or GitHub assigns; never what a pusher or a pull request's
# author writes (titles, branch names, commit messages: github.event.*, head_ref, ref_name).
SAFE_CONTEXTS = (
    "github.workflow",
    "github.run_id",
    "github.run_number",
    "github.run_attempt",
    "github.sha",
    "github.repository",
    "github.repository_owner",
    "github.server_url",
    "github.event_name",
    "github.job",
    "job.status",
    "runner.os",
)
ALLOWED_EXPRESSION = re.compile(
    r"^\s*(?:(?:secrets|vars)\.[A-Za-z_][A-Za-z0-9_]*|"
    + "|".join(re.escape(name) for name in SAFE_CONTEXTS)
    + r")\s*$"
)
ENVIRONMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,254}$")
USES = re.compile(r"^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-/]+@[0-9a-f]{40}( # \S.*)?$")
STEP_KEYS = ("name", "uses", "with", "run", "shell", "env", "if")


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
        try:
            waits = strings(needs)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if name in waits:
            raise ValueError(f"{name}: cannot wait for itself")
        found.append((name, tuple(waits)))
    return tuple(found)


def job_env(value: Any) -> tuple[tuple[str, str], ...]:
    """A job's or a step's env: secrets and variables by name only."""
    pairs = environment(value)
    for name, text in pairs:
        _expressions_safe(text, name)
    return pairs


def steps(value: Any) -> tuple[dict[str, Any], ...]:
    """Steps added to a job: each pinned if it uses an action, no expression in a command."""
    if not isinstance(value, list):
        raise ValueError("expected a list of steps ({ uses = ... } or { run = ... })")
    return tuple(_step(step, f"step {index}") for index, step in enumerate(value, 1))


def runners(value: Any) -> tuple[str, ...]:
    found = strings(value)
    for runner in found:
        if not RUNNERS.match(runner):
            raise ValueError(f"{runner!r}; expected ubuntu-*, windows-* or macos-* labels")
    return found


def minutes(most: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
            raise ValueError(f"expected a whole number from 1 to {most}")
        return value

    return check


def environment_name(value: Any) -> str:
    """A GitHub deployment environment's name (its secrets and protection rules)."""
    if not isinstance(value, str) or not ENVIRONMENT.match(value) or EXPRESSION.search(value):
        raise ValueError('expected an environment\'s name, such as "production"')
    return value


@dataclass(frozen=True)
class JobOptions:
    """`[tool.ci_sessions.workflow.jobs.<job>]`: what the project adds to one generated job."""

    env: tuple[tuple[str, str], ...] = setting(
        job_env,
        (),
        "variables of the job: `${{ secrets.NAME }}`, `${{ vars.NAME }}` and the run's own "
        "contexts (above)",
    )
    steps_before: tuple[dict[str, Any], ...] = setting(
        steps, (), "steps before the nox step (actions pinned to a commit)"
    )
    steps_after: tuple[dict[str, Any], ...] = setting(
        steps, (), "steps after it (notifications; the same rules)"
    )
    timeout_minutes: int | None = setting(minutes(360), None, "the job's time limit")
    retention_days: int | None = setting(minutes(90), None, "how long its artifacts are kept")
    os: tuple[str, ...] = setting(
        runners, (), "an OS axis: runner labels (`ubuntu-latest`, `windows-latest`, ...)"
    )
    pr_os: tuple[str, ...] = setting(
        runners, (), "a narrower OS list for pull requests (a subset of `os`)"
    )
    fail_fast: bool | None = setting(values.boolean, None, "the matrix's fail-fast")
    environment: str | None = setting(
        environment_name,
        None,
        "the deployment environment the job runs in (its secrets, its protection rules)",
    )
    on_failure: str = setting(
        values.choices(("fail", "warn")),
        "fail",
        "`warn`: a failure of the job lets the stages after it run (its nox step continues on "
        "error); the pipeline report and the failure issue list it as passed with warnings",
    )
    # False: left out of the required check (an informational stage).
    blocking: bool = setting(
        values.boolean,
        True,
        "`false`: left out of the required check (an informational stage)",
    )

    def __post_init__(self) -> None:
        if self.pr_os and not set(self.pr_os) <= set(self.os or (DEFAULT_OS,)):
            raise ValueError("pr-os: expected a subset of os")

    @property
    def os_axis(self) -> bool:
        """Whether the job runs on several systems (or on another than the default)."""
        return bool(self.os or self.pr_os)

    def runners(self, *, pull_request: bool) -> tuple[str, ...]:
        """The runner labels the job's matrix has on this event."""
        if pull_request and self.pr_os:
            return self.pr_os
        return self.os or (DEFAULT_OS,)


def _expressions_safe(text: str, where: str) -> None:
    for inner in EXPRESSION.findall(text):
        if not ALLOWED_EXPRESSION.match(inner):
            raise ValueError(
                f"{where}: ${{{{{inner}}}}} is not allowed; only ${{{{ secrets.NAME }}}}, "
                f"${{{{ vars.NAME }}}} and {', '.join(SAFE_CONTEXTS)} may appear, one per "
                "${{ }} (what an event carries could inject commands)"
            )


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
        try:
            checked["env"] = dict(job_env(step["env"]))
        except ValueError as exc:
            raise ValueError(f"{where}: env: {exc}") from None
    if "with" in step:
        if not isinstance(step["with"], dict) or not all(
            isinstance(v, (str, int, bool)) for v in step["with"].values()
        ):
            raise ValueError(f"{where}.with: expected a table of strings, numbers or booleans")
        for key, text in step["with"].items():
            if isinstance(text, str):
                _expressions_safe(text, f"{where}.with.{key}")
    return checked
