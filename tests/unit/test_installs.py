from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci_sessions import git
from ci_sessions.glue import installs

STATE = [("pyproject.toml", 120, 1, "h1"), ("src/pkg/__init__.py", 40, 2, "h2")]


def key(args: list[str], state: list[installs.FileState], root: str = "/p") -> str:
    return installs.install_key(args, root, state)


def test_same_install_same_key() -> None:
    assert key([".", "pytest<10"], STATE) == key([".", "pytest<10"], list(STATE))
    assert installs.install_key(["pytest<10"]) == installs.install_key(["pytest<10"])


def test_a_changed_file_argument_pin_or_folder_gives_a_new_key() -> None:
    first = key([".", "pytest<10"], STATE)
    edited = [STATE[0], ("src/pkg/__init__.py", 40, 3, "h3")]
    added = [*STATE, ("src/pkg/new.py", 1, 1, "h4")]
    # Touched, its content the same: the same key (a test that rewrote the file).
    assert key([".", "pytest<10"], [STATE[0], ("src/pkg/__init__.py", 40, 9, "h2")]) == first
    others = [
        key([".", "pytest<10"], edited),
        key([".", "pytest<10"], added),
        key([".", "pytest<10"], STATE, root="/copy"),
        key([".[extra]", "pytest<10"], STATE),
        key([".", "pytest<9"], STATE),
        installs.install_key(["pytest<10"]),
    ]
    assert first not in others
    assert len(set(others)) == len(others)


def test_each_set_of_tools_has_its_own_slot() -> None:
    assert installs.slot(["pytest-xdist", "pytest-split"]) == installs.slot(
        ["pytest-split", "pytest-xdist"]
    )
    assert installs.slot(["build", "twine"]) != installs.slot(["build"])


def test_written_folders_and_bytecode_do_not_count() -> None:
    paths = [
        "src/pkg/mod.py",
        "reports/junit.xml",
        "reports-old/keep.txt",
        ".nox/lint/bin/python",
        "tests/__pycache__/test_x.cpython-313.pyc",
        "src/pkg/mod.pyc",
    ]
    assert installs.outside(paths, ["reports/", ".nox"]) == [
        "reports-old/keep.txt",
        "src/pkg/mod.py",
    ]


def test_project_files_lists_tracked_and_untracked_not_ignored(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "tracked.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("")
    subprocess.run(["git", "-C", str(tmp_path), "add", "tracked.py"], check=True)
    (tmp_path / "new.py").write_text("y = 2\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text("ignored\n")
    assert sorted(git.project_files(tmp_path) or []) == sorted(
        [".gitignore", "new.py", "pyproject.toml", "tracked.py"]
    )


def test_project_files_is_none_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Wherever the tests run (nox puts their temporary folder inside this repository).
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "pyproject.toml").write_text("")
    assert git.project_files(tmp_path) is None


def test_project_files_is_none_where_an_enclosing_repository_ignores_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("project/\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    assert git.project_files(project) is None


def test_file_states_mark_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "here.py").write_text("abc")
    here, gone = installs.file_states(tmp_path, ["here.py", "gone.py"])
    assert here[:2] == ("here.py", 3) and here[2] > 0 and len(here[3]) == 24
    assert gone == ("gone.py", -1, -1, "")


def test_a_file_is_hashed_again_only_when_its_size_or_time_changed(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("abc")
    (state,) = installs.file_states(tmp_path, ["a.py"])
    known = {"a.py": (state[1], state[2], "recorded")}
    assert installs.file_states(tmp_path, ["a.py"], known)[0][3] == "recorded"  # not read
    (tmp_path / "a.py").write_text("abc")  # rewritten, the same content: the same hash
    rewritten = installs.file_states(tmp_path, ["a.py"], {"a.py": (3, -5, "stale")})
    assert rewritten[0][3] == state[3]
    text = installs.marker_text("k", [], [state])
    assert installs.read_known(text) == {"a.py": state[1:]}
    assert installs.read_known(None) == {} and installs.read_known("[1]") == {}


def test_uv_compiles_at_install_only_for_kept_venvs_that_python_would_not_compile() -> None:
    forbid = {"PYTHONDONTWRITEBYTECODE": "1"}
    assert installs.compile_at_install("uv", True, forbid)
    assert not installs.compile_at_install("uv", False, forbid)  # a one-run venv (CI)
    assert not installs.compile_at_install("uv", True, {})  # Python writes it at first import
    assert not installs.compile_at_install("uv", True, {"PYTHONDONTWRITEBYTECODE": ""})
    assert not installs.compile_at_install("virtualenv", True, forbid)  # pip compiles anyway


def test_a_marker_records_the_key_and_what_the_install_wrote() -> None:
    text = installs.marker_text("k1", ["build/lib/a.py", "src/a.egg-info/PKG-INFO"])
    assert installs.read_marker(text) == ("k1", ["build/lib/a.py", "src/a.egg-info/PKG-INFO"])
    assert installs.read_marker(None) == (None, [])
    assert installs.read_marker("0123abcd") == (None, [])  # an older marker: install again


def test_files_an_install_added_or_changed_are_its_own_output() -> None:
    before = [("setup.py", 10, 1, "a"), ("pkg/a.py", 5, 1, "b")]
    after = [*before, ("build/lib/pkg/a.py", 5, 2, "b"), ("pkg.egg-info/PKG-INFO", 90, 2, "c")]
    assert installs.changed(before, after) == ["build/lib/pkg/a.py", "pkg.egg-info/PKG-INFO"]
    assert installs.changed(before, before) == []
