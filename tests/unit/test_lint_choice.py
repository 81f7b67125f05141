"""Which lint tools a project asks for, from its own configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ci_sessions.families.lint.choice import choose, mypy_files_configured


@pytest.mark.parametrize(
    ("document", "files", "tools"),
    [
        ({}, {}, ("ruff",)),
        ({"tool": {"ruff": {}}}, {}, ("ruff", "ruff-format")),
        ({"tool": {"ruff": {}, "black": {}}}, {}, ("ruff", "black")),
        ({}, {"ruff.toml": ""}, ("ruff", "ruff-format")),
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


def test_the_reasons_say_why() -> None:
    _, reasons = choose(Path("/nonexistent"), {"tool": {"ruff": {}}})
    assert "ruff format: [tool.ruff] is configured and black is not" in reasons
    assert "no type checker: none is configured" in reasons


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
