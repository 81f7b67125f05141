"""End-to-end: the coverage gate over the sample project's 3.11-3.13 matrix.

The sample has code that runs on one Python only (`sys.version_info >= (3, 13)`)
and a module its tests cover in part, so the combined figure differs from each
single Python's and the per-module gate has something to catch.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, add_config, new_copy, nox_runner

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

PYTHONS = ("3.11", "3.12", "3.13")


@pytest.fixture(scope="module")
def measured(projects_dir: Path, shared_envdir: Path) -> Iterator[Path]:
    """The sample after `nox -s tests-3.11 tests-3.12 tests-3.13`, measured once."""
    project = new_copy(projects_dir, FIXTURES / "sample")
    result = nox_runner(shared_envdir)(project, "-s", *(f"tests-{py}" for py in PYTHONS))
    assert result.returncode == 0, result
    yield project


@pytest.fixture
def project(measured: Path, projects_dir: Path) -> Path:
    """A fresh copy of the measured sample; coverage data paths are relative."""
    return new_copy(projects_dir, measured)


def total(project: Path) -> float:
    report = json.loads((project / "reports" / "coverage.json").read_text())
    return float(report["totals"]["percent_covered"])


def data_files(project: Path) -> list[str]:
    """The data files (not their run records) in the project's coverage-data folder."""
    folder = project / "reports" / "coverage-data"
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".run.json"))


