"""The session glue's decisions, on a real nox.Session over a fake runner (milliseconds)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import nox.sessions
import pytest

from ci_sessions.config import Config
from ci_sessions.glue.pytest_run import PytestRun
from ci_sessions.glue.pytest_session import run_pytest
from ci_sessions.glue.session import install, run_all
from ci_sessions.registry import load_config
from tests.unit.fake_nox import (
    FAILED,
    PASSED,
    FakeCommands,
    Quit,
    commands,
    make_session,
    project,
    pytest_writes,
)

__all__ = ["commands"]  # the fixture, imported for pytest


def run(session: nox.Session, config: Config) -> Path:
    data = config.root / "reports" / "coverage-data" / ".coverage.py3.13"
    data.parent.mkdir(parents=True, exist_ok=True)
    request = PytestRun(name="tests-3.13", paths=("tests",), paths_key="test-paths", data_file=data)
    run_pytest(session, config, request)
    return data


def test_a_clean_run_passes_and_records_its_data(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    commands.on("pytest", pytest_writes(0, PASSED))
    data = run(make_session(tmp_path / "s"), config)
    assert json.loads((data.parent / ".coverage.py3.13.run.json").read_text())["session"]
    assert "1 passed." in (config.root / "reports" / "summary-tests-3.13.md").read_text()
    [argv] = commands.ran
    assert "--timeout=900" in argv and "-p" in argv and "pytest_ci_sessions" in argv


def test_exit_0_without_the_plugin_s_report_is_a_run_that_ended_early(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    commands.on("pytest", pytest_writes(0, None, data=False))  # os._exit(0) in a test
    with pytest.raises(Quit, match="pytest ended before writing its report"):
        run(make_session(tmp_path / "s"), config)


@pytest.mark.parametrize(
    ("status", "tests", "data", "message"),
    [
        (1, FAILED, True, r"1 of 1 tests failed \(100.0%\), above no failure budget"),
        (5, [], True, "pytest collected no tests from tests"),
        (0, PASSED, False, "pytest wrote no coverage data"),
        (4, None, False, r"pytest ended \(exit 4: a usage error.*\) before any test started"),
    ],
)
def test_every_way_a_run_fails(
    tmp_path: Path,
    commands: FakeCommands,
    status: int,
    tests: list[Mapping[str, object]] | None,
    data: bool,
    message: str,
) -> None:
    config = project(tmp_path)
    commands.on("pytest", pytest_writes(status, tests, data))
    with pytest.raises(Quit, match=message):
        run(make_session(tmp_path / "s"), config)


def test_a_failed_test_is_named_in_the_summary(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    commands.on("pytest", pytest_writes(1, FAILED))
    with pytest.raises(Quit):
        run(make_session(tmp_path / "s"), config)
    summary = (config.root / "reports" / "summary-tests-3.13.md").read_text()
    assert "| `tests/test_a.py::TestB::test_x` | failed | assert 1 == 2 |" in summary


def test_the_project_s_own_timeout_wins(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, "[tool.pytest.ini_options]\ntimeout = 30\n")
    commands.on("pytest", pytest_writes(0, PASSED))
    run(make_session(tmp_path / "s"), config)
    assert not any(arg.startswith("--timeout") for arg in commands.ran[0])


def test_a_tool_that_checked_nothing_fails_the_gate(tmp_path: Path, commands: FakeCommands) -> None:
    project(tmp_path)
    commands.on(
        "ruff", lambda argv, env: (0, "warning: No Python files found under the given path(s)\n")
    )
    with pytest.raises(Quit, match=r"failed: ruff \(checked no file"):
        run_all(
            make_session(tmp_path / "s", name="lint"),
            [("ruff", ["ruff", "check"])],
            nothing_checked={"ruff": "No Python files found"},
        )


def test_a_reused_venv_installs_again_only_after_a_change(
    tmp_path: Path, commands: FakeCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path)
    (config.root / ".gitignore").write_text("reports/\n")
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=config.root, check=True)

    def install_writes_build(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        # What setuptools does: build output in the project, not git-ignored.
        (config.root / "build").mkdir(exist_ok=True)
        (config.root / "build" / "lib.py").write_text(str(len(commands.ran)))
        return 0, ""

    def write_marker(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        Path(argv[2]).parent.mkdir(parents=True, exist_ok=True)
        Path(argv[2]).write_text(argv[3])
        return 0, ""

    commands.on("uv", install_writes_build)
    commands.on("python", write_marker)
    session = make_session(tmp_path / "s")
    install(session, config, tools=["pytest>=9"])
    install(session, config, tools=["pytest>=9"])  # nothing changed: no installer
    assert commands.programs().count("uv") == 1
    (config.root / "src" / "demo" / "__init__.py").write_text("x = 1\n")
    install(session, config, tools=["pytest>=9"])
    assert commands.programs().count("uv") == 2


def test_test_settings_from_the_configuration_reach_pytest(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(
        tmp_path,
        'test-markers = "not network"\npytest-args = ["-x", "--strict-markers"]\n'
        'test-env = { APP_MODE = "test" }\n',
    )
    seen: dict[str, str] = {}

    def pytest(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        seen.update(env)
        return pytest_writes(0, PASSED)(argv, env)

    commands.on("pytest", pytest)
    session = make_session(tmp_path / "s", posargs=["-m", "fast"])
    data = config.root / "reports" / "coverage-data" / ".coverage.py3.13"
    data.parent.mkdir(parents=True, exist_ok=True)
    run_pytest(
        session,
        config,
        PytestRun(name="tests-3.13", paths=("tests",), paths_key="test-paths", data_file=data),
    )
    [argv] = commands.ran
    assert argv[argv.index("-x") : argv.index("-x") + 2] == ["-x", "--strict-markers"]
    assert argv[argv.index("-m") + 1] == "(not network) and (fast)"
    assert seen["APP_MODE"] == "test"


def test_the_project_s_pin_wins_and_the_configured_pin_replaces_ours(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(
        tmp_path,
        'pins = { coverage = ">=7.6,<8" }\n' '[dependency-groups]\ntest = ["pytest~=7.2"]\n',
    )
    session = make_session(tmp_path / "s")
    tools = ["pytest>=9.0,<10", "coverage>=7.10,<8"]
    install(session, config, groups=config.test_groups, tools=tools, for_tests=True)
    [argv] = [argv for argv in commands.ran if "install" in argv]
    assert "pytest~=7.2" in argv and "pytest" in argv  # the group's pin decides
    assert "pytest>=9.0,<10" not in argv
    assert "coverage>=7.6,<8" in argv


def test_a_uv_lock_constrains_the_install(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    (config.root / "uv.lock").write_text('version = 1\n[[package]]\nname = "pytest"\n')
    config = load_config(config.pyproject, environ={"CI": "true"})
    assert config.lock == "uv.lock" and config.project_pins["pytest"] == "uv.lock"
    install(make_session(tmp_path / "s"), config, tools=["pytest>=9.0,<10"])
    export, installed = commands.ran[0], commands.ran[1]
    assert export[1:3] == ["export", "--locked"]
    assert installed[-2] == "-c" and installed[-1].endswith("uv-lock-constraints.txt")
    assert "pytest" in installed and "pytest>=9.0,<10" not in installed


def test_pytest_gets_the_callers_tmpdir_not_one_inside_the_venv(
    tmp_path: Path, commands: FakeCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nox's create_tmp() points TMPDIR into the venv (sys.prefix); Flask's tests
    # then take their temporary modules for installed ones and fail.
    monkeypatch.delenv("TMPDIR", raising=False)
    seen: list[str | None] = []
    passes = pytest_writes(0, PASSED)

    def pytest_sees(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        seen.append(env.get("TMPDIR"))
        return passes(argv, env)

    commands.on("pytest", pytest_sees)
    session = make_session(tmp_path / "s")
    run(session, project(tmp_path))
    assert seen == [None]
    assert Path(session.create_tmp()).is_dir()  # the scratch folder itself is there


def test_what_lint_installs_beside_a_tool_pins_it(tmp_path: Path, commands: FakeCommands) -> None:
    # Flask 3.1.0's requirements/typing.txt pins mypy; its CI checks with that mypy.
    config = project(tmp_path, '[dependency-groups]\ntyping = ["pyright"]\n')
    (config.root / "requirements").mkdir()
    (config.root / "requirements" / "typing.txt").write_text("mypy==1.13.0\n")
    install(
        make_session(tmp_path / "s"),
        config,
        groups=["typing"],
        tools=["mypy>=2.4,<3", "pyright>=1.1.400,<2", "ruff>=0.17,<0.18"],
        requirement_files=["requirements/typing.txt"],
    )
    [argv] = [argv for argv in commands.ran if "install" in argv]
    assert argv[argv.index("-r") + 1] == "requirements/typing.txt"
    assert "mypy" in argv and "pyright" in argv  # bare: the project's pins decide
    assert "mypy>=2.4,<3" not in argv and "pyright>=1.1.400,<2" not in argv
    assert "ruff>=0.17,<0.18" in argv  # nothing of the project's names ruff
