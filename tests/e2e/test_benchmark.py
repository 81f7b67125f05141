"""End-to-end, both modes: benchmark-compare in a scratch git repository."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ci_sessions.families.benchmark import stored as benchfile
from tests.e2e.conftest import FIXTURES, RunNox, new_copy
from tests.e2e.test_coverage import git

# benchmark-compare runs on the newest Python, whichever Python runs nox.
# On 3.11: the second longest e2e module (about 4 minutes), beside tests-3.13 in CI.
pytestmark = [pytest.mark.e2e, pytest.mark.one_python("3.11")]

SLOWER = (
    "def crunch(n: int) -> int:\n"
    "    total = sum(i * i for i in range(n))\n"
    "    return sum(i * i for i in range(n)) if total >= 0 else total\n"
)


def scratch_repo(projects_dir: Path, mode: str, fixture: str = "bench_app") -> Path:
    """A benchmark fixture in the given mode, committed on main, on a feature branch."""
    project = new_copy(projects_dir, FIXTURES / fixture)
    pyproject = project / "pyproject.toml"
    table = "[tool.ci_sessions.benchmark]\n"
    toml = pyproject.read_text().replace(table, f'{table}mode = "{mode}"\n')
    if mode == "instructions":  # pytest-benchmark's calibration options mean nothing there
        toml = "\n".join(line for line in toml.splitlines() if "--benchmark-" not in line)
    pyproject.write_text(toml + "\n")
    (project / ".gitignore").write_text("reports/\n.nox/\nbuild/\n*.egg-info/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    git(project, "checkout", "-q", "-b", "feature")
    return project


@pytest.fixture(params=["walltime", "instructions"])
def repo(projects_dir: Path, request: pytest.FixtureRequest) -> Path:
    return scratch_repo(projects_dir, request.param)


@pytest.fixture
def counted(projects_dir: Path) -> Path:
    return scratch_repo(projects_dir, "instructions")


@pytest.fixture
def timed(projects_dir: Path) -> Path:
    return scratch_repo(projects_dir, "walltime")


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
    assert report["meta"]["mode"] in {"walltime", "instructions"}
    assert worktrees(repo) == 1


def test_an_advisory_stage_warns_on_a_slower_commit_and_passes_an_unchanged_one(
    counted: Path, run_nox: RunNox
) -> None:
    """The policy "performance is informational only" (the failing case is the test above)."""
    pyproject = counted / "pyproject.toml"
    table = "[tool.ci_sessions.benchmark]\n"
    pyproject.write_text(pyproject.read_text().replace(table, f"{table}advisory = true\n"))
    git(counted, "commit", "-q", "-am", "advisory")
    unchanged = run_nox(counted, "-s", "benchmark-compare", env={"GITHUB_ACTIONS": "true"})
    assert unchanged.returncode == 0, unchanged
    assert (
        "## benchmark-compare: passed\n" in unchanged.output and "::warning" not in unchanged.output
    )
    (counted / "src" / "bench_app" / "__init__.py").write_text(SLOWER)
    git(counted, "commit", "-q", "-am", "slower")
    slower = run_nox(counted, "-s", "benchmark-compare", env={"GITHUB_ACTIONS": "true"})
    assert slower.returncode == 0, slower
    assert "## benchmark-compare: passed with warnings (advisory: slower)" in slower.output
    message = "slower than the baseline (advisory, not failing): benchmarks/test_bench.py::"
    assert f"::warning title=ci-sessions::benchmark-compare: {message}" in slower.output
    assert f"benchmark-compare: warning: {message}" in slower.output


@pytest.mark.parametrize("mode", ["walltime", "instructions"])
def test_a_2x_slower_commit_fails_in_a_flat_layout_too(
    projects_dir: Path, run_nox: RunNox, mode: str
) -> None:
    """The package beside a root conftest.py: each side must still import its own install."""
    repo = scratch_repo(projects_dir, mode, "flat_app")
    (repo / "flat_app" / "__init__.py").write_text(SLOWER)
    git(repo, "commit", "-q", "-am", "slower")
    result = run_nox(repo, "-s", "benchmark-compare")
    assert result.returncode != 0, result
    report = json.loads((repo / "reports" / "benchmark-compare.json").read_text())
    assert report["benchmarks"][0]["verdict"] == "regression"
    assert 1.6 < report["benchmarks"][0]["ratio"] < 2.6


def test_a_benchmark_failing_on_the_baseline_fails_with_its_error(
    timed: Path, run_nox: RunNox
) -> None:
    repo = timed
    git(repo, "checkout", "-q", "main")
    (repo / "src" / "bench_app" / "__init__.py").write_text(
        "def crunch(n: int) -> int:\n    raise RuntimeError('broken on main')\n"
    )
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    fixed = repo / "src" / "bench_app" / "__init__.py"
    fixed.write_text("def crunch(n: int) -> int:\n    return sum(i * i for i in range(n))\n")
    result = run_nox(repo, "-s", "benchmark-compare")
    assert result.returncode != 0, result
    assert "on the baseline (" in result.output
    assert "benchmarks/test_bench.py::test_crunch_2000: RuntimeError: broken on main" in (
        result.output
    )
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


def report_of(project: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        (project / "reports" / "benchmark-compare.json").read_text()
    )
    return report


def test_instruction_counts_repeat_exactly(counted: Path, run_nox: RunNox) -> None:
    perf_maps = set(Path("/tmp").glob("perf-*.map"))  # pytest-codspeed's perf trampoline
    figures = []
    for _ in range(2):
        result = run_nox(counted, "-s", "benchmark-compare")
        assert result.returncode == 0, result
        [bench] = report_of(counted)["benchmarks"]
        assert bench["verdict"] == "unchanged"
        assert bench["baseline"] > 100_000  # crunch(2000): a real count, not a dump's header
        figures.append((bench["baseline"], bench["candidate"]))
    # Fixed seed, allocator, address layout, environment, and sides built alike:
    # equal counts on both sides of a run. Between runs the type-attribute cache
    # may shift them together by a few hundred (324 measured): within the floor.
    for baseline, candidate in figures:
        assert baseline == candidate
    assert abs(figures[0][0] - figures[1][0]) < 500
    assert set(Path("/tmp").glob("perf-*.map")) - perf_maps == set()  # none left behind


def test_a_stored_baseline_file_catches_a_slower_tree(counted: Path, run_nox: RunNox) -> None:
    assert run_nox(counted, "-s", "benchmark-compare").returncode == 0
    kept = counted.parent / "kept-baseline.json"
    kept.write_text((counted / "reports" / "benchmark-results.json").read_text())
    (counted / "src" / "bench_app" / "__init__.py").write_text(SLOWER)
    result = run_nox(counted, "-s", "benchmark-compare", "--", "--baseline-file", str(kept))
    assert result.returncode != 0, result
    assert "slower than the baseline: benchmarks/test_bench.py::test_crunch_2000 (" in result.output
    assert report_of(counted)["meta"]["baseline"] == f"the file {kept}"
    assert worktrees(counted) == 1  # no git baseline was built


def test_a_stored_baseline_of_another_mode_is_refused(counted: Path, run_nox: RunNox) -> None:
    kept = counted.parent / "walltime.json"
    kept.write_text(json.dumps(benchfile.to_document("walltime", "3.13.0", [{"a::t": 1.0}], {})))
    result = run_nox(counted, "-s", "benchmark-compare", "--", f"--baseline-file={kept}")
    assert result.returncode != 0, result
    assert f"{kept} holds walltime figures, but mode is instructions" in result.output


def test_wall_time_against_a_stored_baseline_is_warned(timed: Path, run_nox: RunNox) -> None:
    repo = timed
    assert run_nox(repo, "-s", "benchmark-compare").returncode == 0
    kept = repo.parent / "kept.json"
    kept.write_text((repo / "reports" / "benchmark-results.json").read_text())
    result = run_nox(repo, "-s", "benchmark-compare", "--", "--baseline-file", str(kept))
    assert result.returncode == 0, result
    assert "wall time against a stored baseline" in result.output
    assert report_of(repo)["benchmarks"][0]["verdict"] != "regression"


def test_a_missing_valgrind_is_a_clear_error(counted: Path, run_nox: RunNox) -> None:
    # PATH with git and the interpreters, but not the folder valgrind lives in.
    tools = counted.parent / "bin"
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git") or "git")
    kept = [d for d in os.environ["PATH"].split(os.pathsep) if not (Path(d) / "valgrind").exists()]
    path = os.pathsep.join([str(tools), *kept])
    result = run_nox(counted, "-s", "benchmark-compare", env={"PATH": path})
    assert result.returncode != 0, result
    assert 'mode = "instructions" needs valgrind, which is not on PATH' in result.output
    assert "apt-get install valgrind" in result.output