def test_combined_beats_every_single_python_and_keeps_its_inputs(
    project: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    before = data_files(project)
    first = run_nox(project, "-s", "coverage")
    assert first.returncode == 0, first
    combined = total(project)
    assert "## Coverage: passed" in first.output
    # Inputs survive combining, and a second run gives the same figure.
    assert data_files(project) == before
    assert run_nox(project, "-s", "coverage").returncode == 0
    assert total(project) == combined

    for python in PYTHONS:
        single = new_copy(projects_dir, project)
        for other in set(PYTHONS) - {python}:
            (single / "reports" / "coverage-data" / f".coverage.py{other}").unlink()
        add_config(single, f'[tool.ci_sessions]\npython = ["{python}"]')
        result = run_nox(single, "-s", "coverage")
        assert result.returncode == 0, result
        assert total(single) < combined, python


def test_fail_under_just_under_passes_and_just_over_fails(
    project: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    assert run_nox(project, "-s", "coverage").returncode == 0
    combined = total(project)
    assert combined < 100  # the sample leaves a branch of report.py unrun

    under = new_copy(projects_dir, project)
    add_config(under, f"[tool.ci_sessions.coverage]\nfail-under = {combined - 0.01:.2f}")
    passing = run_nox(under, "-s", "coverage")
    assert passing.returncode == 0, passing

    add_config(project, f"[tool.ci_sessions.coverage]\nfail-under = {combined + 0.01:.2f}")
    failing = run_nox(project, "-s", "coverage")
    assert failing.returncode != 0, failing
    assert f"total {combined:.2f}% is below fail-under {combined + 0.01:.2f}%" in failing.output


def test_warn_under_fails_warns_or_passes_and_a_warning_is_never_silent(
    project: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    """The policy "fails under X, warns under Y", on the real gate, each outcome."""
    assert run_nox(project, "-s", "coverage").returncode == 0
    combined = total(project)
    outcomes = {}
    for name, fail_under, warn_under in (
        ("fails", combined + 1, combined + 2),
        ("warns", combined - 1, combined + 1),
        ("passes", combined - 2, combined - 1),
    ):
        copy = new_copy(projects_dir, project)
        add_config(
            copy,
            f"[tool.ci_sessions.coverage]\nfail-under = {fail_under:.2f}\n"
            f"warn-under = {warn_under:.2f}",
        )
        outcomes[name] = run_nox(copy, "-s", "coverage", env={"GITHUB_ACTIONS": "true"})
    assert outcomes["fails"].returncode != 0, outcomes["fails"]
    assert "below fail-under" in outcomes["fails"].output
    warns = outcomes["warns"]
    assert warns.returncode == 0, warns
    level = float(f"{combined + 1:.2f}")  # as written in the configuration
    message = f"total {combined:.2f}% is below warn-under {level:g}%"
    assert "## Coverage: passed with warnings" in warns.output
    # GitHub's workflow commands escape % as %25.
    assert f"::warning title=ci-sessions::coverage: {message.replace('%', '%25')}" in warns.output
    assert f"coverage: warning: {message}" in warns.output
    passes = outcomes["passes"]
    assert passes.returncode == 0, passes
    assert "warn-under" not in passes.output and "## Coverage: passed\n" in passes.output


def test_a_subset_run_is_partial_data_the_gate_refuses_by_name(
    project: Path, run_nox: RunNox
) -> None:
    """A -k run after the full one overwrites its data, but never silently."""
    subset = run_nox(project, "-s", "tests-3.12", "--", "-k", "area")
    assert subset.returncode == 0, subset
    assert "tests-3.12: a subset of the suite (-k area): its coverage data is marked partial" in (
        subset.output
    )
    refused = run_nox(project, "-s", "coverage")
    assert refused.returncode != 0, refused
    assert (
        ".coverage.py3.12 is partial: tests-3.12 ran a subset of the suite (-k area); "
        "run tests-3.12 on the whole suite for the gate" in refused.output
    )
    assert run_nox(project, "-s", "tests-3.12").returncode == 0
    accepted = run_nox(project, "-s", "coverage")
    assert accepted.returncode == 0, accepted


def test_the_ratchet_against_mains_figures_fails_warns_or_passes(
    project: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    """The policy "coverage maintained or increased", with main's stored figures."""
    assert run_nox(project, "-s", "coverage").returncode == 0
    figures = json.loads((project / "reports" / "coverage-figures.json").read_text())
    assert figures["total"] == round(total(project), 2) and figures["files"]
    higher = {"total": figures["total"] + 2, "files": dict(figures["files"])}
    outcomes = {}
    for name, drop, base in (
        ("fails", "fail", higher),
        ("warns", "warn", higher),
        ("passes", "fail", figures),
    ):
        copy = new_copy(projects_dir, project)
        stored = copy / "reports" / "coverage-baseline"
        stored.mkdir(parents=True)
        (stored / "coverage-figures.json").write_text(json.dumps(base))
        add_config(copy, f'[tool.ci_sessions.coverage]\nmax-drop = 1\ndrop = "{drop}"')
        outcomes[name] = run_nox(copy, "-s", "coverage")
    dropped = f"total dropped 2.00 points against main ({figures['total'] + 2:.2f}%"
    assert outcomes["fails"].returncode != 0, outcomes["fails"]
    assert dropped in outcomes["fails"].output
    assert outcomes["warns"].returncode == 0, outcomes["warns"]
    assert f"coverage: warning: {dropped}" in outcomes["warns"].output
    assert outcomes["passes"].returncode == 0, outcomes["passes"]
    assert (
        "(+0.00 points)" in outcomes["passes"].output and "dropped" not in outcomes["passes"].output
    )


def test_a_narrowed_tier_runs_fewer_tests_and_its_figure_is_partial(
    project: Path, run_nox: RunNox
) -> None:
    """PR-fast: the pr tier runs 3.13 only, without slow tests; the full gate refuses that."""
    add_config(project, '[tool.ci_sessions.narrow.pr]\npython = ["3.13"]\nskip-slow = true')
    (project / "tests" / "test_slow.py").write_text(
        "import pytest\n\n\n@pytest.mark.slow\ndef test_slow():\n    assert True\n"
    )
    tier = {"CI_SESSIONS_TIER": "pr"}
    fast = run_nox(project, "-s", "tests-3.12", "tests-3.13", "coverage", env=tier)
    assert fast.returncode == 0, fast
    assert "tier pr runs the tests on Python 3.13 only" in fast.output
    label = "tier pr: -m (not slow); Python 3.13"
    assert f"Partial figure: {label}, not the whole suite." in fast.output
    assert "1 deselected" in fast.output  # the slow test
    full = run_nox(project, "-s", "coverage")
    assert full.returncode != 0, full
    assert f".coverage.py3.13 is partial: tests-3.13 ran a subset of the suite ({label})" in (
        full.output
    )


def test_a_missing_python_fails_and_reports_are_still_written(
    project: Path, run_nox: RunNox
) -> None:
    (project / "reports" / "coverage-data" / ".coverage.py3.12").unlink()
    summary = project / "summary.md"
    result = run_nox(project, "-s", "coverage", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode != 0, result
    assert "no usable coverage data from Python 3.12" in result.output
    for report in ("coverage.xml", "coverage.json", "coverage-html/index.html"):
        assert (project / "reports" / report).is_file(), report
    assert "## Coverage: FAILED" in summary.read_text()
    assert "no usable coverage data from Python 3.12" in summary.read_text()


def test_partial_data_can_be_accepted_explicitly(project: Path, run_nox: RunNox) -> None:
    (project / "reports" / "coverage-data" / ".coverage.py3.12").unlink()
    add_config(project, "[tool.ci_sessions.coverage]\nrequire-all-pythons = false")
    result = run_nox(project, "-s", "coverage")
    assert result.returncode == 0, result


def test_no_data_at_all_fails(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0, result
    assert "no coverage data in" in result.output
    assert "run the tests sessions first" in result.output


def test_a_module_below_its_minimum_fails_while_the_total_passes(
    project: Path, run_nox: RunNox
) -> None:
    add_config(
        project,
        "[tool.ci_sessions.coverage]\nfail-under = 50\n"
        '[tool.ci_sessions.coverage.modules]\n"src/sample/report.py" = 100\n'
        '"src/sample/shapes.py" = 100',
    )
    result = run_nox(project, "-s", "coverage")
    assert result.returncode != 0, result
    assert "src/sample/report.py: " in result.output
    assert "is below 100% (modules entry 'src/sample/report.py')" in result.output
    assert "src/sample/shapes.py: " not in result.output
    assert "below fail-under" not in result.output


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=ci-sessions tests", "-c", "user.email=tests@example.invalid"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def scratch_repo(sample: Path) -> Path:
    """The sample as a git repository: main, then a feature branch."""
    add_config(
        sample,
        '[tool.ci_sessions]\npython = ["3.12"]\n'
        '[tool.ci_sessions.coverage]\npatch-fail-under = 100\ncompare-branch = "main"',
    )
    (sample / ".gitignore").write_text("reports/\n.nox/\n")
    git(sample, "init", "-q", "-b", "main")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "base")
    git(sample, "checkout", "-q", "-b", "feature")
    shapes = sample / "src" / "sample" / "shapes.py"
    shapes.write_text(
        shapes.read_text() + "\n\ndef perimeter(width: float, height: float) -> float:\n"
        "    return 2 * (width + height)\n"
    )
    return sample


def test_patch_coverage_fails_on_an_untested_change_and_passes_with_a_test(
    scratch_repo: Path, run_nox: RunNox
) -> None:
    git(scratch_repo, "commit", "-q", "-am", "add perimeter, untested")
    untested = run_nox(scratch_repo, "-s", "tests-3.12", "coverage")
    assert untested.returncode != 0, untested
    assert (
        "patch coverage 50.00% against main is below patch-fail-under 100%"
        " (1 of 2 changed lines not run)"
    ) in untested.output
    assert "below fail-under" not in untested.output

    (scratch_repo / "tests" / "test_perimeter.py").write_text(
        "from sample.shapes import perimeter\n\n\n"
        "def test_perimeter() -> None:\n    assert perimeter(1, 2) == 6\n"
    )
    git(scratch_repo, "add", "-A")
    git(scratch_repo, "commit", "-q", "--amend", "-m", "add perimeter, tested")
    tested = run_nox(scratch_repo, "-s", "tests-3.12", "coverage")
    assert tested.returncode == 0, tested
    assert "Patch coverage against `main`: 100.00%" in tested.output


def test_a_missing_compare_branch_is_an_error_not_a_miss(
    scratch_repo: Path, run_nox: RunNox
) -> None:
    add_config(scratch_repo, "")  # keep the file as is; the branch name is what changes
    pyproject = scratch_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"main"', '"release"'))
    result = run_nox(scratch_repo, "-s", "tests-3.12", "coverage")
    assert result.returncode != 0, result
    assert "patch coverage: compare-branch release is not a git ref here" in result.output
    assert "below patch-fail-under" not in result.output


def test_the_matrix_runs_in_parallel_and_the_gate_combines_it(
    sample: Path, run_nox: RunNox
) -> None:
    result = run_nox(sample, "-j", "3", "-s", *(f"tests-{py}" for py in PYTHONS), "coverage")
    assert result.returncode == 0, result
    assert data_files(sample) == [f".coverage.py{py}" for py in PYTHONS]
    for python in PYTHONS:
        assert (sample / "reports" / f"junit-tests-{python}.xml").is_file()
    assert "## Coverage: passed" in result.output
    assert "combined from Python 3.11, 3.12, 3.13" in result.output


def junit_ids(path: Path) -> set[str]:
    """The test cases a JUnit XML file lists, as classname::name."""
    return {
        f"{case.get('classname')}::{case.get('name')}"
        for case in ET.parse(path).getroot().iter("testcase")
    }


def test_shards_split_the_suite_and_the_gate_wants_every_shard(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(sample, '[tool.ci_sessions]\npython = ["3.12"]\nshards = 2')
    durations = run_nox(sample, "-s", "durations")
    assert durations.returncode == 0, durations
    recorded = json.loads((sample / ".test_durations").read_text())
    assert "tests/test_shapes.py::test_area" in recorded

    ran: list[set[str]] = []
    for shard in ("1/2", "2/2"):
        result = run_nox(sample, "-s", "tests-3.12", "--", "--shard", shard)
        assert result.returncode == 0, result
        junit = sample / "reports" / f"junit-tests-3.12-shard{shard[0]}.xml"
        ran.append(junit_ids(junit))
    assert ran[0] and ran[1] and not ran[0] & ran[1]
    assert len(ran[0] | ran[1]) == 4
    assert data_files(sample) == [".coverage.py3.12.shard1", ".coverage.py3.12.shard2"]
    assert run_nox(sample, "-s", "coverage").returncode == 0

    (sample / "reports" / "coverage-data" / ".coverage.py3.12.shard2").unlink()
    partial = run_nox(sample, "-s", "coverage")
    assert partial.returncode != 0, partial
    assert "no coverage data from Python 3.12 shard 2/2" in partial.output

    wrong = run_nox(sample, "-s", "tests-3.12", "--", "--shard", "3/2")
    assert wrong.returncode != 0
    assert "--shard 3/2: K must be from 1 to N" in wrong.output


def test_xdist_runs_workers_alone_and_not_under_nox_j(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\npython = ["3.12", "3.13"]\nxdist = true')
    alone = run_nox(sample, "-s", "tests-3.12")
    assert alone.returncode == 0, alone
    assert "-n auto" in alone.output and "created: " in alone.output  # xdist's workers
    parallel = run_nox(sample, "-j", "2", "-s", "tests-3.12", "tests-3.13", "coverage")
    assert parallel.returncode == 0, parallel
    assert "-n 0" in parallel.output and "-n auto" not in parallel.output
    assert "combined from Python 3.12, 3.13" in parallel.output


OS_AXIS = """
[tool.ci_sessions.workflow.jobs.tests]
os = ["ubuntu-latest", "windows-latest", "macos-latest"]
"""


def as_runner_wrote_it(path: str, system: str) -> str:
    """A measured path as a Windows or macOS runner's tests job would have written it."""
    tail = path.split("site-packages/", 1)[1] if "site-packages/" in path else None
    if system == "windows":
        if tail is not None:
            return "D:\\a\\sample\\sample\\.nox\\tests-3-13\\Lib\\site-packages\\" + tail.replace(
                "/", "\\"
            )
        return path.replace("/", "\\")
    if tail is not None:
        return (
            f"/Users/runner/work/sample/sample/.nox/tests-3-13/lib/python3.13/site-packages/{tail}"
        )
    return path


def from_another_system(data_file: Path, system: str, extra: tuple[str, int] | None) -> None:
    """A copy of this machine's data file as `system`'s job writes it (its paths, its name,
    its record), plus one line only that system ran (`extra`: a file and a line)."""
    import dataclasses

    from coverage import CoverageData

    from ci_sessions import coverage_data

    source = CoverageData(basename=str(data_file))
    source.read()
    target_file = data_file.with_name(data_file.name.replace(".linux", f".{system}"))
    target = CoverageData(basename=str(target_file))
    arcs = {}
    for measured in source.measured_files():
        found = list(source.arcs(measured) or [])
        if extra and measured.endswith(extra[0]):
            found += [(-1, extra[1]), (extra[1], -1)]
        arcs[as_runner_wrote_it(measured, system)] = found
    target.add_arcs(arcs)
    target.write()
    record = coverage_data.read_record(data_file)
    assert record is not None and record.system == "linux"
    coverage_data.write_record(target_file, dataclasses.replace(record, system=system))


def test_coverage_across_systems_counts_each_and_names_a_missing_one(
    project: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    """The data of three systems (the other two's made from this one's, their paths
    rewritten as those runners write them): one total over all, every cell required."""
    add_config(project, '[tool.ci_sessions]\npython = ["3.13"]' + OS_AXIS)
    folder = project / "reports" / "coverage-data"
    for name in (".coverage.py3.11", ".coverage.py3.12"):
        (folder / name).unlink()
        (folder / f"{name}.run.json").unlink()
    linux = folder / ".coverage.py3.13.linux"
    (folder / ".coverage.py3.13").rename(linux)
    (folder / ".coverage.py3.13.run.json").rename(folder / ".coverage.py3.13.linux.run.json")

    alone = run_nox(project, "-s", "coverage", env={"CI": "true"})
    assert alone.returncode != 0, alone
    assert "no usable coverage data from Python 3.13 on macos" in alone.output
    assert "no usable coverage data from Python 3.13 on windows" in alone.output
    report = json.loads((project / "reports" / "coverage.json").read_text())
    linux_total = float(report["totals"]["percent_covered"])
    # A line no test runs here: the one the Windows job alone will have run.
    file, info = next((f, i) for f, i in report["files"].items() if i["missing_lines"])
    line = info["missing_lines"][0]

    from_another_system(linux, "windows", (file, line))
    from_another_system(linux, "macos", None)
    every = run_nox(project, "-s", "coverage", env={"CI": "true"})
    assert every.returncode == 0, every
    report = json.loads((project / "reports" / "coverage.json").read_text())
    assert list(report["files"]) == sorted(report["files"])  # one entry per source file
    assert line in report["files"][file]["executed_lines"]
    assert float(report["totals"]["percent_covered"]) > linux_total
    for system in ("linux", "macos", "windows"):
        assert f".coverage.py3.13.{system}" in every.output

    (folder / ".coverage.py3.13.macos").unlink()
    missing = run_nox(project, "-s", "coverage", env={"CI": "true"})
    assert missing.returncode != 0, missing
    assert "no usable coverage data from Python 3.13 on macos" in missing.output
