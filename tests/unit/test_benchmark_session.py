"""benchmark-compare as nox runs it, over a real nox.Session and a fake runner: the baseline
worktree and the git work are real, the side venvs stand in (their python is this one),
and each side's pytest-benchmark process is scripted: its fastest time per benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ci_sessions.config import Config
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    Script,
    commands,
    make_session,
    project,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest

BENCHMARK = "benchmarks/test_bench.py::test_crunch"
CONTROL = "control/test_ci_sessions_control.py::test_ci_sessions_control"


def venv_stand_in(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`uv venv ... TARGET` (the last argument): a folder whose python is this one, whose
    pytest lists the baseline's benchmark (what `collected_ids` runs directly)."""
    if argv[1] == "venv":
        bin_folder = Path(argv[-1]) / "bin"
        bin_folder.mkdir(parents=True, exist_ok=True)
        (bin_folder / "python").unlink(missing_ok=True)
        (bin_folder / "python").symlink_to(sys.executable)
        (bin_folder / "pytest").write_text(f"#!/bin/sh\necho '{BENCHMARK}'\n")
        (bin_folder / "pytest").chmod(0o755)
        (Path(argv[-1]) / "pyvenv.cfg").write_text("")
    return 0, ""


def sides_measure(baseline: float, candidate: float) -> Script:
    """Each side's pytest-benchmark process: its report of the fastest call per benchmark,
    the control benchmark at the same speed on both sides."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        side = Path(argv[0]).parent.parent.name  # .../sides/a (baseline) or b (candidate)
        seconds = baseline if side == "a" else candidate
        report = next(a for a in argv if a.startswith("--benchmark-json=")).partition("=")[2]
        wanted = [a for a in argv if not a.startswith("-") and "::" in a] or [BENCHMARK]
        names = [BENCHMARK, CONTROL] if any("benchmarks" in a for a in argv) else wanted
        benchmarks = [
            {"fullname": name, "stats": {"min": 1e-3 if name == CONTROL else seconds}}
            for name in names
        ]
        Path(report).write_text(json.dumps({"benchmarks": benchmarks}))
        Path(env["CI_SESSIONS_OUTCOMES"]).write_text(json.dumps({"exitstatus": 0, "tests": []}))
        return 0, ""

    return script


def bench_project(tmp_path: Path, table: str = "") -> Config:
    config = project(tmp_path, "[tool.ci_sessions.benchmark]\nrounds = 6\nreruns = 0\n" + table)
    (config.root / "benchmarks").mkdir()
    (config.root / "benchmarks" / "test_bench.py").write_text("def test_crunch(benchmark): pass\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e.invalid", *args],
            cwd=config.root,
            check=True,
        )
    return config


@pytest.fixture
def sides(commands: FakeCommands) -> FakeCommands:
    commands.on("uv", venv_stand_in)
    return commands


def compare(config: Config, tmp_path: Path, posargs: list[str] | None = None) -> None:
    session = make_session(tmp_path / "s", name="benchmark-compare", posargs=posargs or [])
    registered(config, "benchmark-compare")(session)


def test_unchanged_speed_passes_and_the_worktree_is_gone(
    tmp_path: Path, sides: FakeCommands
) -> None:
    config = bench_project(tmp_path)
    sides.on("pytest", sides_measure(2e-3, 2e-3))
    compare(config, tmp_path)
    result = json.loads((config.root / "reports" / "benchmark-compare.json").read_text())
    assert [c["name"] for c in result["benchmarks"]] == [BENCHMARK]
    listed = subprocess.run(
        ["git", "worktree", "list"], cwd=config.root, capture_output=True, text=True, check=True
    )
    assert len(listed.stdout.splitlines()) == 1  # only the project's own work tree


def test_a_slower_candidate_fails_naming_the_benchmark(tmp_path: Path, sides: FakeCommands) -> None:
    config = bench_project(tmp_path)
    sides.on("pytest", sides_measure(2e-3, 4e-3))
    with pytest.raises(Quit, match=rf"slower than the baseline: {BENCHMARK} \(2.00x\)"):
        compare(config, tmp_path)


def test_advisory_turns_a_regression_into_a_warning(tmp_path: Path, sides: FakeCommands) -> None:
    config = bench_project(tmp_path, "advisory = true\n")
    sides.on("pytest", sides_measure(2e-3, 4e-3))
    compare(config, tmp_path)
    record = json.loads((config.root / "reports/pipeline.d/benchmark-compare.json").read_text())
    assert record["status"] == "warn"


def test_a_baseline_that_is_no_git_ref_is_named(tmp_path: Path, sides: FakeCommands) -> None:
    config = bench_project(tmp_path, 'baseline = "nowhere"\n')
    with pytest.raises(Quit, match=r"the baseline nowhere is not a git ref here"):
        compare(config, tmp_path)


def test_a_configured_branch_is_found_as_origins_in_a_pull_requests_checkout(
    tmp_path: Path, sides: FakeCommands
) -> None:
    """A pull request's checkout has origin/main and no local main (found by the replay)."""
    config = bench_project(tmp_path, 'baseline = "release"\n')
    subprocess.run(
        ["git", "update-ref", "refs/remotes/origin/release", "HEAD"], cwd=config.root, check=True
    )
    sides.on("pytest", sides_measure(2e-3, 2e-3))
    compare(config, tmp_path)  # was: "the baseline release is not a git ref here"
    record = json.loads((config.root / "reports/pipeline.d/benchmark-compare.json").read_text())
    assert record["status"] == "pass"


def test_a_stored_baseline_of_another_mode_is_refused_and_one_of_the_same_is_used(
    tmp_path: Path, sides: FakeCommands
) -> None:
    config = bench_project(tmp_path)
    sides.on("pytest", sides_measure(2e-3, 2e-3))
    compare(config, tmp_path)  # writes reports/benchmark-results.json
    stored = config.root / "reports" / "benchmark-results.json"
    kept = tmp_path / "main-results.json"
    kept.write_text(stored.read_text())
    compare(config, tmp_path, ["--baseline-file", str(kept)])
    document = json.loads(kept.read_text())
    document["ci_sessions"]["mode"] = "memory"
    kept.write_text(json.dumps(document))
    with pytest.raises(Quit, match=r"holds memory figures, but mode is walltime"):
        compare(config, tmp_path, ["--baseline-file", str(kept)])


def test_no_benchmark_at_all_fails(tmp_path: Path, sides: FakeCommands) -> None:
    config = bench_project(tmp_path)

    def nothing(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        report = next(a for a in argv if a.startswith("--benchmark-json=")).partition("=")[2]
        control = [{"fullname": CONTROL, "stats": {"min": 1e-3}}]
        Path(report).write_text(json.dumps({"benchmarks": control}))
        Path(env["CI_SESSIONS_OUTCOMES"]).write_text(json.dumps({"exitstatus": 0, "tests": []}))
        return 0, ""

    sides.on("pytest", nothing)
    with pytest.raises(Quit, match=r"no benchmark ran in benchmarks"):
        compare(config, tmp_path)
