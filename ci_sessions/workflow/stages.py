"""Stages: which jobs wait for which, from `[tool.ci_sessions.workflow] needs`.

A name in that table is a job or a tier. `pr = ["smoke"]` makes every job of the pr
tier wait for every job of the smoke tier; `coverage = ["tests"]` one job for
another. Pure: it takes the jobs' tiers and returns, per job, what it waits for,
or says which name is unknown or which jobs wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class StageError(ValueError):
    """A name that is neither a job nor a tier, or a circle of waits."""


def expand(name: str, jobs_by_tier: Mapping[str, Sequence[str]], jobs: Sequence[str]) -> list[str]:
    """The jobs a name stands for: itself if it is a job, else every job of that tier."""
    if name in jobs:
        return [name]
    if name in jobs_by_tier:
        return list(jobs_by_tier[name])
    raise StageError(
        f"{name!r} is neither a job of the workflow ({', '.join(jobs)}) nor a tier with jobs "
        f"({', '.join(jobs_by_tier) or 'none'})"
    )


def waits(
    needs: Sequence[tuple[str, Sequence[str]]],
    jobs_by_tier: Mapping[str, Sequence[str]],
    jobs: Sequence[str],
) -> dict[str, list[str]]:
    """job -> the jobs it waits for. A tier waiting for a tier it shares jobs with
    leaves those shared jobs alone (a job never waits for itself)."""
    found: dict[str, list[str]] = {job: [] for job in jobs}
    for name, earlier in needs:
        first = [job for wait in earlier for job in expand(wait, jobs_by_tier, jobs)]
        for job in expand(name, jobs_by_tier, jobs):
            found[job] += [e for e in first if e != job and e not in found[job]]
    circle = _circle(found)
    if circle:
        raise StageError("these jobs wait for each other: " + " -> ".join(circle))
    return found


def _circle(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """A cycle of the graph as a path that ends where it starts, or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for after in graph.get(node, ()):
            if state.get(after) == 1:
                return [*path[path.index(after) :], after]
            if after not in state:
                found = visit(after)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return []

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
