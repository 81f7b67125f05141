"""End-to-end: a third service, added as one module (ci_sessions/services/mariadb.py)
and one line in ci_sessions.services.SERVICES, started, reached and cleaned up like
PostgreSQL and Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, new_copy
from tests.e2e.test_integration import assert_cleaned_up

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


@pytest.fixture
def app(projects_dir: Path) -> Path:
    return new_copy(projects_dir, FIXTURES / "mariadb_app")


MARIADB = frozenset({"mariadb"})


def test_integration_starts_mariadb_masks_its_password_and_stops_it(
    app: Path, run_nox: RunNox
) -> None:
    result = run_nox(app, "-s", "integration")
    assert result.returncode == 0, result
    assert "2 passed" in result.output
    assert "mysql://root:***@127.0.0.1:" in result.output
    assert_cleaned_up(result.output, MARIADB)


def test_a_failing_test_fails_and_still_stops_the_server(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "integration", env={"MARIADB_APP_FAIL": "1"})
    assert result.returncode != 0, result
    assert "1 failed, 1 passed" in result.output
    assert_cleaned_up(result.output, MARIADB)
