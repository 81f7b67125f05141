"""pytest's -m grammar, checked at load: what pytest accepts, and where it would stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.config import ConfigError
from ci_sessions.marker_expression import problem
from ci_sessions.registry import load_config


@pytest.mark.parametrize(
    "expression",
    ["slow", "not slow", "slow and (db or net)", "e2e or not x[1]", 'mark(k=1, j="s")', ""],
)
def test_expressions_pytest_accepts(expression: str) -> None:
    assert problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ("(not slow", "at column 10: expected ')'; got end of input"),
        ("slow and", "at column 9: expected not, '(' or a marker name; got end of input"),
        ("a b", "at column 3: expected and, or, or the end; got 'b'"),
        ("mark(x=)", "at column 8: expected a string, an integer, True, False or None; got ')'"),
        ("slow & db", "at column 6: unexpected character '&'"),
    ],
)
def test_expressions_pytest_refuses_say_where(expression: str, found: str) -> None:
    assert problem(expression) == found


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('test-markers = "(not slow"', "[tool.ci_sessions] test-markers"),
        (
            '[tool.ci_sessions.narrow.pr]\nmarkers = "(not slow"',
            "[tool.ci_sessions.narrow.pr] markers",
        ),
        (
            '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\nmarkers = "(not slow"',
            "[tool.ci_sessions.suites.e2e] markers",
        ),
    ],
)
def test_a_bad_marker_expression_is_refused_at_load_naming_its_key(
    tmp_path: Path, table: str, key: str
) -> None:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.13"]\n{table}\n'
    )
    with pytest.raises(ConfigError, match="not a pytest -m expression") as raised:
        load_config(tmp_path / "pyproject.toml", environ={"CI": "true"})
    assert key in str(raised.value)
    assert "expected ')'; got end of input" in str(raised.value)
