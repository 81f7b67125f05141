"""What every session does around its work, over a real nox.Session and a fake runner:
processes its commands left running are stopped and named, an OSError is one line."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import nox
import pytest

from ci_sessions import processes
from ci_sessions.glue import guard
from ci_sessions.glue.session import run_tool
from tests.unit.fake_nox import FakeCommands, Quit, commands, make_session, project

__all__ = ["commands"]  # the fixture, imported for pytest


def leaves_a_process(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """A command whose test starts a server in a session of its own and never stops it."""
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, **env},
        start_new_session=True,
    )
    return 0, ""


@pytest.mark.parametrize("policy", ["warn", "fail"])
def test_a_process_left_running_is_stopped_and_named(
    tmp_path: Path, commands: FakeCommands, policy: str
) -> None:
    config = project(tmp_path, f'stray-processes = "{policy}"\n')
    commands.on("pytest", leaves_a_process)
    said: list[str] = []

    def body(session: nox.Session) -> None:
        run_tool(session, ["pytest"])

    session = make_session(tmp_path / "s")
    wrapped = guard.swept(body, config, lambda _, message: said.append(message))
    if policy == "fail":
        with pytest.raises(Quit, match=r"still running at its end.*stray-processes = \"fail\""):
            wrapped(session)
    else:
        wrapped(session)
    [message] = said
    assert "1 process(es) started by this session's commands were still running" in message
    assert "time.sleep(60)" in message
    marker = session.env[guard.SESSION_ENV]
    assert not processes.marked(guard.SESSION_ENV, marker.__eq__)  # stopped


def test_a_session_that_leaves_nothing_says_nothing(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    said: list[str] = []
    guard.swept(lambda s: None, config, lambda _, m: said.append(m))(make_session(tmp_path / "s"))
    assert said == []


def test_a_full_disk_is_one_line_and_a_bug_keeps_its_traceback(tmp_path: Path) -> None:
    config = project(tmp_path)

    def full(session: nox.Session) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "reports/junit.xml")

    with pytest.raises(Quit, match=r"cannot write reports/junit.xml: no space left"):
        guard.guarded(full, config)(make_session(tmp_path / "s"))

    def bug(session: nox.Session) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file", "x")

    with pytest.raises(FileNotFoundError):
        guard.guarded(bug, config)(make_session(tmp_path / "s"))


def test_reports_being_a_file_is_one_line(tmp_path: Path) -> None:
    config = project(tmp_path)
    (config.root / "reports").write_text("not a folder")
    with pytest.raises(Quit, match=r"a file is where a folder is needed"):
        guard.guarded(lambda s: None, config)(make_session(tmp_path / "s"))


@pytest.mark.parametrize(
    ("argv", "runs"),
    [
        (["-s", "tests-3.12"], True),
        ([], True),
        (["-l"], False),
        (["--json", "-l"], False),
        (["--version"], False),
        (["-s", "tests-3.12", "--", "-l"], True),  # pytest's -l, after --
    ],
)
def test_only_a_nox_that_runs_sessions_holds_the_reports(argv: list[str], runs: bool) -> None:
    assert guard.runs_sessions(argv) is runs
