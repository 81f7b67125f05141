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
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from ci_sessions.registry import load_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO_ROOT = FIXTURES.parent.parent
# The PyPA advisory database snapshot (OSV, CC-BY 4.0) beside this repository.
ADVISORY_DB = REPO_ROOT.parent / "shared" / "advisory-db" / "vulns"
NOX_TIMEOUT = 600

# Variables of an enclosing nox/pytest/coverage run that must not leak into the
# nox under test (it would install into the wrong venv or write wrong data).
LEAKY_PREFIXES = ("NOX_", "PYTEST_", "COVERAGE_", "VIRTUAL_ENV", "UV_PYTHON", "GITHUB_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (visibly) the tests that do not run under this Python: newest_python ones
    on the older Pythons, a one_python module under any but its own.

    Most sessions run on the newest Python whatever Python runs nox (lint, coverage,
    security, benchmark-compare, ...), and the generated workflow and its replay do not
    depend on it: on the older Pythons those tests would repeat the same runs and cost
    minutes of the 45-minute CI budget. On every Python run the unit tests and the e2e
    tests of test_foundation and test_build (nox itself, the tests session, lint, the
    build, under that Python). The count shows in pytest's "deselected".
    """
    newest = load_config(REPO_ROOT / "pyproject.toml").newest_python
    here = f"{sys.version_info.major}.{sys.version_info.minor}"

    def runs_here(item: pytest.Item) -> bool:
        # one_python("3.12"): a module that would otherwise be newest_python, moved to an
        # older Python so that the three tests sessions (side by side in CI) take about
        # the same time; what it drives does not depend on the Python that runs nox.
        one = item.get_closest_marker("one_python")
        if one is not None:
            return bool(here == one.args[0])
        return here == newest or item.get_closest_marker("newest_python") is None

    kept = [item for item in items if runs_here(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def clean_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES)}
    # Fail fast instead of trying to download an interpreter (offline here).
    env["UV_PYTHON_DOWNLOADS"] = "never"
    # A missing interpreter must fail a test, never turn it into a skipped pass.
    env["CI"] = "true"
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def coverage_of_subprocess() -> tuple[list[str], dict[str, str]]:
    """How to start Python so that ci_sessions code run inside nox is measured.

    When this test run is itself measured (the tests-<python> sessions of this
    repository), nox runs under `coverage run --parallel-mode` with the same
    configuration and data file; pytest-cov combines the pieces at the end.
    """
    try:
        import coverage
    except ImportError:
        return [sys.executable], {}
    current = coverage.Coverage.current()
    if current is None or not current.config.config_file:
        return [sys.executable], {}
    return (
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            "--parallel-mode",
            f"--rcfile={current.config.config_file}",
        ],
        {"COVERAGE_FILE": str(current.config.data_file)},
    )


def ci_sessions(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m ci_sessions ARGS` in the project (measured, when this run is)."""
    measure, measure_env = coverage_of_subprocess()
    return subprocess.run(
        [*measure, "-m", "ci_sessions", *args],
        cwd=project,
        env=clean_env({**(env or {}), **measure_env}),
        capture_output=True,
        text=True,
        check=False,
        timeout=1500,
    )


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
    return new_copy(projects_dir, FIXTURES / "sample")


def nox_runner(shared_envdir: Path) -> RunNox:
    """A function that runs real nox on a project, sharing venvs through envdir."""

    def run(
        project: Path,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        envdir: Path | None = None,
    ) -> NoxRun:
        measure, measure_env = coverage_of_subprocess()
        command = [
            *measure,
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
            env={**clean_env(env), **measure_env},
            capture_output=True,
            text=True,
            timeout=NOX_TIMEOUT,
            check=False,
        )
        return NoxRun(completed)

    return run


def typed(
    project: Path,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    prefix: Sequence[str] = (),
) -> NoxRun:
    """`nox <args>` in the project folder as a user types it: no --envdir, no -r, nothing
    else (measured, when this run is). `prefix`: a command to run it under (unshare)."""
    measure, measure_env = coverage_of_subprocess()
    completed = subprocess.run(
        [*prefix, *measure, "-m", "nox", *args],
        cwd=project,
        env={**clean_env(env), **measure_env},
        capture_output=True,
        text=True,
        timeout=NOX_TIMEOUT,
        check=False,
    )
    return NoxRun(completed)


@pytest.fixture
def run_nox(shared_envdir: Path) -> RunNox:
    return nox_runner(shared_envdir)


def new_copy(projects_dir: Path, source: Path) -> Path:
    """A fresh copy of a fixture or of an already prepared project."""
    target = Path(tempfile.mkdtemp(dir=projects_dir)) / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".nox"), symlinks=True)
    return target


def set_keys(project: Path, table: str, **keys: str) -> None:
    """Set keys (TOML values as text) in one table of the project's pyproject, replacing
    the lines of the same keys: what a user edits, since register() takes no overrides."""
    pyproject = project / "pyproject.toml"
    lines = pyproject.read_text().splitlines()
    start = lines.index(f"[{table}]") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    names = {name.replace("_", "-"): value for name, value in keys.items()}
    kept = [line for line in lines[start:end] if line.split("=")[0].strip() not in names]
    added = [f"{name} = {value}" for name, value in names.items()]
    pyproject.write_text("\n".join([*lines[:start], *kept, *added, *lines[end:]]) + "\n")


def add_config(project: Path, toml: str) -> None:
    """Append TOML (a [tool.ci_sessions...] table) to the project's pyproject."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + toml.strip() + "\n")
