"""Paths and signals on Windows, decided without a Windows machine."""

from __future__ import annotations

import signal
from pathlib import PurePosixPath, PureWindowsPath
from types import SimpleNamespace

from ci_sessions.platforms import kill_signal, python_in, venv_bin, venv_python
from ci_sessions.workflow.kit import nox_step_index
from tests.unit.test_workflow import config_of


def test_a_venv_on_windows_keeps_python_exe_in_scripts() -> None:
    venv = PureWindowsPath(r"C:\work\.nox\tests-3-12")
    assert venv_bin(venv, windows=True) == PureWindowsPath(r"C:\work\.nox\tests-3-12\Scripts")
    assert str(venv_python(venv, windows=True)).endswith(r"\Scripts\python.exe")
    assert python_in(PureWindowsPath(r"C:\v\Scripts"), windows=True).name == "python.exe"


def test_a_venv_elsewhere_keeps_python_in_bin() -> None:
    venv = PurePosixPath("/work/.nox/tests-3-12")
    assert str(venv_python(venv, windows=False)) == "/work/.nox/tests-3-12/bin/python"


def test_the_kill_signal_falls_back_to_sigterm_where_there_is_no_sigkill() -> None:
    windows_signals = SimpleNamespace(SIGTERM=signal.SIGTERM, SIGINT=signal.SIGINT)
    assert kill_signal(windows_signals) == signal.SIGTERM
    assert kill_signal(SimpleNamespace(SIGKILL=9)) == 9


def test_every_nox_step_runs_in_bash_so_windows_reads_the_session_from_env(tmp_path) -> None:
    from ci_sessions.workflow import workflow

    table = '[tool.ci_sessions.workflow.jobs.tests]\nos = ["windows-latest", "ubuntu-latest"]\n'
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    for name, job in jobs.items():
        if any("SESSION" in step.get("env", {}) for step in job["steps"]):
            step = job["steps"][nox_step_index(job)]
            # PowerShell would read "$SESSION" as its own (empty) variable.
            assert step["shell"] == "bash" and '"$SESSION"' in step["run"], name
