"""End-to-end: a project that locks its dependencies in pylock.toml (PEP 751, written by
`uv pip compile --format pylock.toml`): the tests run on what it locks, the security scan
covers exactly that set for each Python of the matrix, and a lock that does not satisfy
the project fails naming the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, new_copy, set_keys

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


@pytest.fixture
def locked(projects_dir: Path) -> Path:
    return new_copy(projects_dir, FIXTURES / "locked_app")


def test_the_tests_run_on_what_the_lock_locks(locked: Path, run_nox: RunNox) -> None:
    result = run_nox(locked, "-s", "tests-3.13")
    assert result.returncode == 0, result  # the test asserts requests 2.30.0, the locked one
    assert "pip install -r" in result.output and "pylock-constraints.txt" in result.output
    assert "pins: pytest: the project's own pin" in result.output


def test_the_scan_covers_the_locked_set_and_names_its_advisory(
    locked: Path, run_nox: RunNox
) -> None:
    db = Path(__file__).parents[3] / "shared" / "advisory-db" / "vulns"
    set_keys(locked, "tool.ci_sessions.security", db=json.dumps(str(db)))
    result = run_nox(locked, "-s", "security")
    assert result.returncode != 0, result
    assert "pylock.toml installs 10 package(s) on 3.12" in result.output
    found = json.loads((locked / "reports" / "vulnerabilities.json").read_text())
    assert [(v["package"], v["advisory_id"]) for v in found["vulnerabilities"]] == [
        ("requests", "PYSEC-2023-74")
    ]
    scanned = (locked / "reports" / "security-dependencies.txt").read_text().split()
    assert "requests==2.30.0" in scanned and not any(s.startswith("colorama") for s in scanned)


def test_a_lock_that_does_not_satisfy_the_project_fails_naming_the_package(
    locked: Path, run_nox: RunNox
) -> None:
    pyproject = locked / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"requests>=2.28"', '"requests>=2.32"'))
    result = run_nox(locked, "-s", "tests-3.13")
    assert result.returncode != 0, result
    assert "requests" in result.output and "2.30.0" in result.output
