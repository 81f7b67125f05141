"""PEP 751 lock files: which one a project has, and what it locks on each Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions import pylock
from ci_sessions.config import ConfigError
from ci_sessions.registry import load_config

LOCK = """lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "requests"
version = "2.30.0"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"

[[packages]]
name = "tomli"
version = "2.0.1"
marker = "python_version < '3.11'"

[[packages]]
name = "exceptiongroup"
version = "1.2.0"
marker = "python_version < '3.13'"

[[packages]]
name = "local-thing"
directory = { path = "vendor/thing" }
"""


def test_the_plain_lock_first_else_the_only_named_one(tmp_path: Path) -> None:
    assert pylock.find(tmp_path) == (None, "")
    (tmp_path / "pylock.dev.toml").write_text(LOCK)
    assert pylock.find(tmp_path) == ("pylock.dev.toml", "")
    (tmp_path / "pylock.ci.toml").write_text(LOCK)
    assert pylock.find(tmp_path) == (
        "pylock.ci.toml",
        "lock files pylock.ci.toml, pylock.dev.toml: pylock.ci.toml is used",
    )
    (tmp_path / "pylock.toml").write_text(LOCK)
    assert pylock.find(tmp_path) == ("pylock.toml", "")


def test_each_python_gets_what_the_markers_give_it(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text(LOCK)
    locked = pylock.read(tmp_path / "pylock.toml")
    assert [p.name for p in locked] == ["requests", "colorama", "tomli", "exceptiongroup"]
    on_312 = {p.name for p in pylock.for_python(locked, "3.12")}
    on_313 = {p.name for p in pylock.for_python(locked, "3.13t")}
    assert on_312 == {"requests", "exceptiongroup"} and on_313 == {"requests"}
    assert pylock.names(locked) >= {"requests", "colorama"}


def test_a_broken_lock_is_one_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "pylock.toml").write_text("lock-version = \n")
    with pytest.raises(ConfigError, match=r"pylock.toml: cannot be read as a PEP 751 lock file"):
        load_config(tmp_path / "pyproject.toml", environ={"CI": "true"})
