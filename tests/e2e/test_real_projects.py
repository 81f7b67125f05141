"""Real projects adopt ci-sessions: their sdists from PyPI, `init`, then `nox`.

No line of configuration is written by hand: `init` finds what each project
declares and nox runs. The tests sessions must run exactly the tests the
project's own test command runs (counted from that command, run beside it).
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import ADVISORY_DB, RunNox, ci_sessions, clean_env, set_keys
from tests.e2e.test_adoption import uv

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


@dataclass(frozen=True)
class RealProject:
    name: str
    version: str
    # How the project's own CI installs (uv's arguments, in an empty venv: `pip
    # install ...` or, with a uv.lock, `sync --locked ...`) and runs its tests.
    install: tuple[str, ...]
    command: tuple[str, ...]
    workdir: str = "."

    def __str__(self) -> str:
        return f"{self.name}-{self.version}"


PROJECTS = [
    # flit, src layout, its test requirements in requirements/tests.txt;
    # ruff, mypy and pyright configured in pyproject.toml.
    RealProject(
        "blinker",
        "1.9.0",
        install=("pip", "install", ".", "pytest", "-r", "requirements/tests.txt"),
        command=("-m", "pytest", "-p", "no:cacheprovider"),
    ),
    # Runtime dependencies and a uv.lock (every install constrained by it),
    # dependency groups for tests and typing; ruff, mypy and pyright configured.
    RealProject(
        "flask",
        "3.1.2",
        install=("sync", "--locked", "--no-dev", "--group", "tests"),
        command=("-m", "pytest", "-p", "no:cacheprovider"),
    ),
    # A single module with its tests beside it in src/, run with unittest.
    RealProject(
        "typing_extensions",
        "4.13.2",
        install=("pip", "install", "."),
        command=("-m", "unittest", "discover"),
        workdir="src",
    ),
]

TESTED_HERE = ("3.11", "3.12", "3.13")  # the interpreters this machine runs


@pytest.fixture(scope="module")
def sdists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned sdists, downloaded once from PyPI (the hashes pip checks are PyPI's)."""
    folder = tmp_path_factory.mktemp("sdists")
    requirements = [f"{p.name}=={p.version}" for p in PROJECTS]
    pip_download = [uv(), "tool", "run", "pip", "download", "-q"]
    subprocess.run(
        [*pip_download, "--no-deps", "--no-binary", ":all:", "-d", str(folder), *requirements],
        check=True,
        env=clean_env(),
    )
    return folder


def unpacked(sdists: Path, project: RealProject, into: Path) -> Path:
    """The sdist unpacked and committed, as the project's own checkout would be."""
    [archive] = sdists.glob(f"{project.name}-{project.version}.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    root = into / str(project)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "import"],
        ["git", "tag", project.version],
    ):
        subprocess.run(command, cwd=root, check=True)
    return root


