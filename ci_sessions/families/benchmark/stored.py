"""The stored baseline: a pytest-benchmark-shaped JSON that benchmark-compare writes and reads.

Every run writes one (reports/benchmark-results.json) for CI to keep as an
artifact; a later run given it with ``--baseline-file`` compares against it
instead of building the baseline revision. Besides pytest-benchmark's
"benchmarks" list (so that its tools can read the file), it keeps what a
comparison needs: the mode, the exact Python, and every round's figures
(the control benchmark's included, for wall time). Pure functions; no nox.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ci_sessions.families.benchmark.stats import Round

FORMAT = "ci-sessions/benchmark-baseline/1"
OPTION = "--baseline-file"


@dataclass(frozen=True)
class Stored:
    mode: str
    python: str
    rounds: tuple[Round, ...]


def to_document(
    mode: str, python: str, rounds: Sequence[Round], meta: Mapping[str, str]
) -> dict[str, Any]:
    names = sorted({name for round_ in rounds for name in round_})
    benchmarks = []
    for name in names:
        data = [round_[name] for round_ in rounds if name in round_]
        benchmarks.append(
            {
                "name": name.rpartition("::")[2],
                "fullname": name,
                "stats": {"median": statistics.median(data), "rounds": len(data), "data": data},
            }
        )
    return {
        "machine_info": {"python_version": python, "node": meta.get("machine", "")},
        "commit_info": {"id": meta.get("candidate", "")},
        "benchmarks": benchmarks,
        "ci_sessions": {
            "format": FORMAT,
            "mode": mode,
            "python": python,
            "rounds": [dict(round_) for round_ in rounds],
        },
    }


def from_document(document: Any, source: str) -> Stored:
    """The stored baseline, or ValueError saying what is wrong with `source`."""
    section = document.get("ci_sessions") if isinstance(document, dict) else None
    if not isinstance(section, dict) or section.get("format") != FORMAT:
        raise ValueError(
            f"{source} was not written by benchmark-compare (no {FORMAT!r} section); "
            "keep the reports/benchmark-results.json of a benchmark-compare run instead"
        )
    rounds = section.get("rounds")
    malformed = not isinstance(rounds, list) or not rounds or not all(map(_is_round, rounds))
    if malformed or not isinstance(section.get("mode"), str):
        raise ValueError(
            f"{source}: the rounds or the mode are missing or malformed (every figure must "
            "be a finite number above 0, every round hold one)"
        )
    # `malformed` checked that rounds is a list of rounds; mypy cannot follow it.
    checked = cast(list[Round], rounds)
    return Stored(str(section["mode"]), str(section.get("python", "")), tuple(checked))


def _is_round(value: Any) -> bool:
    """{benchmark: figure}: figures are finite times or counts above zero (NaN,
    infinity or zero would turn every ratio into nonsense)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(
            isinstance(k, str)
            and isinstance(v, (int, float))
            and not isinstance(v, bool)
            and math.isfinite(v)
            and v > 0
            for k, v in value.items()
        )
    )


def take_option(args: Sequence[str], option: str = OPTION) -> tuple[str | None, list[str]]:
    """(value of `--option X` / `--option=X`, the other args); ValueError without a value."""
    rest: list[str] = []
    value = None
    items = iter(args)
    for arg in items:
        if arg == option:
            value = next(items, None)
            if value is None:
                raise ValueError(f"{option} needs a file path")
        elif arg.startswith(option + "="):
            value = arg[len(option) + 1 :]
        else:
            rest.append(arg)
    return value, rest
