"""A real nox.Session over a fake runner, as nox's own tests build one.

Commands never run: :class:`FakeCommands` records them and plays what a test
scripted for each program (an exit status, files it writes, output), so the
session glue's decisions run in milliseconds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import nox._options
import nox.command
import nox.manifest
import nox.registry
import nox.sessions
import nox.virtualenv
import pytest

from ci_sessions.config import Config
from ci_sessions.registry import load_config, register_all

# What a scripted program does: given its arguments and environment, an exit
# status and the output it prints.
Script = Callable[[list[str], dict[str, str]], tuple[int, str]]


@dataclass
class FakeCommands:
    scripts: dict[str, Script] = field(default_factory=dict)
    ran: list[list[str]] = field(default_factory=list)

    def on(self, program: str, script: Script) -> None:
        self.scripts[program] = script

    def run(self, args: Sequence[Any], **kwargs: Any) -> str | bool:
        argv = [str(arg) for arg in args]
        self.ran.append(argv)
        env = {k: v for k, v in dict(kwargs.get("env") or {}).items() if isinstance(v, str)}
        program = Path(argv[0]).name
        status, output = self.scripts.get(program, _succeeds)(argv, env)
        stdout = kwargs.get("stdout")
        if stdout is not None and hasattr(stdout, "write") and output:
            stdout.write(output)
            stdout.flush()
        if status not in (kwargs.get("success_codes") or [0]):
            raise nox.command.CommandFailed(f"Returned code {status}", return_code=status)
        return output if kwargs.get("silent") else True

    def programs(self) -> list[str]:
        return [Path(argv[0]).name for argv in self.ran]


def _succeeds(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    return 0, ""


def make_session(
    tmp_path: Path,
    *,
    name: str = "tests-3.13",
    posargs: Sequence[str] = (),
    install_only: bool = False,
) -> nox.Session:
    """A real Session whose venv is a stand-in in tmp_path/venv."""
    func = mock.Mock(spec=["python"], python="3.13")
    global_config = nox._options.options.namespace(
        posargs=list(posargs),
        error_on_external_run=False,
        install_only=install_only,
        no_install=False,
        envdir=str(tmp_path / "envs"),
    )
    runner = nox.sessions.SessionRunner(
        name=name,
        signatures=[name],
        func=func,
        global_config=global_config,
        manifest=mock.create_autospec(nox.manifest.Manifest),
    )
    venv = mock.create_autospec(nox.virtualenv.VirtualEnv)
    venv.env = {}
    venv.bin_paths = [str(tmp_path / "venv" / "bin")]
    venv.location = str(tmp_path / "venv")
    venv.venv_backend = "uv"
    venv.reuse_existing = False
    venv.is_sandboxed = True
    venv.allowed_globals = ()
    # as nox does: the outer environment, then the venv's own variables, then the call's
    venv._get_env.side_effect = lambda env, include_outer_env=True: {
        **os.environ,
        **venv.env,
        **env,
    }
    runner.venv = venv
    (tmp_path / "venv" / "bin").mkdir(parents=True, exist_ok=True)
    return nox.sessions.Session(runner=runner)


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCommands]:
    fake = FakeCommands()
    monkeypatch.setattr(nox.command, "run", fake.run)
    yield fake


Quit = nox.sessions._SessionQuit  # what session.error raises


def project(tmp_path: Path, table: str = "", project_keys: str = "") -> Config:
    """A project in tmp_path/project; the fake session's venv lives beside it.
    `project_keys`: more lines of its [project] table (dependencies, say)."""
    root = tmp_path / "project"
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "tests").mkdir()
    (root / "tests" / "test_demo.py").write_text("def test_demo() -> None:\n    pass\n")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n{project_keys}[tool.ci_sessions]\npython = ["3.13"]\n' + table
    )
    return load_config(root / "pyproject.toml", environ={"CI": "true"})


def pytest_writes(
    status: int,
    tests: Sequence[Mapping[str, object]] | None,
    data: bool = True,
    junit: bool = True,
    output: str = "",
) -> Script:
    """A fake pytest: writes the plugin's outcomes (unless None), its JUnit report and the
    coverage data, and prints `output`."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        if tests is not None:
            document = {"exitstatus": status, "tests": tests}
            Path(env["CI_SESSIONS_OUTCOMES"]).write_text(json.dumps(document))
        if data:
            Path(env["COVERAGE_FILE"]).write_text("data")
        target = next(arg.partition("=")[2] for arg in argv if arg.startswith("--junitxml="))
        if junit:
            Path(target).write_text(f"<testsuites>{output}</testsuites>")
        return status, output

    return script


PASSED = [{"id": "tests/test_a.py::test_ok", "outcome": "passed", "seconds": 0.1}]
FAILED = [{"id": "tests/test_a.py::TestB::test_x", "outcome": "failed", "message": "assert 1 == 2"}]


def registered(config: Config, name: str) -> Callable[[nox.Session], None]:
    """The session function register() defines as `name`, wrapped as nox runs it (guard,
    record), from a fresh nox registry."""
    nox.registry.reset()
    register_all(config)
    return nox.registry.get()[name]
