"""When each tier runs: the workflow's `on:` block and the `if:` clause of each job.

A tier is run by *occasions*: an event (`push`, `pull_request`, `merge_group`), one
of its schedules (`schedule:<cron>`; several crons in one workflow are told apart
by `github.event.schedule`), or a manual dispatch that picks the tier
(`dispatch:<tier>`). Everything here is pure: it turns the configured triggers
into YAML and conditions, and evaluates those conditions again for the tests
that check the workflow runs exactly what nox lists for a tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import setting
from ci_sessions.workflow import expressions

# The events a tier may name (schedules and dispatch have their own keys).
EVENTS = ("push", "pull_request", "merge_group")
CRON_FIELD = r"[0-9*/,\-A-Za-z]+"
CRON = re.compile(rf"^{CRON_FIELD}( {CRON_FIELD}){{4}}$")
# GitHub's schedule fields (POSIX cron): name, lowest, highest, names for the values.
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of the month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of the week", 0, 6, _DAYS),
)


def cron_problem(line: str) -> str | None:
    """What is wrong with a schedule line as GitHub reads it, or None."""
    fields = line.split()
    if len(fields) != 5 or not CRON.match(line):
        return "is not a cron line of five fields"
    for text, (name, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.split(","):
            base, slash, step = part.partition("/")
            if slash and not (step.isdigit() and int(step) > 0):
                return f"{name} {part!r}: the step after / must be a whole number above 0"
            if base == "*":
                continue
            ends = base.split("-")
            numbers = [n for end in ends if (n := _cron_value(end, low, names)) is not None]
            if (
                len(ends) > 2
                or len(numbers) < len(ends)
                or not all(low <= n <= high for n in numbers)
            ):
                allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
                return f"{name} {part!r} is out of range (expected {allowed})"
            if numbers != sorted(numbers):
                return f"{name} {part!r}: a range must go upwards"
    return None


def _cron_value(text: str, low: int, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    if text.upper() in names:
        return names.index(text.upper()) + low
    return None


def strings(value: Any) -> tuple[str, ...]:
    """A string, or a list of strings (none empty)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ValueError("expected a string or a list of strings")
    return tuple(items)


def event_names(value: Any) -> tuple[str, ...]:
    found = strings(value)
    for event in found:
        if event not in EVENTS:
            raise ValueError(f"{event!r}; expected some of {', '.join(EVENTS)}")
    return found


def branch_names(value: Any) -> tuple[str, ...]:
    """Branch names, or a prefix ending in `*` (`release/*`): what an `if:` can test."""
    found = strings(value)
    for branch in found:
        if any(char in branch.rstrip("*") for char in "*?[]!+") or "'" in branch:
            raise ValueError(
                f"{branch!r}: expected a branch name, or a prefix ending in * (release/*)"
            )
    return found


def cron_lines(value: Any) -> tuple[str, ...]:
    found = strings(value)
    for cron in found:
        problem = cron_problem(cron)
        if problem:
            raise ValueError(f"{cron!r}: {problem}")
    return found


