"""Import packages from the build backend's own table (#29 2, 3): a hatch project with two
packages, setuptools, flit, Poetry (with and without [project]), coverage's source_pkgs;
the project's name only where none of them says."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from ci_sessions.config.backends import import_packages, project_name
from ci_sessions.registry import load_config


def read_toml(text: str) -> dict[str, object]:
    return tomllib.loads(text)


@pytest.mark.parametrize(
    ("toml", "packages", "source"),
    [
        (
            '[project]\nname = "attrs"\n[tool.hatch.build.targets.wheel]\n'
            'packages = ["src/attr", "src/attrs"]\n',
            ("attr", "attrs"),
            "[tool.hatch.build.targets.wheel] packages",
        ),
        (
            '[project]\nname = "x"\n[tool.setuptools]\npackages = ["alpha", "alpha.sub", "beta"]\n',
            ("alpha", "beta"),
            "[tool.setuptools] packages",
        ),
        (
            '[project]\nname = "x"\n[tool.flit.module]\nname = "xmod"\n',
            ("xmod",),
            "[tool.flit.module] name",
        ),
        (
            '[tool.poetry]\nname = "my-lib"\n'
            'packages = [{ include = "mylib", from = "src" }, { include = "*.py" }]\n',
            ("mylib",),
            "[tool.poetry] packages",
        ),
        ('[tool.poetry]\nname = "My.Lib"\n', ("my_lib",), "[tool.poetry] name"),
        (
            '[project]\nname = "pkg"\n[tool.coverage.run]\nsource_pkgs = ["one", "two.sub"]\n',
            ("one", "two"),
            "[tool.coverage.run] source_pkgs",
        ),
        ('[project]\nname = "Demo-Pkg"\n', ("demo_pkg",), "[project].name"),
    ],
)
def test_the_packages_come_from_the_backend_first(
    toml: str, packages: tuple[str, ...], source: str
) -> None:
    assert import_packages(read_toml(toml)) == (packages, source)


def test_nothing_names_a_package() -> None:
    assert import_packages(read_toml('[build-system]\nrequires = ["x"]\n')) is None
    assert project_name(read_toml('[tool.poetry]\nname = "p"\n')) == "p"


def test_a_poetry_project_without_a_project_table_loads(tmp_path: Path) -> None:
    (tmp_path / "src" / "mylib").mkdir(parents=True)
    (tmp_path / "src" / "mylib" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
            [tool.poetry]
            name = "my-lib"
            version = "1.0"
            packages = [{ include = "mylib", from = "src" }]

            [tool.poetry.dependencies]
            python = "^3.11"

            [build-system]
            requires = ["poetry-core"]
            build-backend = "poetry.core.masonry.api"
            """))
    config = load_config(tmp_path / "pyproject.toml", environ={"CI": "true"})
    assert config.packages == ("mylib",) and config.project_name == "my-lib"
    assert config.paths == ("src/mylib", "tests")
    assert "3.11" in config.python
    assert any("from [tool.poetry] packages" in note for note in config.notes)
