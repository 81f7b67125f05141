"""The tests family's sessions (tests-<python>, collect, durations) as nox runs them, over
a real nox.Session and a fake runner: what they install, run and decide, in milliseconds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nox.sessions
import pytest

from tests.unit.fake_nox import (
    PASSED,
    FakeCommands,
    Quit,
    commands,
    make_session,
    project,
    pytest_writes,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest

Skip = nox.sessions._SessionSkip  # what session.skip raises


def facts(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The venv's python running affected_facts.py: the interpreter and the packages, then
    each measured line's contexts (none: the data here is no real coverage data)."""
    if argv[1].endswith("affected_facts.py") and argv[2] == "facts":
        Path(argv[4]).write_text(json.dumps({"python": "3.13.0", "packages": "demo==1"}))
    if argv[1].endswith("affected_facts.py") and argv[2] == "contexts":
        Path(argv[4]).write_text("{}")
    return 0, ""


def test_a_tests_run_installs_runs_pytest_and_records_its_data(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    commands.on("pytest", pytest_writes(0, PASSED))
    registered(config, "tests")(make_session(tmp_path / "s"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert "pytest-timeout>=2.3,<3" in installed
    [pytest_argv] = [argv for argv in commands.ran if argv[0] == "pytest"]
    assert pytest_argv[1] == "tests" and "--cov" in pytest_argv
    data = config.root / "reports" / "coverage-data" / ".coverage.py3.13"
    assert data.is_file() and Path(f"{data}.run.json").is_file()
    record = json.loads((config.root / "reports" / "pipeline.d" / "tests-3.13.json").read_text())
    assert record["status"] == "pass" and record["figures"] == {"passed": 1}


def test_a_shard_runs_its_part_with_pytest_split(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, "shards = 3\n")
    commands.on("pytest", pytest_writes(0, PASSED))
    session = make_session(tmp_path / "s", posargs=["--shard", "2/3"])
    registered(config, "tests")(session)
    assert any("pytest-split>=0.10,<0.12" in argv for argv in commands.ran)
    [pytest_argv] = [argv for argv in commands.ran if argv[0] == "pytest"]
    assert "--splits=3" in pytest_argv and "--group=2" in pytest_argv
    assert (config.root / "reports" / "coverage-data" / ".coverage.py3.13.shard2").is_file()


@pytest.mark.parametrize(
    ("posargs", "message"),
    [
        (["--shard", "4/3"], r"--shard"),
        (["--affected", "--shard", "1/2"], r"--affected and --shard cannot be combined"),
    ],
)
def test_a_bad_shard_or_a_sharded_selection_is_refused(
    tmp_path: Path, commands: FakeCommands, posargs: list[str], message: str
) -> None:
    config = project(tmp_path, "shards = 2\n")
    commands.on("python", facts)
    with pytest.raises(Quit, match=message):
        registered(config, "tests")(make_session(tmp_path / "s", posargs=posargs))


def test_a_narrowed_tier_skips_the_pythons_it_does_not_run(
    tmp_path: Path, commands: FakeCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path, '[tool.ci_sessions.narrow.pr]\npython = ["3.13"]\n')
    monkeypatch.setenv("CI_SESSIONS_TIER", "pr")
    session = make_session(tmp_path / "s")
    session._runner.func.python = "3.12"
    with pytest.raises(Skip, match=r"tier pr runs the tests on Python 3.13 only"):
        registered(config, "tests")(session)


def test_xdist_takes_the_cores_unless_nox_runs_sessions_in_parallel(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path, "xdist = true\n")
    commands.on("pytest", pytest_writes(0, PASSED))
    registered(config, "tests")(make_session(tmp_path / "s"))
    [pytest_argv] = [argv for argv in commands.ran if argv[0] == "pytest"]
    assert pytest_argv[pytest_argv.index("-n") + 1] == "auto"
    assert any("pytest-xdist>=3.6,<4" in argv for argv in commands.ran)


def test_an_affected_run_without_a_map_runs_the_whole_suite_and_makes_one(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "demo"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e.invalid", *args],
            cwd=config.root,
            check=True,
        )
    commands.on("python", facts)
    commands.on("pytest", pytest_writes(0, PASSED))
    session = make_session(tmp_path / "s", posargs=["--affected"])
    registered(config, "tests")(session)
    [pytest_argv] = [argv for argv in commands.ran if argv[0] == "pytest"]
    assert "--affected" not in pytest_argv
    assert "--cov-context=test" in pytest_argv  # this run measures per test, for the map
    written = json.loads((config.root / "reports/affected-map/py3.13/map.json").read_text())
    assert written["tests"] == ["tests/test_a.py::test_ok"]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (0, None),
        (1, None),  # failed tests still have durations worth keeping
        (2, r"durations: pytest exit 2"),
    ],
)
def test_durations_keeps_failed_tests_and_fails_when_the_suite_cannot_run(
    tmp_path: Path, commands: FakeCommands, status: int, message: str | None
) -> None:
    config = project(tmp_path)
    commands.on("pytest", lambda argv, env: (status, ""))
    durations = registered(config, "durations")
    if message is None:
        durations(make_session(tmp_path / "s", name="durations"))
    else:
        with pytest.raises(Quit, match=message):
            durations(make_session(tmp_path / "s", name="durations"))
    [pytest_argv] = [argv for argv in commands.ran if argv[0] == "pytest"]
    assert "--store-durations" in pytest_argv


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (0, None),
        (5, r"pytest collected no tests; check .*test-paths"),
        (2, r"collecting the tests failed \(pytest exit 2: interrupted"),
    ],
)
def test_collect_fails_on_an_import_error_or_nothing_collected(
    tmp_path: Path, commands: FakeCommands, status: int, message: str | None
) -> None:
    config = project(tmp_path)
    commands.on("pytest", lambda argv, env: (status, ""))
    collect = registered(config, "collect")
    if message is None:
        collect(make_session(tmp_path / "s", name="collect"))
    else:
        with pytest.raises(Quit, match=message):
            collect(make_session(tmp_path / "s", name="collect"))
    assert any("--collect-only" in argv for argv in commands.ran)


