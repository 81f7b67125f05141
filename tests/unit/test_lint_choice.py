"""Which lint tools a project asks for, from its own configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ci_sessions import pins
from ci_sessions.config.discover import pre_commit
from ci_sessions.families.lint.choice import (
    choose,
    mypy_files_configured,
    ruff_configured,
    ruff_selects,
)

PRE_COMMIT = """
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.11.9
    hooks:
      - id: ruff
      - id: ruff-format
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.15.0
    hooks:
      - id: mypy
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v5.0.0
    hooks:
      - id: trailing-whitespace
"""
BLACK_HOOK = """
repos:
  - repo: https://github.com/psf/black-pre-commit-mirror
    rev: 25.1.0
    hooks: [{id: black}]
"""


@pytest.mark.parametrize(
    ("document", "files", "tools"),
    [
        ({}, {}, ("ruff",)),
        # ruff's settings alone do not make it the formatter: many projects lint
        # with ruff and format with nothing, or with black
        ({"tool": {"ruff": {}}}, {}, ("ruff",)),
        ({"tool": {"ruff": {"format": {}}}}, {}, ("ruff", "ruff-format")),
        ({"tool": {"ruff": {}, "black": {}}}, {}, ("ruff", "black")),
        ({}, {"ruff.toml": ""}, ("ruff",)),
        ({}, {".pre-commit-config.yaml": PRE_COMMIT}, ("ruff", "ruff-format")),
        ({}, {".pre-commit-config.yaml": BLACK_HOOK}, ("ruff", "black")),
        ({"tool": {"mypy": {"strict": True}}}, {}, ("ruff", "mypy")),
        ({}, {"setup.cfg": "[mypy]\nstrict = True\n"}, ("ruff", "mypy")),
        ({}, {"mypy.ini": "[mypy]\n"}, ("ruff", "mypy")),
        ({"tool": {"pyright": {}}}, {}, ("ruff", "pyright")),
        ({}, {"pyrightconfig.json": "{}"}, ("ruff", "pyright")),
        ({"tool": {"basedpyright": {}}}, {}, ("ruff", "basedpyright")),
        ({}, {"ty.toml": ""}, ("ruff", "ty")),
        ({"tool": {"pyrefly": {}}}, {}, ("ruff", "pyrefly")),
    ],
)
def test_the_tools_follow_the_project_s_configuration(
    tmp_path: Path, document: dict[str, Any], files: dict[str, str], tools: tuple[str, ...]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    chosen, reasons = choose(tmp_path, document)
    assert chosen == tools
    assert len(reasons) >= len(chosen)  # every choice says why


def test_ruff_settings_without_select_keep_the_classic_rules(tmp_path: Path) -> None:
    """ruff 0.17's defaults are wider than the ruff a project ran (#29: 95 findings on a
    project clean under its own ruff): without `select`, the classic four."""
    assert ruff_selects(tmp_path, {"tool": {"ruff": {"line-length": 99}}}) is None
    assert ruff_selects(tmp_path, {"tool": {"ruff": {"lint": {"select": ["E"]}}}}) == "[tool.ruff]"
    assert ruff_selects(tmp_path, {"tool": {"ruff": {"select": ["F"]}}}) == "[tool.ruff]"
    (tmp_path / "ruff.toml").write_text('[lint]\nextend-select = ["B"]\n')
    assert ruff_selects(tmp_path, {}) is None
    (tmp_path / ".ruff.toml").write_text('[lint]\nselect = ["B"]\n')
    assert ruff_selects(tmp_path, {}) == ".ruff.toml"


def test_the_reasons_say_why() -> None:
    _, reasons = choose(Path("/nonexistent"), {"tool": {"ruff": {"format": {}}}})
    assert reasons[0].startswith(
        "ruff check, the classic rules (E4, E7, E9, F): [tool.ruff] selects none"
    )
    assert "ruff format: [tool.ruff.format] is configured and black is not" in reasons
    assert "no type checker: none is configured" in reasons
    _, reasons = choose(Path("/nonexistent"), {})
    assert reasons[0] == "ruff check, the baseline rules (E4, E7, E9, F): ruff is not configured"


def test_a_pre_commit_config_pins_the_lint_tools_and_configures_ruff(tmp_path: Path) -> None:
    assert ruff_configured(tmp_path, {}) is None  # then ruff runs with the baseline rules
    (tmp_path / ".pre-commit-config.yaml").write_text(PRE_COMMIT)
    versions, hooks = pre_commit(tmp_path)
    # pre-commit-hooks is not a tool ci-sessions runs: no version for it
    assert versions == {"ruff": "==0.11.9", "mypy": "==1.15.0"}
    assert {"ruff", "ruff-format", "mypy", "trailing-whitespace"} <= hooks
    assert ruff_configured(tmp_path, {}) == "a ruff pre-commit hook"
    chosen, said = pins.adjust(["ruff>=0.17,<0.18", "black>=26"], {}, {}, versions)
    assert chosen == ["ruff==0.11.9", "black>=26"]
    assert said == [
        "ruff: the project's .pre-commit-config.yaml pins ruff==0.11.9, "
        "which wins over ruff>=0.17,<0.18"
    ]
    # [tool.ci_sessions] pins still replace it
    assert pins.adjust(["ruff>=0.17"], {"ruff": ">=0.12"}, {}, versions)[0] == ["ruff>=0.12"]


def test_an_unreadable_pre_commit_config_pins_nothing(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: [unclosed\n")
    assert pre_commit(tmp_path) == ({}, set())


def test_mypy_s_own_files_setting_is_honoured(tmp_path: Path) -> None:
    assert mypy_files_configured(tmp_path, {"tool": {"mypy": {"files": ["src"]}}})
    assert not mypy_files_configured(tmp_path, {"tool": {"mypy": {"strict": True}}})
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = src\n")
    assert mypy_files_configured(tmp_path, {})


def test_paths_go_to_the_tools_that_do_not_read_their_own() -> None:
    from ci_sessions.families.lint.family import checked_paths
    from ci_sessions.families.lint.settings import LintConfig

    plain = LintConfig(("ruff", "mypy"), (), ())
    told = LintConfig(("ruff", "mypy"), (), (), mypy_files=True)
    assert checked_paths("ruff", ["src"], told, explicit=False) == ["src"]
    assert checked_paths("mypy", ["src"], plain, explicit=False) == ["src"]
    assert checked_paths("mypy", ["src"], told, explicit=False) == []  # [tool.mypy] files
    assert checked_paths("pyright", ["src"], plain, explicit=False) == []
    assert checked_paths("mypy", ["a.py"], told, explicit=True) == ["a.py"]  # posargs win
    # mypy without `files` checks the code, not the tests; posargs still win
    both = ["src/pkg", "tests"]
    assert checked_paths("mypy", both, plain, explicit=False, tests=["tests"]) == ["src/pkg"]
    assert checked_paths("mypy", ["tests"], plain, explicit=False, tests=["tests"]) == ["tests"]
    assert checked_paths("mypy", both, plain, explicit=True, tests=["tests"]) == both
    assert checked_paths("ruff", both, plain, explicit=False, tests=["tests"]) == both
