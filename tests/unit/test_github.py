from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.families.lint.tools import annotations_of
from ci_sessions.github import Annotation, command, emit, from_mypy, relative

MYPY = """src/pkg/a.py:12: error: Incompatible return value type (got "str", expected "int")  \
[return-value]
src/pkg/a.py:3:5: error: Name "x" is not defined  [name-defined]
src/pkg/a.py:4: note: See https://mypy.readthedocs.io
Found 2 errors in 1 file (checked 3 source files)
"""


def test_from_mypy(tmp_path: Path) -> None:
    assert from_mypy(MYPY, tmp_path) == [
        Annotation(
            "src/pkg/a.py",
            12,
            "mypy [return-value]",
            'Incompatible return value type (got "str", expected "int")',
        ),
        Annotation("src/pkg/a.py", 3, "mypy [name-defined]", 'Name "x" is not defined'),
    ]


def test_relative_paths(tmp_path: Path) -> None:
    assert relative(str(tmp_path / "src" / "a.py"), tmp_path) == "src/a.py"
    assert relative("./src/a.py", tmp_path) == "src/a.py"
    assert relative("/elsewhere/a.py", tmp_path) == "/elsewhere/a.py"


def test_command_escapes_data_and_properties() -> None:
    text = command(Annotation("src/a,b.py", 7, "mypy: x", "50% done\nnext"))
    assert text == "::error file=src/a%2Cb.py,line=7,title=mypy%3A x::50%25 done%0Anext"


def test_emit_only_on_github(capsys: pytest.CaptureFixture[str]) -> None:
    found = [Annotation("a.py", 1, "t", "m")]
    assert emit(found, {}) == 0
    assert capsys.readouterr().out == ""
    assert emit(found, {"GITHUB_ACTIONS": "true"}) == 1
    assert capsys.readouterr().out == "::error file=a.py,line=1,title=t::m\n"


def test_from_ruff_concise_output(tmp_path: Path) -> None:
    output = (
        "src/pkg/a.py:1:8: F401 [*] `os` imported but unused\n"
        "src/pkg/b.py:3:1: E402 Module level import not at top of file\n"
        "Found 2 errors.\n"
    )
    assert annotations_of("ruff", output, tmp_path) == [
        Annotation("src/pkg/a.py", 1, "ruff F401", "`os` imported but unused"),
        Annotation("src/pkg/b.py", 3, "ruff E402", "Module level import not at top of file"),
    ]
    assert annotations_of("black", "would reformat src/pkg/a.py", tmp_path) == []