def own_count(project: RealProject, root: Path, venv: Path) -> tuple[int, int]:
    """(passed, skipped) by the project's own test command, in a venv of its own."""
    env = clean_env({"VIRTUAL_ENV": str(venv), "UV_PROJECT_ENVIRONMENT": str(venv)})
    subprocess.run([uv(), "venv", "-q", "-p", "3.13", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    subprocess.run([uv(), *project.install, "-q", "-p", python], cwd=root, check=True, env=env)
    completed = subprocess.run(
        [python, *project.command],
        cwd=root / project.workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return summary_counts(output)


def summary_counts(output: str) -> tuple[int, int]:
    """(passed, skipped) from a pytest summary line or unittest's `Ran N tests`."""
    ran = re.search(r"^Ran (\d+) tests?", output, re.MULTILINE)
    if ran:
        skipped = re.search(r"skipped=(\d+)", output)
        count = int(skipped.group(1)) if skipped else 0
        return int(ran.group(1)) - count, count
    passes = re.findall(r"(\d+) passed", output)
    skips = re.findall(r"(\d+) skipped", output)
    assert passes, f"no test summary in:\n{output}"
    return int(passes[-1]), int(skips[-1]) if skips else 0


def session_counts(output: str, session: str) -> tuple[int, int]:
    """(passed, skipped) from the summary a tests session prints under `## <session>`."""
    found = re.search(rf"^## {re.escape(session)}\n\n(.+)$", output, re.MULTILINE)
    assert found, f"no summary of {session} in:\n{output}"
    return summary_counts(found.group(1))


@pytest.mark.parametrize("project", PROJECTS, ids=str)
def test_a_real_project_adopts_with_init_alone(
    project: RealProject, sdists: Path, tmp_path: Path, run_nox: RunNox
) -> None:
    root = unpacked(sdists, project, tmp_path)
    init = ci_sessions(root, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "[tool.ci_sessions]" in (root / "pyproject.toml").read_text()

    # CI unset, as on a laptop: the Pythons of the project's matrix this machine
    # lacks are skipped, visibly (on CI they fail). Security runs below.
    run = run_nox(
        root, "-s", "lint", "tests", "coverage", "build", env={"CI": None}, envdir=tmp_path / "e"
    )
    assert run.returncode == 0, run
    for session in ("lint", *(f"tests-{v}" for v in TESTED_HERE), "coverage", "build"):
        assert f"* {session}: success" in run.output, run
    assert re.search(
        r"\* tests-3\.\d+: skipped \(Python interpreter 3\.\d+ not found\)", run.output
    )

    # The same tests as raw pytest in that very venv, and as the project's own
    # command in a venv of its own: not more and not fewer.
    counted = session_counts(run.output, "tests-3.13")
    same_venv = tmp_path / "e" / "tests-3-13" / "bin" / "python"
    raw = subprocess.run(
        [str(same_venv), "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert raw.returncode == 0, raw.stdout + raw.stderr
    assert counted == summary_counts(raw.stdout)
    assert counted == own_count(project, root, tmp_path / "own")


@pytest.mark.parametrize("project", PROJECTS[1:2], ids=str)
def test_a_real_project_s_dependencies_are_scanned(
    project: RealProject, sdists: Path, tmp_path: Path, run_nox: RunNox
) -> None:
    root = unpacked(sdists, project, tmp_path)
    init = ci_sessions(root, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    # Flask does not run bandit: init runs it once and accepts what is there (its exec,
    # eval and SHA1), listing each finding, in a baseline the security table names.
    assert "bandit finding(s) the code has today, accepted" in init.stdout, init.stdout
    assert "src/flask/config.py:209: B102" in init.stdout
    env = {"CI": None, "CI_SESSIONS_VULN_DB": str(ADVISORY_DB)}
    stale = run_nox(root, "-s", "security", env=env, envdir=tmp_path / "e")
    # The snapshot here is from 2024-10-10: the gate refuses it until told.
    assert stale.returncode != 0, stale
    assert "older than max-db-age-days = 30: update the mirror" in stale.output
    # Accepting the snapshot's age is this machine's concern, not the project's.
    set_keys(root, "tool.ci_sessions.security", max_db_age_days="100000")
    accepted = run_nox(root, "-s", "security", env=env, envdir=tmp_path / "e")
    assert accepted.returncode == 0, accepted
    assert re.search(r"no finding .*; [1-9]\d* accepted by the baseline", accepted.output)
    assert re.search(r"### Dependencies \(\d+ scanned\)\n\nNo known vulnerability", accepted.output)
    # What uv.lock locks is what is scanned: Flask's runtime dependencies among it.
    scanned_set = (root / "reports" / "security-dependencies.txt").read_text().lower()
    for dependency in ("werkzeug==", "jinja2==", "itsdangerous==", "click==", "blinker=="):
        assert dependency in scanned_set, scanned_set
    # A new finding still fails.
    (root / "src" / "flask" / "later.py").write_text(
        "def run(code: str) -> None:\n    exec(code)\n"
    )
    new = run_nox(root, "-s", "security", env=env, envdir=tmp_path / "e")
    assert new.returncode != 0, new
    assert "| `src/flask/later.py` | 2 | B102 |" in new.output
    assert "bandit: 1 finding(s)" in new.output
