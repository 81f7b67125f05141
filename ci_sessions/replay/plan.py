"""Which job runs when, as GitHub decides it: the jobs in the order their `needs` allow,
each job's `if:` against the results of the jobs before it, and its matrix expanded.
Pure: the workflow document and the results so far in, decisions out."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci_sessions.workflow.expressions import Status, condition, value

SUCCESS, FAILURE, SKIPPED, CANCELLED = "success", "failure", "skipped", "cancelled"


@dataclass(frozen=True)
class Decision:
    runs: bool
    why: str = ""  # why it is skipped


def order(jobs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The jobs, each after every job it needs (the workflow's order otherwise)."""
    done: list[str] = []
    waiting = list(jobs)
    while waiting:
        ready = [name for name in waiting if set(needs(jobs[name])) <= set(done)]
        if not ready:
            raise ValueError(f"jobs that need each other: {', '.join(waiting)}")
        done.append(ready[0])
        waiting.remove(ready[0])
    return done


def needs(job: Mapping[str, Any]) -> list[str]:
    """The jobs a job needs (`needs:` is a name or a list)."""
    named = job.get("needs", [])
    return [named] if isinstance(named, str) else list(named)


def failed_ancestor(
    name: str, jobs: Mapping[str, Mapping[str, Any]], results: Mapping[str, str]
) -> bool:
    """Whether any job this one depends on, directly or not, failed or was cancelled
    (failure() looks at every ancestor)."""
    stack, seen = list(needs(jobs[name])), set()
    while stack:
        parent = stack.pop()
        if parent in seen:
            continue
        seen.add(parent)
        if results.get(parent) in (FAILURE, CANCELLED):
            return True
        stack += needs(jobs[parent])
    return False


def decide(
    name: str,
    jobs: Mapping[str, Mapping[str, Any]],
    results: Mapping[str, str],
    context: Mapping[str, Any],
) -> Decision:
    """Whether a job runs, given the results of the jobs before it."""
    job = jobs[name]
    needs_of = needs(job)
    status = Status(
        failed=failed_ancestor(name, jobs, results),
        cancelled=False,
        skipped=any(results.get(need) != SUCCESS for need in needs_of),
    )
    if condition(job.get("if"), context, status):
        return Decision(True)
    missed = [f"{need} {results.get(need)}" for need in needs_of if results.get(need) != SUCCESS]
    if missed and "if" not in job:
        return Decision(False, f"a job it needs did not succeed ({', '.join(missed)})")
    return Decision(
        False, f"if: {job.get('if')} is false" + (f" ({', '.join(missed)})" if missed else "")
    )


def matrix(job: Mapping[str, Any], context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every entry of the job's matrix ({} for a job without one): axes multiplied, then
    `exclude` and `include` applied as GitHub applies them."""
    spec = job.get("strategy", {}).get("matrix")
    if not spec:
        return [{}]
    if isinstance(spec, str):
        spec = value(spec, context)
    axes = {
        key: list(value(axis, context))
        for key, axis in spec.items()
        if key not in ("include", "exclude")
    }
    entries: list[dict[str, Any]] = [
        dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())
    ]
    for excluded in spec.get("exclude", []) or []:
        entries = [e for e in entries if any(e.get(k) != v for k, v in excluded.items())]
    for included in spec.get("include", []) or []:
        matched = [
            e for e in entries if all(e.get(k) == v for k, v in included.items() if k in axes)
        ]
        if matched:
            for entry in matched:
                entry.update(included)
        else:
            entries.append(dict(included))
    return entries if entries else [{}]


def label(entry: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={entry[key]}" for key in entry) or "-"


def job_result(entries: Sequence[str]) -> str:
    """A matrix job's result: failed if any entry failed."""
    if not entries:
        return SKIPPED
    if FAILURE in entries or CANCELLED in entries:
        return FAILURE
    return SUCCESS if SUCCESS in entries else SKIPPED
