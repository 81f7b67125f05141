"""The precedence resolvers, each against its decision table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.config.resolve import (
    newest,
    resolve_session_python,
    version_key,
    vulnerability_db,
)


def test_newest_orders_numerically() -> None:
    assert newest(["3.9", "3.13", "3.10"]) == "3.13"
    assert version_key("3.14t") == (3, 14, True)
    assert newest(["3.14", "3.14t"]) == "3.14"  # a regular build runs the single sessions
    assert newest(["3.13", "3.14t"]) == "3.13"
    assert newest(["3.14t"]) == "3.14t"


@pytest.mark.parametrize(
    ("runnable", "on_ci", "expected", "noted"),
    [
        (["3.11", "3.12", "3.13"], False, "3.13", False),
        (["3.11", "3.12"], False, "3.12", True),
        ([], False, "3.13", True),
        ([], True, "3.13", False),  # on CI the missing one fails; nothing moves
        (["3.11"], True, "3.13", False),
    ],
)
def test_session_python(runnable: list[str], on_ci: bool, expected: str, noted: bool) -> None:
    version, note = resolve_session_python(["3.13", "3.11", "3.12"], runnable, on_ci=on_ci)
    assert version == expected
    assert (note is not None) is noted


def test_session_python_for_pythons_this_machine_cannot_have() -> None:
    # 3.14 and 3.15 are released but not installable here: the choice is pure logic.
    matrix = ["3.13", "3.14", "3.15", "3.14t"]
    assert resolve_session_python(matrix, ["3.13", "3.14"], on_ci=False)[0] == "3.14"
    assert resolve_session_python(matrix, [], on_ci=True)[0] == "3.15"


def test_vulnerability_db_is_made_absolute_and_says_where_from(tmp_path: Path) -> None:
    assert vulnerability_db("/srv/db", tmp_path, "$V") == (Path("/srv/db"), "$V")
    assert vulnerability_db("mirror", tmp_path, None) == (
        tmp_path / "mirror",
        "[tool.ci_sessions.security] db",
    )
    assert vulnerability_db(None, tmp_path, None) == (None, "safety's online service")
