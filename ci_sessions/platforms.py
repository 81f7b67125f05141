"""What differs between Linux, macOS and Windows, decided in one place.

The sessions run on all three (the workflow's `os` axis); only the service
servers, the instruction counts (valgrind) and the sweep of killed runs' leftovers
(/proc) are Linux-only, and say so where they are configured or used.
"""

from __future__ import annotations

import signal
import sys
from pathlib import PurePath

IS_WINDOWS = sys.platform == "win32"


def venv_bin(venv: PurePath, *, windows: bool = IS_WINDOWS) -> PurePath:
    """A venv's scripts folder: Scripts on Windows, bin elsewhere."""
    return venv / ("Scripts" if windows else "bin")


def python_in(folder: PurePath, *, windows: bool = IS_WINDOWS) -> PurePath:
    """The interpreter in a scripts folder (python.exe on Windows)."""
    return folder / ("python.exe" if windows else "python")


def venv_python(venv: PurePath, *, windows: bool = IS_WINDOWS) -> PurePath:
    return python_in(venv_bin(venv, windows=windows), windows=windows)


def kill_signal(names: object = signal) -> int:
    """SIGKILL where it exists; Windows has none, and its SIGTERM already ends a process
    at once (TerminateProcess)."""
    return int(getattr(names, "SIGKILL", signal.SIGTERM))


# The system names in coverage data file names and run records; runner labels map to them
# by prefix.
RUNNER_SYSTEMS = (("ubuntu", "linux"), ("macos", "macos"), ("windows", "windows"))
SYSTEMS = tuple(system for _, system in RUNNER_SYSTEMS)


def this_system(platform: str = sys.platform) -> str:
    """The system this process runs on: linux, macos or windows."""
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux" if platform.startswith("linux") else platform


def system_of_runner(label: str) -> str | None:
    """`ubuntu-24.04` -> linux, `macos-15` -> macos, `windows-latest` -> windows; None for a
    label that names no system (a self-hosted runner's own label)."""
    for prefix, system in RUNNER_SYSTEMS:
        if label == prefix or label.startswith(f"{prefix}-"):
            return system
    return None
