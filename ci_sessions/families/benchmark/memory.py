"""Peak memory per benchmark, from the metadata pytest-memray writes beside its captures.

With `--memray --memray-bin-path=DIR`, pytest-memray writes for every test a
`DIR/metadata/<name>.metadata` JSON document: the test's node ID and the peak of the
memory its body held (allocations memray saw, fixtures' set-up excluded). Each side runs
its benchmarks once, with `--benchmark-disable` (one call, not pytest-benchmark's loop)
and the system allocator (`PYTHONMALLOC=malloc`: pymalloc's arenas would round the peak to
whole arenas, and which arenas are fresh depends on history). Plain data in, plain data
out; no nox.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

BYTES = "bytes"
OPTIONS = ("--benchmark-disable", "--memray", "--hide-memray-summary")
ENVIRONMENT = {"PYTHONMALLOC": "malloc"}


def peak(document: object) -> tuple[str, float] | None:
    """(node ID, peak bytes) from one metadata document; None for anything else."""
    if not isinstance(document, dict):
        return None
    test, found = document.get("test_id"), document.get("peak_memory")
    if not isinstance(test, str) or isinstance(found, bool) or not isinstance(found, int):
        return None
    return test, float(found)


def peaks(folder: Path) -> dict[str, float]:
    """{node ID: peak bytes} for every test a run captured into `folder`."""
    metadata = folder / "metadata"
    found: Iterable[Path] = sorted(metadata.glob("*.metadata")) if metadata.is_dir() else ()
    entries = (peak(json.loads(path.read_text(encoding="utf-8"))) for path in found)
    return dict(entry for entry in entries if entry is not None)
