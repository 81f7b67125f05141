"""How nox was asked to run: --install-only, and a reused venv of another Python than the
session asks for (nox -r reuses it as it is: a changed session-python or matrix kept
running on the old interpreter, found by the replay of pipeline (f))."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ci_sessions.glue.nox_mode import other_python, venv_python, with_the_asked_python
from tests.unit.fake_nox import Quit, make_session

VIRTUALENV = "home = /x\nversion_info = 3.13.0.final.0\nvirtualenv = 21.1\n"
UV = "home = /x\nimplementation = CPython\nuv = 0.13.9\nversion_info = 3.12.1\n"


def test_the_venvs_python_is_read_from_pyvenv_cfg() -> None:
    assert venv_python(VIRTUALENV) == "3.13" and venv_python(UV) == "3.12"
    assert venv_python("home = /x\n") is None
    assert other_python("3.12", VIRTUALENV) == "3.13"
    assert other_python("3.13t", VIRTUALENV) is None  # the build is not told apart here
    assert other_python("pypy3.12", UV) is None
    assert other_python(False, VIRTUALENV) is None  # a session without a venv


def reused(tmp_path: Path, cfg: str) -> tuple[Any, Any]:
    session = make_session(tmp_path / "s", name="lint")
    venv: Any = session.virtualenv
    Path(venv.location).mkdir(parents=True, exist_ok=True)
    (Path(venv.location) / "pyvenv.cfg").write_text(cfg)
    venv.reuse_existing = True
    session._runner.func.python = "3.12"
    return session, venv


def test_a_reused_venv_of_another_python_is_made_anew(tmp_path: Path) -> None:
    session, venv = reused(tmp_path, VIRTUALENV)
    with_the_asked_python(session)
    assert venv.reuse_existing is False
    venv.create.assert_called_once()


def test_the_right_python_is_reused_as_it_is(tmp_path: Path) -> None:
    session, venv = reused(tmp_path, UV)
    with_the_asked_python(session)
    venv.create.assert_not_called()


def test_under_no_install_it_says_to_run_once_without_it(tmp_path: Path) -> None:
    session, _ = reused(tmp_path, VIRTUALENV)
    session._runner.global_config.no_install = True
    with pytest.raises(Quit, match=r"runs Python 3.13, this session asks for 3.12: run it once"):
        with_the_asked_python(session)
