"""A project that knows nothing of this repository adopts ci-sessions from a path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import NOX_TIMEOUT, REPO_ROOT, clean_env

pytestmark = pytest.mark.e2e

THREE_LINES = "import nox\nimport ci_sessions\nci_sessions.register()\n"


def uv() -> str:
    found = shutil.which("uv")
    if found is None:
        raise AssertionError("uv is not installed: it is in this project's test dependency group")
    return found


def test_install_from_path_and_run_lint_and_tests(tmp_path: Path, sample: Path) -> None:
    venv = tmp_path / "venv"
    env = clean_env()
    subprocess.run([uv(), "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            "nox>=2026.10.20",
            f"ci-sessions @ {REPO_ROOT.as_uri()}",
        ],
        check=True,
        env=env,
    )
    (sample / "noxfile.py").write_text(THREE_LINES)
    completed = subprocess.run(
        [str(venv / "bin" / "nox"), "-s", "lint", "tests-3.12"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        timeout=NOX_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "* lint: success" in output
    assert "* tests-3.12: success" in output


@pytest.mark.newest_python
def test_the_built_wheel_installs_into_a_clean_venv_and_adopts_a_project(
    tmp_path: Path, sample: Path
) -> None:
    env = clean_env()
    dist = tmp_path / "dist"
    subprocess.run(
        [uv(), "build", "-q", "--wheel", "-o", str(dist), str(REPO_ROOT)], check=True, env=env
    )
    [wheel] = dist.glob("ci_sessions-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([uv(), "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        env=env,
    )
    (sample / "noxfile.py").unlink()
    init = subprocess.run(
        [str(venv / "bin" / "ci-sessions"), "init"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    # Installed from a file, which a CI runner cannot reach: said, with what to do.
    assert "which a CI runner cannot reach" in init.stdout
    listed = subprocess.run(
        [str(venv / "bin" / "nox"), "-l"], cwd=sample, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "tests-3.13" in listed.stdout and "coverage" in listed.stdout
