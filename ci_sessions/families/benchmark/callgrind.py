"""Instruction counts per benchmark, from callgrind dumps written under pytest-codspeed.

pytest-codspeed's simulation mode, run under stock valgrind with CODSPEED_ENV
set, switches callgrind's instrumentation on around each benchmark call and
asks it to dump its counters afterwards; each dump names the benchmark in its
trigger line ("Client Request: /abs/path/test_x.py::test_name"). With the hash
seed, the allocator and the address layout fixed, the counts are equal run to
run, so one process per side decides. Plain text in, plain data out; no nox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

TRIGGER = "desc: Trigger: Client Request: "
METADATA = "Metadata: "  # pytest-codspeed's own first dump, not a benchmark
# What makes the counts repeatable: no hash randomisation, the system malloc
# (not pymalloc's arenas, whose layout depends on history) and, with setarch
# -R, no address randomisation. CODSPEED_ENV turns pytest-codspeed's hooks on.
ENVIRONMENT: Mapping[str, str] = {
    "CODSPEED_ENV": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONMALLOC": "malloc",
}


def environment(current: Mapping[str, str]) -> dict[str, str]:
    """The whole environment of a counted run: what it needs, nothing machine-specific."""
    kept = {key: current[key] for key in ("PATH", "HOME", "TMPDIR") if key in current}
    return {**kept, "LANG": "C.UTF-8", **ENVIRONMENT}


def command(machine: str, out_pattern: str) -> list[str]:
    """The prefix that runs a command under callgrind, counting only inside benchmarks."""
    return [
        "setarch",
        machine,
        "-R",
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_pattern}",
        "-q",
    ]


def dump_count(text: str) -> tuple[str, int] | None:
    """(benchmark URI, instructions) from one callgrind dump; None for other dumps."""
    uri = total = None
    for line in text.splitlines():
        if line.startswith(TRIGGER):
            uri = line[len(TRIGGER) :].strip()
        elif line.startswith("totals:"):
            total = int(line.split()[1])
    if uri is None or total is None or uri.startswith(METADATA):
        return None
    return uri, total


def relative_name(uri: str, root: Path) -> str:
    """/abs/root/benchmarks/test_x.py::test_y -> benchmarks/test_x.py::test_y."""
    path, sep, rest = uri.partition("::")
    if not Path(path).is_relative_to(root):
        return uri  # outside the project: kept as it is
    return f"{Path(path).relative_to(root).as_posix()}{sep}{rest}"


def counts(dumps: Iterable[str], root: Path) -> dict[str, float]:
    """{benchmark node ID relative to root: instructions} from the dumps of one run."""
    found: dict[str, float] = {}
    for text in dumps:
        entry = dump_count(text)
        if entry is not None:
            found[relative_name(entry[0], root)] = float(entry[1])
    return found
