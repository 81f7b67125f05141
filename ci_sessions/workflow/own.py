"""The project's own nox sessions, tagged with a tier, become jobs like the built-in ones.

`nox --json -l` lists every session of the noxfile with its tags, exactly as
`nox -t <tier>` would select them. Those that ci-sessions does not define and
that carry the tag of a triggered tier get one job each (a matrix over its
parametrised sessions, `docs-3.11`, `docs-3.12`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_sessions import REGISTERED_ENV
from ci_sessions.workflow.kit import CiJob, CiKit


class ListingError(RuntimeError):
    """nox could not list the noxfile's sessions; says what nox said."""


@dataclass(frozen=True)
class Listing:
    """The noxfile's sessions as nox lists them, and what its register() call chose."""

    entries: tuple[dict[str, Any], ...]
    only: tuple[str, ...] | None
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class OwnSession:
    name: str  # the function's name: the job's
    sessions: tuple[str, ...]  # what `nox -s` runs: "docs-3.12", or the name itself
    tags: tuple[str, ...]


def list_sessions(root: Path) -> Listing:
    """`nox --json -l` in the project, with the interpreter running ci-sessions; its
    register() says what only= and exclude= chose (ci_sessions.REGISTERED_ENV)."""
    with tempfile.TemporaryDirectory(prefix="ci-sessions-listing-") as folder:
        told = Path(folder) / "registered.json"
        listing = subprocess.run(
            [sys.executable, "-m", "nox", "--json", "-l", "-f", "noxfile.py"],
            cwd=root,
            env={**os.environ, REGISTERED_ENV: str(told)},
            capture_output=True,
            text=True,
            check=False,
        )
        registered = json.loads(told.read_text(encoding="utf-8")) if told.is_file() else None
    if listing.returncode != 0:
        said = (listing.stderr.strip().splitlines() or ["(nothing)"])[-1]
        raise ListingError(f"`nox --json -l` failed in {root} (exit {listing.returncode}): {said}")
    if registered is None:
        raise ListingError(f"{root / 'noxfile.py'} does not call ci_sessions.register()")
    try:
        entries = json.loads(listing.stdout)
    except json.JSONDecodeError:
        raise ListingError(f"`nox --json -l` in {root} printed no JSON list") from None
    only = registered.get("only")
    return Listing(
        tuple(entries),
        None if only is None else tuple(only),
        tuple(registered.get("exclude", ())),
    )


def own_sessions(
    entries: Iterable[Mapping[str, Any]], builtin: Iterable[str]
) -> tuple[OwnSession, ...]:
    """The noxfile's sessions that ci-sessions does not define, grouped by function."""
    skip = set(builtin)
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for entry in entries:
        name = str(entry["name"])
        if name in skip:
            continue
        sessions, tags = grouped.setdefault(name, ([], []))
        sessions.append(str(entry["session"]))
        tags += [str(tag) for tag in entry.get("tags", []) if str(tag) not in tags]
    return tuple(
        OwnSession(name, tuple(sessions), tuple(tags)) for name, (sessions, tags) in grouped.items()
    )


def own_jobs(own: Sequence[OwnSession], tiers: Iterable[str], kit: CiKit) -> list[CiJob]:
    """A job for each own session tagged with one of these (triggered) tiers."""
    triggered = set(tiers)
    jobs = []
    for session in own:
        placed = tuple(tag for tag in session.tags if tag in triggered)
        if not placed:
            continue
        if len(session.sessions) == 1:
            body = kit.job(session.sessions[0], python=kit.every_python)
        else:
            body = kit.job("${{ matrix.session }}", python=kit.every_python)
            body["strategy"] = {"fail-fast": False, "matrix": {"session": list(session.sessions)}}
        jobs.append(CiJob(session.name, session.name, body, tiers=placed, records=False))
    return jobs
