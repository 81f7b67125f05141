"""End-to-end: benchmark-compare's memory mode (pytest-memray), both sides alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunNox
from tests.e2e.test_benchmark import scratch_repo, worktrees
from tests.e2e.test_coverage import git

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

BUFFERS = "def crunch(n: int) -> int:\n    data = bytearray(n * 1000)\n    return len(data)\n"
TWICE = (
    "def crunch(n: int) -> int:\n"
    "    data = bytearray(n * 1000)\n"
    "    copy = bytes(data)\n"
    "    return len(copy)\n"
)
BENCHMARK = (
    "from bench_app import crunch\n\n\n"
    "def test_crunch_2000(benchmark) -> None:  # type: ignore[no-untyped-def]\n"
    "    assert benchmark(crunch, 2000) == 2_000_000\n"
)


@pytest.fixture
def measured(projects_dir: Path) -> Path:
    """bench_app in memory mode, its function holding a 2 MB buffer, on a feature branch."""
    repo = scratch_repo(projects_dir, "memory")
    (repo / "src" / "bench_app" / "__init__.py").write_text(BUFFERS)
    (repo / "benchmarks" / "test_bench.py").write_text(BENCHMARK)
    (repo / "tests" / "test_crunch.py").write_text(
        "from bench_app import crunch\n\n\ndef test_crunch() -> None:\n"
        "    assert crunch(1) == 1000\n"
    )
    # The buffers on main (the baseline), the feature branch then up to date with it.
    git(repo, "checkout", "-q", "main")
    git(repo, "commit", "-q", "-am", "buffers")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    return repo


def peaks(repo: Path) -> dict[str, Any]:
    [bench] = json.loads((repo / "reports" / "benchmark-compare.json").read_text())["benchmarks"]
    assert isinstance(bench, dict)
    return bench


def test_unchanged_code_passes_with_equal_peaks(measured: Path, run_nox: RunNox) -> None:
    result = run_nox(measured, "-s", "benchmark-compare")
    assert result.returncode == 0, result
    bench = peaks(measured)
    assert bench["verdict"] == "unchanged"
    assert 2_000_000 <= bench["baseline"] < 2_100_000
    assert bench["baseline"] == bench["candidate"]
    assert worktrees(measured) == 1


def test_a_function_that_allocates_twice_as_much_fails(measured: Path, run_nox: RunNox) -> None:
    (measured / "src" / "bench_app" / "__init__.py").write_text(TWICE)
    git(measured, "commit", "-q", "-am", "twice")
    result = run_nox(measured, "-s", "benchmark-compare")
    assert result.returncode != 0, result
    assert (
        "more memory than the baseline: benchmarks/test_bench.py::test_crunch_2000 (2.00x)"
        in result.output
    )
    bench = peaks(measured)
    assert bench["verdict"] == "regression" and 1.9 < bench["ratio"] < 2.1
    assert "B |" in (measured / "reports" / "benchmark-compare.md").read_text()
