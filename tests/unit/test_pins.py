"""Whose pin wins: the project's, then the configured pins, then ci-sessions'."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.pins import adjust, locked_names, requirement_file_names, requirement_name


def test_requirement_names() -> None:
    assert requirement_name("Pytest_Cov>=7; python_version > '3'") == "pytest-cov"
    assert requirement_name("bandit[sarif]>=1.8") == "bandit"
    assert requirement_name("-r requirements.txt") is None


def test_the_project_s_pin_then_the_configured_pin_then_ours() -> None:
    tools = ["pytest>=9.0,<10", "pytest-cov>=7.0,<8", "coverage>=7.10,<8"]
    chosen, said = adjust(tools, {"coverage": ">=7.6,<8"}, {"pytest": "the dependency group test"})
    assert chosen == ["pytest", "pytest-cov>=7.0,<8", "coverage>=7.6,<8"]
    assert said == [
        "pytest: the project's own pin (the dependency group test) wins over pytest>=9.0,<10",
        "coverage: [tool.ci_sessions] pins >=7.6,<8 replaces coverage>=7.10,<8",
    ]


def test_names_from_a_requirements_file_and_a_lock(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements-test.txt"
    requirements.write_text("-r base.txt\npytest~=7.2  # the project's\n\nhypothesis\n")
    assert requirement_file_names(requirements) == {"pytest", "hypothesis"}
    lock = tmp_path / "uv.lock"
    lock.write_text('version = 1\n[[package]]\nname = "PyTest"\nversion = "8.3.0"\n')
    assert locked_names(lock) == {"pytest"}
    assert locked_names(tmp_path / "none.lock") == set()


def test_locked_names_read_uv_s_layout_and_anything_else_as_toml(tmp_path: Path) -> None:
    uv_written = tmp_path / "uv.lock"
    uv_written.write_text(
        'version = 1\n\n[[package]]\nname = "Pytest"\nversion = "9.0.0"\n\n'
        '[[package]]\nname = "ruff"\nversion = "0.17.0"\n'
    )
    assert locked_names(uv_written) == {"pytest", "ruff"}
    # Not uv's layout (name not right under the header): parsed as TOML all the same.
    by_hand = tmp_path / "hand.lock"
    by_hand.write_text('[[package]]\nversion = "1"\nname = "black"\n\n[[package]]\nname = "mypy"\n')
    assert locked_names(by_hand) == {"black", "mypy"}
    broken = tmp_path / "broken.lock"
    broken.write_text('[[package]]\nversion = "1"\nname = \n')
    assert locked_names(broken) == set()
