"""The cells of the test matrix (system x Python x shard) and the data files that fill them.

With an OS axis (`[tool.ci_sessions.workflow.jobs.tests] os`), every system's tests jobs
write `.coverage.py<python>[.shard<k>].<system>`, so that the coverage job, which downloads
them all into one folder, keeps each (the same name from two systems would overwrite one
with the other). The gate then expects a data file for every cell, names each cell whose
data is missing or duplicated, and combines them all: paths are remapped between systems
by coverage.py's `[paths]` (see glue/coverage_rc.py). Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ci_sessions import coverage_data
from ci_sessions.platforms import system_of_runner, this_system


@dataclass(frozen=True, order=True)
class Cell:
    """One job of the tests matrix: a system ("" without an OS axis), a Python, a shard
    (0: the whole suite in one run)."""

    system: str
    python: str
    shard: int = 0

    def describe(self, shards: int = 1) -> str:
        text = f"Python {self.python}"
        if self.shard:
            text += f" shard {self.shard}/{shards}"
        return text + (f" on {self.system}" if self.system else "")


def cell_of(file_name: str, recorded_system: str = "") -> Cell | None:
    """The cell a data file fills: its name, and the system its run record names when the
    name carries none (files written before the OS axis was added). None: not a data file
    of the matrix."""
    parts = coverage_data.name_parts(file_name)
    if parts is None:
        return None
    python, shard, system = parts
    return Cell(system or recorded_system, python, shard)


def expected_systems(
    runners: Sequence[str], present: Iterable[str], *, on_ci: bool
) -> tuple[list[str], list[str]]:
    """(systems the gate requires, runner labels it cannot map to a system).

    ===========  =============================================================
    where        required systems
    ===========  =============================================================
    CI           every system of the OS axis on this event (the runners given)
    locally      this machine's, and any other whose data is here
    ===========  =============================================================
    """
    if not on_ci:
        return sorted({this_system(), *present}), []
    systems = [(label, system_of_runner(label)) for label in runners]
    unknown = [label for label, system in systems if system is None]
    return sorted({system for _, system in systems if system}), unknown


def check(
    files: Mapping[str, Cell], systems: Sequence[str], pythons: Sequence[str], shards: int
) -> tuple[list[Cell], list[str]]:
    """(cells with no data file, a message for each cell with more than one).

    A Python run whole (no --shard, as locally) fills all of its shards on that system.
    """
    by_cell: dict[Cell, list[str]] = {}
    for name, cell in files.items():
        by_cell.setdefault(cell, []).append(name)
    duplicated = [
        f"{cell.describe(shards)} has {len(names)} data files ({', '.join(sorted(names))}): "
        "one is left over from another run or uploaded twice; delete the extra one"
        for cell, names in sorted(by_cell.items())
        if len(names) > 1
    ]
    parts = range(1, shards + 1) if shards > 1 else [0]
    missing = [
        Cell(system, python, part)
        for system in systems
        for python in pythons
        if Cell(system, python) not in by_cell
        for part in parts
        if Cell(system, python, part) not in by_cell
    ]
    return missing, duplicated
