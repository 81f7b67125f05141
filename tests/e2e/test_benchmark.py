"""End-to-end, walltime mode: benchmark-compare in a scratch git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, new_copy
from tests.e2e.test_coverage import git

pytestmark = pytest.mark.e2e

SLOWER = (
    "def crunch(n: int) -> int:\n"
    "    total = sum(i * i for i in range(n))\n"
    "    return sum(i * i for i in range(n)) if total >= 0 else total\n"
)


@pytest.fixture
def repo(projects_dir: Path) -> Path:
    project = new_copy(projects_dir, FIXTURES / "bench_app")
    (project / ".gitignore").write_text("reports/\n.nox/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    git(project, "checkout", "-q", "-b", "feature")
    return project


def worktrees(project: Path) -> int:
    return len(git(project, "worktree", "list").splitlines())


def test_an_unchanged_tree_passes(repo: Path, run_nox: RunNox) -> None:
    result = run_nox(repo, "-s", "benchmark-compare")
    assert result.returncode == 0, result
    report = json.loads((repo / "reports" / "benchmark-compare.json").read_text())
    [bench] = report["benchmarks"]
    assert bench["name"] == "benchmarks/test_bench.py::test_crunch_2000"
    assert bench["verdict"] != "regression"
    assert worktrees(repo) == 1


def test_a_2x_slower_commit_fails_and_is_named(repo: Path, run_nox: RunNox) -> None:
    (repo / "src" / "bench_app" / "__init__.py").write_text(SLOWER)
    git(repo, "commit", "-q", "-am", "slower")
    result = run_nox(repo, "-s", "benchmark-compare")
    assert result.returncode != 0, result
    assert "slower than the baseline: benchmarks/test_bench.py::test_crunch_2000 (" in result.output
    report = json.loads((repo / "reports" / "benchmark-compare.json").read_text())
    assert report["benchmarks"][0]["verdict"] == "regression"
    assert 1.6 < report["benchmarks"][0]["ratio"] < 2.6
    assert worktrees(repo) == 1


def test_a_new_benchmark_is_listed_not_failed(repo: Path, run_nox: RunNox) -> None:
    (repo / "src" / "bench_app" / "extra.py").write_text(
        "def triple(x: int) -> int:\n    return 3 * x\n"
    )
    (repo / "benchmarks" / "test_new.py").write_text(
        "from bench_app.extra import triple\n\n\n"
        "def test_triple(benchmark):\n    assert benchmark(triple, 2000) == 6000\n"
    )
    result = run_nox(repo, "-s", "benchmark-compare")  # uncommitted changes are the candidate
    assert result.returncode == 0, result
    report = json.loads((repo / "reports" / "benchmark-compare.json").read_text())
    assert report["new"] == ["benchmarks/test_new.py::test_triple"]
    assert "+ uncommitted changes" in report["meta"]["candidate"]


def test_a_missing_baseline_ref_fails_clearly(repo: Path, run_nox: RunNox) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('baseline = "main"', 'baseline = "v9"'))
    result = run_nox(repo, "-s", "benchmark-compare")
    assert result.returncode != 0, result
    assert "benchmark-compare: the baseline v9 is not a git ref here" in result.output
    assert worktrees(repo) == 1
