"""benchmark-compare's memory mode: pytest-memray's metadata read, peaks compared."""

from __future__ import annotations

import json
from pathlib import Path

from ci_sessions.families.benchmark import memory
from ci_sessions.families.benchmark.stats import BYTES, compare_count_maps, format_figure


def test_peaks_are_read_from_pytest_memrays_metadata(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    documents = {
        "a": {"test_id": "benchmarks/test_b.py::test_x", "peak_memory": 2_000_583},
        "b": {"test_id": "benchmarks/test_b.py::test_y[1]", "peak_memory": 0},
        "c": {"test_id": "benchmarks/test_b.py::test_z", "peak_memory": "big"},
        "d": ["not", "a", "document"],
    }
    for name, document in documents.items():
        (metadata / f"{name}.metadata").write_text(json.dumps(document))
    (metadata / "ignored.bin").write_text("")
    assert memory.peaks(tmp_path) == {
        "benchmarks/test_b.py::test_x": 2_000_583.0,
        "benchmarks/test_b.py::test_y[1]": 0.0,
    }
    assert memory.peaks(tmp_path / "none") == {}


def test_growth_beyond_the_threshold_and_the_floor_is_a_regression() -> None:
    base = {"x": 1_000_000.0, "small": 1_000.0, "same": 5_000.0}
    outcome = compare_count_maps(
        base,
        {"x": 2_000_000.0, "small": 1_800.0, "same": 5_000.0, "new": 1.0},
        threshold=0.10,
        noise=1024,
        unit=BYTES,
    )
    verdicts = {c.name: c.verdict for c in outcome.comparisons}
    # "small" grew 80%, but by 800 bytes: under the floor, the interpreter's, not the code's.
    assert verdicts == {"x": "regression", "small": "unchanged", "same": "unchanged"}
    assert outcome.new == ("new",) and outcome.unit == BYTES
    assert format_figure(2_000_583, BYTES) == "2,000,583 B"