@dataclass(frozen=True)
class Trigger:
    """`[tool.ci_sessions.workflow.triggers.<tier>]`: what runs one tier (events, schedules,
    a manual run that picks it)."""

    events: tuple[str, ...] = setting(
        event_names, (), f"the events that run it: some of {', '.join(EVENTS)}", key="on"
    )
    cron: tuple[str, ...] = setting(
        cron_lines, (), 'schedules (`"0 2 * * *"`, UTC), GitHub\'s cron'
    )
    dispatch: bool = setting(values.boolean, False, "a manual run (workflow_dispatch) may pick it")
    branches: tuple[str, ...] = setting(
        branch_names,
        (),
        "its events run it only for these branches: pushed to (push), merged into "
        "(pull_request, merge_group); names, or a prefix ending in `*`",
    )
    paths: tuple[str, ...] = setting(
        strings,
        (),
        "its events run it only when a changed file matches one of these globs "
        "(GitHub's syntax: `alembic/versions/**`)",
    )
    # A scheduled run of the tier that fails opens (or comments on) an issue with these labels.
    issue_labels: tuple[str, ...] = setting(
        strings,
        (),
        "a failed scheduled run opens, or comments on, one issue with these labels",
    )

    def __post_init__(self) -> None:
        if not (self.events or self.cron or self.dispatch):
            raise ValueError("names no event, cron or dispatch, so nothing would run it")
        if self.issue_labels and not self.cron:
            raise ValueError("issue-labels: only a scheduled tier files an issue; add a cron")
        if (self.branches or self.paths) and not self.events:
            raise ValueError("branches and paths filter its events (on); it names none")

    @property
    def filtered(self) -> bool:
        """Whether its events run it for some branches or changes only."""
        return bool(self.branches or self.paths)

    def occasions(self, tier: str) -> tuple[str, ...]:
        return (
            *self.events,
            *(f"schedule:{cron}" for cron in self.cron),
            *((f"dispatch:{tier}",) if self.dispatch else ()),
        )


# What a project gets without a `triggers` table: the pr tier on pushes to its
# branches, pull requests and merge queues; the nightly tier at 03:17 UTC and by hand.
DEFAULT_TRIGGERS: tuple[tuple[str, Trigger], ...] = (
    ("pr", Trigger(events=EVENTS)),
    ("nightly", Trigger(cron=("17 3 * * *",), dispatch=True)),
)


def occasions_of(tiers: Iterable[str], triggers: Mapping[str, Trigger]) -> tuple[str, ...]:
    """Every occasion that runs any of these tiers, without repeats, in trigger order."""
    wanted = set(tiers)
    found: list[str] = []
    for tier, trigger in triggers.items():
        if tier in wanted:
            found += [o for o in trigger.occasions(tier) if o not in found]
    return tuple(found)


def all_occasions(triggers: Mapping[str, Trigger]) -> tuple[str, ...]:
    return occasions_of(triggers, triggers)


def untriggered(
    tiers: Sequence[str], triggers: Mapping[str, Trigger], local: Sequence[str]
) -> list[str]:
    """Tiers with members but no trigger (and not local-only): their jobs would be dropped."""
    return [tier for tier in tiers if tier not in triggers and tier not in local]


def on_block(
    triggers: Mapping[str, Trigger], branches: Sequence[str], paths_ignore: Sequence[str]
) -> dict[str, Any]:
    """The workflow's `on:`: the union of every tier's events, schedules and dispatch."""
    occasions = all_occasions(triggers)
    ignored = {"paths-ignore": list(paths_ignore)} if paths_ignore else {}
    on: dict[str, Any] = {}
    if "push" in occasions:
        on["push"] = {"branches": list(branches), **ignored}
    if "pull_request" in occasions:
        on["pull_request"] = {"branches": list(branches), **ignored}
    if "merge_group" in occasions:
        on["merge_group"] = {}
    crons = [o.removeprefix("schedule:") for o in occasions if o.startswith("schedule:")]
    if crons:
        on["schedule"] = [{"cron": cron} for cron in crons]
    dispatched = [o.removeprefix("dispatch:") for o in occasions if o.startswith("dispatch:")]
    if dispatched:
        tier_input = {
            "description": "the tier to run",
            "type": "choice",
            "options": dispatched,
            "default": dispatched[0],
        }
        on["workflow_dispatch"] = {"inputs": {"tier": tier_input}}
    return on


def _clause(occasion: str) -> str:
    if occasion.startswith("schedule:"):
        return f"github.event.schedule == '{occasion.removeprefix('schedule:')}'"
    if occasion.startswith("dispatch:"):
        tier = occasion.removeprefix("dispatch:")
        return f"(github.event_name == 'workflow_dispatch' && inputs.tier == '{tier}')"
    return f"github.event_name == '{occasion}'"


