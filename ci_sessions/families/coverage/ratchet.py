"""Coverage never drops unnoticed: this run's figures against the main branch's.

Each coverage run writes its figures (`reports/coverage-figures.json`: the total and
each file's percentage); CI keeps main's (a cache entry saved on pushes to main) and
restores them before a pull request's run, as `reports/coverage-baseline/`. With
`max-drop` set, a total or a file that drops by more than that many points fails
(or warns, `drop = "warn"`). Pure: figures in, verdict lines out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIGURES = "coverage-figures.json"
BASELINE_DIR = "coverage-baseline"


@dataclass(frozen=True)
class Figures:
    total: float
    files: Mapping[str, float]


def figures_of(report: Mapping[str, Any]) -> Figures:
    """The total and every file's percentage, from coverage.py's JSON report."""
    files = {
        name: round(float(data["summary"]["percent_covered"]), 2)
        for name, data in report.get("files", {}).items()
    }
    return Figures(round(float(report["totals"]["percent_covered"]), 2), files)


def write(path: Path, figures: Figures) -> None:
    path.write_text(
        json.dumps({"total": figures.total, "files": dict(figures.files)}, indent=2),
        encoding="utf-8",
    )


def read(path: Path) -> Figures | None:
    """Stored figures; None when there are none. Unreadable ones are an error: a baseline
    that cannot be read must not pass for no baseline."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Figures(float(data["total"]), {str(k): float(v) for k, v in data["files"].items()})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path} is not a coverage figures file ({exc}): delete it") from None


def drops(base: Figures, now: Figures, max_drop: float, branch: str) -> list[str]:
    """Each drop beyond max_drop points against `branch`'s figures: the total, then every
    file measured both times."""
    found = []
    if base.total - now.total > max_drop:
        found.append(
            f"total dropped {base.total - now.total:.2f} points against {branch} "
            f"({base.total:.2f}% -> {now.total:.2f}%), more than max-drop {max_drop:g}"
        )
    for name in sorted(set(base.files) & set(now.files)):
        before, after = base.files[name], now.files[name]
        if before - after > max_drop:
            found.append(
                f"{name} dropped {before - after:.2f} points against {branch} "
                f"({before:.2f}% -> {after:.2f}%)"
            )
    return found


def trend(base: Figures | None, now: Figures, branch: str) -> str:
    """The summary's trend line: base, now, delta."""
    if base is None:
        return f"Trend: no stored figures of {branch} yet; now {now.total:.2f}%."
    delta = now.total - base.total
    return (
        f"Trend against {branch}: {base.total:.2f}% -> {now.total:.2f}% "
        f"({'+' if delta >= 0 else ''}{delta:.2f} points)."
    )
