"""pytest options: marker expressions combined, never dropped; the timeout per test."""

from __future__ import annotations

import pytest

from ci_sessions.pytest_options import (
    addopts_marker,
    combined_marker,
    marker_args,
    take_marker,
    timeout_args,
)


def test_take_marker_splits_every_form_off() -> None:
    assert take_marker(["-k", "x", "-m", "not voice", "-x"]) == ("not voice", ["-k", "x", "-x"])
    assert take_marker(["-mfast"]) == ("fast", [])
    assert take_marker(["--maxfail=2"]) == (None, ["--maxfail=2"])


@pytest.mark.parametrize(
    ("addopts", "expected"),
    [
        ("-m 'not stress' -q", "not stress"),
        (["-q", "-m", "unit"], "unit"),
        ("--strict-markers", None),
        (None, None),
    ],
)
def test_addopts_marker(addopts: object, expected: str | None) -> None:
    assert addopts_marker(addopts) == expected


def test_combined_marker_keeps_every_expression() -> None:
    assert combined_marker(["not slow", None, "not voice"]) == "(not slow) and (not voice)"
    assert combined_marker(["a", "a"]) == "a"
    assert combined_marker([None, " "]) is None


def test_skip_slow_with_a_user_marker_and_the_project_s_addopts() -> None:
    args, rest = marker_args(
        ["-m", "not voice", "-k", "db"],
        ini={"addopts": "-m 'not stress'"},
        environ={},
        extra=["not slow"],
    )
    assert args == ["-m", "(not slow) and (not stress) and (not voice)"]
    assert rest == ["-k", "db"]


def test_nothing_of_ours_leaves_the_project_s_addopts_alone() -> None:
    assert marker_args(["-x"], ini={"addopts": "-m unit"}, environ={}) == ([], ["-x"])


def test_the_environment_s_addopts_count_too() -> None:
    args, _ = marker_args([], ini={}, environ={"PYTEST_ADDOPTS": "-m db"}, extra=["not slow"])
    assert args == ["-m", "(not slow) and (db)"]


def test_timeout_applies_unless_the_project_sets_one() -> None:
    assert timeout_args({}, {}, 900.0) == ["--timeout=900"]
    assert timeout_args({"timeout": "30"}, {}, 900.0) == []
    assert timeout_args({}, {"PYTEST_TIMEOUT": "5"}, 900.0) == []
    assert timeout_args({}, {}, 0.0) == []