def test_install_only_installs_and_stops_with_selection_on(
    tmp_path: Path, commands: FakeCommands
) -> None:
    """#30: `--install-only` with selection on crashed on a fresh venv (facts.json missing)
    and failed on a warm one ("pytest ended before writing its report")."""
    config = project(tmp_path, "[tool.ci_sessions.narrow.pr]\naffected = true\n")
    commands.on("pytest", pytest_writes(0, PASSED))
    session = make_session(tmp_path / "s", posargs=["--affected"], install_only=True)
    registered(config, "tests")(session)
    assert any("install" in argv for argv in commands.ran)
    assert not any(argv[0] in ("pytest", "python") for argv in commands.ran)
    assert not (config.root / "reports" / "pipeline.d" / "tests-3.13.json").exists()


def test_a_load_tests_pytest_never_calls_is_a_visible_warning(
    tmp_path: Path, commands: FakeCommands
) -> None:
    """#29: a unittest project adds 162 doctests through load_tests(); pytest ran 695 of
    its 858 tests and said nothing."""
    config = project(tmp_path)
    (config.root / "tests" / "test_docs.py").write_text(
        "import doctest\n\n\ndef load_tests(loader, tests, ignore):\n"
        "    tests.addTests(doctest.DocTestSuite('demo'))\n    return tests\n"
    )
    commands.on("pytest", pytest_writes(0, PASSED))
    registered(config, "tests")(make_session(tmp_path / "s"))
    record = json.loads((config.root / "reports" / "pipeline.d" / "tests-3.13.json").read_text())
    assert record["status"] == "warn"
    assert (
        "tests/test_docs.py define load_tests(), which pytest never calls" in record["warnings"][0]
    )
