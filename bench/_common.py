"""Shared by the bench/ scripts: running commands, timing them, printing tables."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOX = [sys.executable, "-m", "nox"]
# Variables of an enclosing nox or pytest run that would leak into the runs measured.
LEAKY = ("NOX_", "PYTEST_", "COVERAGE_", "VIRTUAL_ENV", "UV_PYTHON", "GITHUB_")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY)}
    env.update({"UV_PYTHON_DOWNLOADS": "never", "CI": "true", **(extra or {})})
    return env


def run(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, check: bool = True
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command; (wall seconds, the completed process). check: fail loudly."""
    start = time.perf_counter()
    done = subprocess.run(
        list(args), cwd=cwd, env=dict(env or clean_env()), capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if check and done.returncode != 0:
        sys.exit(
            f"bench: {' '.join(args)} failed in {cwd} (exit {done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return seconds, done


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    run(["git", *identity, *args], repo)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, pasteable into the README."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
