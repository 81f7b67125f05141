"""Real `nox` runs, in a subprocess, on copies of the sample projects.

Venvs are shared between tests through one --envdir and `-r`: nox reuses a
venv but still runs every install, so each test installs its own copy of the
sample project (fast with uv's cache) and sees nothing of another test's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO_ROOT = FIXTURES.parent.parent
NOX_TIMEOUT = 600

# Variables of an enclosing nox/pytest/coverage run that must not leak into the
# nox under test (it would install into the wrong venv or write wrong data).
LEAKY_PREFIXES = ("NOX_", "PYTEST_", "COVERAGE_", "VIRTUAL_ENV", "UV_PYTHON", "GITHUB_")


def clean_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES)}
    # Fail fast instead of trying to download an interpreter (offline here).
    env["UV_PYTHON_DOWNLOADS"] = "never"
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class NoxRun:
    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.returncode = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.stdout = completed.stdout

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"NoxRun(returncode={self.returncode}, output=\n{self.output})"


RunNox = Callable[..., NoxRun]


@pytest.fixture(scope="session")
def shared_envdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nox-envs")


@pytest.fixture(scope="session")
def projects_dir() -> Iterator[Path]:
    """Where sample projects are copied: outside any enclosing repository.

    nox points TMPDIR into the session's venv (`.nox/<session>/tmp`), inside
    this repository, whose .gitignore and tool excludes would then apply to
    the copies (black reads the enclosing repository's .gitignore).
    """
    base = Path("/tmp") if Path("/tmp").is_dir() else Path(tempfile.gettempdir())
    folder = Path(tempfile.mkdtemp(prefix="ci-sessions-e2e-", dir=base))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sample(projects_dir: Path) -> Path:
    """A fresh copy of tests/fixtures/sample."""
    return copy_fixture("sample", Path(tempfile.mkdtemp(dir=projects_dir)))


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns(".nox", "reports"))
    return target


@pytest.fixture
def run_nox(shared_envdir: Path) -> RunNox:
    def run(
        project: Path,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        envdir: Path | None = None,
    ) -> NoxRun:
        command = [
            sys.executable,
            "-m",
            "nox",
            "--envdir",
            str(envdir or shared_envdir),
            "--reuse-existing-virtualenvs",
            *args,
        ]
        completed = subprocess.run(
            command,
            cwd=project,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=NOX_TIMEOUT,
            check=False,
        )
        return NoxRun(completed)

    return run
