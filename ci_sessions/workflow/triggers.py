"""When each tier runs: the workflow's `on:` block and the `if:` clause of each job.

A tier is run by *occasions*: an event (`push`, `pull_request`, `merge_group`), one
of its schedules (`schedule:<cron>`; several crons in one workflow are told apart
by `github.event.schedule`), or a manual dispatch that picks the tier
(`dispatch:<tier>`). Everything here is pure: it turns the configured triggers
into YAML and conditions, and evaluates those conditions again for the tests
that check the workflow runs exactly what nox lists for a tier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import setting

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


def condition(occasions: Sequence[str], every: Sequence[str]) -> str | None:
    """The `if:` clause that limits a job or a step to these occasions (None: all of them)."""
    if set(occasions) >= set(every):
        return None
    if not occasions:
        return "false"
    return "(" + " || ".join(_clause(o) for o in occasions) + ")"


_CHOICE = re.compile(r"\((.*?)\) && fromJSON\('(\[.*?\])'\)")
_FALLBACK = re.compile(r".*fromJSON\('(\[[^']*\])'\) \}\}$")


def expand(value: object, occasion: str) -> list[object]:
    """A matrix axis as it runs on an occasion: a list, or an expression this package
    writes (`${{ (cond) && fromJSON('[...]') || fromJSON('[...]') }}`), evaluated."""
    if not isinstance(value, str):
        return list(value) if isinstance(value, list) else [value]
    for condition, choice in _CHOICE.findall(value):
        if evaluate(f"({condition})", occasion):
            return list(json.loads(choice))
    fallback = _FALLBACK.match(value)
    if fallback is None:
        raise ValueError(f"cannot read matrix axis {value!r}")
    return list(json.loads(fallback.group(1)))


# The names a condition this package writes may compare.
_NAMES = {
    "github.event_name": "event",
    "github.event.schedule": "schedule",
    "inputs.tier": "tier",
    "needs.changes.outputs.code": "code",
}
_TOKEN = re.compile(r"\s*(&&|\|\||==|!=|!|\(|\)|'[^']*'|[A-Za-z_][\w.\-]*(\(\))?)")


def evaluate(text: str | None, occasion: str, *, failed: bool = False) -> bool:
    """Whether a job whose `if:` is `text` runs on this occasion, when code changed (and
    an earlier job failed, with `failed`). Only what this package writes is understood:
    anything else is an error rather than a guess."""
    if text is None:
        return True
    event, _, rest = occasion.partition(":")
    github_event = {"schedule": "schedule", "dispatch": "workflow_dispatch"}.get(event, event)
    values = {
        "event": github_event,
        "schedule": rest if event == "schedule" else "",
        "tier": rest if event == "dispatch" else "",
        "code": "true",
        "true": True,
        "false": False,
        "always()": True,
        "cancelled()": False,
        "failure()": failed,
        "success()": not failed,
    }
    tokens = _tokens(text)
    result, position = _either(tokens, 0, values, text)
    if position != len(tokens):
        raise ValueError(f"cannot read condition {text!r}")
    return bool(result)


def _tokens(text: str) -> list[str]:
    found, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read condition {text!r} at {position}")
        found.append(match.group(1))
        position = match.end()
    return found


Parsed = tuple[object, int]


Level = Callable[[list[str], int, Mapping[str, object], str], Parsed]


def _chain(operator: str, inner: Level, *, both: bool) -> Level:
    """One precedence level: `inner (operator inner)*`, joined by and (both) or or."""

    def parse(tokens: list[str], at: int, values: Mapping[str, object], text: str) -> Parsed:
        left, at = inner(tokens, at, values, text)
        while at < len(tokens) and tokens[at] == operator:
            right, at = inner(tokens, at + 1, values, text)
            left = (bool(left) and bool(right)) if both else (bool(left) or bool(right))
        return left, at

    return parse


def _compared(tokens: list[str], at: int, values: Mapping[str, object], text: str) -> Parsed:
    left, at = _single(tokens, at, values, text)
    if at < len(tokens) and tokens[at] in ("==", "!="):
        operator = tokens[at]
        right, at = _single(tokens, at + 1, values, text)
        left = (left == right) if operator == "==" else (left != right)
    return left, at


def _single(tokens: list[str], at: int, values: Mapping[str, object], text: str) -> Parsed:
    if at >= len(tokens):
        raise ValueError(f"condition {text!r} ends too early")
    token = tokens[at]
    if token == "!":
        value, at = _single(tokens, at + 1, values, text)
        return not value, at
    if token == "(":
        value, at = _either(tokens, at + 1, values, text)
        if at >= len(tokens) or tokens[at] != ")":
            raise ValueError(f"condition {text!r}: a parenthesis is not closed")
        return value, at + 1
    if token.startswith("'"):
        return token[1:-1], at + 1
    if token in _NAMES:
        return values[_NAMES[token]], at + 1
    if token in values:
        return values[token], at + 1
    raise ValueError(f"unknown term {token!r} in condition {text!r}")


_both = _chain("&&", _compared, both=True)
_either = _chain("||", _both, both=False)
