"""`session-python`: the Python of the single-Python sessions, for all of them or per
session (one team lints on 3.11 in a 3.11/3.12 matrix), checked at load."""

from __future__ import annotations

from pathlib import Path

import nox.registry
import pytest

from ci_sessions.check_config import render
from ci_sessions.config import Config, ConfigError
from ci_sessions.registry import load_config, register_all


def configured(tmp_path: Path, value: str) -> Config:
    root = tmp_path / "project"
    (root / "src" / "demo").mkdir(parents=True, exist_ok=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "tests").mkdir(exist_ok=True)
    line = f"session-python = {value}\n" if value else ""
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.11", "3.12"]\n{line}'
    )
    return load_config(root / "pyproject.toml", environ={"CI": "true"})


def pythons(config: Config) -> dict[str, object]:
    nox.registry.reset()
    register_all(config)
    return {name: func.python for name, func in nox.registry.get().items()}


def test_by_default_every_single_python_session_runs_on_the_newest(tmp_path: Path) -> None:
    found = pythons(configured(tmp_path, ""))
    assert found["lint"] == found["security"] == found["build"] == "3.12"


def test_one_version_moves_them_all_and_a_table_moves_those_it_names(tmp_path: Path) -> None:
    every = pythons(configured(tmp_path, '"3.11"'))
    assert every["lint"] == every["coverage"] == every["build"] == "3.11"
    named = pythons(configured(tmp_path, '{ lint = "3.11" }'))
    assert named["lint"] == "3.11"
    assert named["security"] == named["coverage"] == "3.12"
    assert named["tests"] == ["3.11", "3.12"]  # the matrix stays the matrix


def test_check_config_prints_it_as_toml_that_loads_again(tmp_path: Path) -> None:
    config = configured(tmp_path, '{ lint = "3.11", "*" = "3.12" }')
    line = next(line for line in render(config).splitlines() if line.startswith("session-python"))
    assert line == 'session-python = { "lint" = "3.11", "*" = "3.12" }'
    again = configured(tmp_path, line.split(" = ", 1)[1])
    assert again.python_of("lint") == "3.11" and again.python_of("build") == "3.12"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"3.13"', r"session-python: '3.13' is not one of python \(3.11, 3.12\)"),
        ('{ lint = "3.10" }', r"session-python: lint = '3.10' is not one of python"),
        ('{ tests = "3.11" }', r"'tests' is not a single-Python session; expected one of"),
        ('{ linting = "3.11" }', r"'linting' is not a single-Python session"),
        ('{ lint = "three" }', r"session-python: lint: expected versions like"),
        ("[]", r"session-python: expected a version"),
    ],
)
def test_a_version_outside_the_matrix_or_an_unknown_session_is_refused(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml: .*" + message):
        configured(tmp_path, value)