# What a tier's branches are compared with, per event: the branch pushed, the branch a
# pull request or a merge queue's group merges into.
BRANCH_OF = {
    "push": ("github.ref_name", ""),
    "pull_request": ("github.base_ref", ""),
    "merge_group": ("github.event.merge_group.base_ref", "refs/heads/"),
}


def paths_output(tier: str) -> str:
    """The changes job's output that says whether a tier's paths changed."""
    return f"paths-{tier}"


def _branch_test(event: str, branch: str) -> str:
    subject, prefix = BRANCH_OF[event]
    if branch.endswith("*"):
        return f"startsWith({subject}, '{prefix}{branch.rstrip('*')}')"
    return f"{subject} == '{prefix}{branch}'"


def tier_condition(tier: str, trigger: Trigger) -> str:
    """The `if:` clause of the occasions that run a tier, its events limited to its
    branches and to changes under its paths (the changes job tells)."""
    parts = []
    for event in trigger.events:
        clause = f"github.event_name == '{event}'"
        if trigger.branches:
            tests = [_branch_test(event, branch) for branch in trigger.branches]
            clause += " && " + (tests[0] if len(tests) == 1 else f"({' || '.join(tests)})")
        if trigger.paths:
            clause += f" && needs.changes.outputs.{paths_output(tier)} == 'true'"
        parts.append(f"({clause})" if trigger.filtered else clause)
    parts += [_clause(o) for o in trigger.occasions(tier) if o not in trigger.events]
    return "(" + " || ".join(parts) + ")"


def condition(occasions: Sequence[str], every: Sequence[str]) -> str | None:
    """The `if:` clause that limits a job or a step to these occasions (None: all of them)."""
    if set(occasions) >= set(every):
        return None
    if not occasions:
        return "false"
    return "(" + " || ".join(_clause(o) for o in occasions) + ")"


def expand(value: object, occasion: str) -> list[object]:
    """A matrix axis as it runs on an occasion: a list, or an expression this package
    writes (`${{ (cond) && fromJSON('[...]') || fromJSON('[...]') }}`), evaluated."""
    if not isinstance(value, str):
        return list(value) if isinstance(value, list) else [value]
    found = expressions.value(value, occasion_context(occasion, value))
    if not isinstance(found, list):
        raise ValueError(f"matrix axis {value!r} is no list on {occasion}")
    return found


def occasion_context(occasion: str, text: str = "", *, failed: bool = False) -> dict[str, Any]:
    """The expression context of an occasion ("push", "schedule:<cron>", "dispatch:<tier>"),
    code changed, every job `text` names having run (successfully, unless `failed`)."""
    event, _, rest = occasion.partition(":")
    name = {"schedule": "schedule", "dispatch": "workflow_dispatch"}.get(event, event)
    result = "failure" if failed else "success"
    jobs = set(re.findall(r"needs\.([A-Za-z_][\w-]*)", text))
    # The most inclusive run of the occasion: on main, every tier's paths changed.
    outputs = {"code": "true", **{o: "true" for o in re.findall(r"outputs\.(paths-[\w-]+)", text)}}
    return {
        "github": {
            "event_name": name,
            "event": {
                "schedule": rest if event == "schedule" else None,
                "merge_group": {"base_ref": "refs/heads/main"},
            },
            "ref": "refs/heads/main",
            "ref_name": "main",
            "base_ref": "main" if name == "pull_request" else "",
            "repository": "owner/repo",
        },
        "inputs": {"tier": rest if event == "dispatch" else None},
        "needs": {job: {"result": result, "outputs": outputs} for job in jobs},
    }


def evaluate(text: str | None, occasion: str, *, failed: bool = False) -> bool:
    """Whether a job whose `if:` is `text` runs on this occasion, when code changed (and
    an earlier job failed, with `failed`)."""
    context = occasion_context(occasion, text or "", failed=failed)
    return expressions.condition(text, context, expressions.Status(failed=failed))
