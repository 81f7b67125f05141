"""The docs family: found from the project, built strictly, over a fake runner."""

from __future__ import annotations

from pathlib import Path

import nox.registry
import pytest

from ci_sessions.config import ConfigError
from ci_sessions.families.docs.settings import DocsConfig
from ci_sessions.registry import load_config, register_all
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    Script,
    commands,
    make_session,
    project,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest


def with_files(tmp_path: Path, *files: str, table: str = "") -> Path:
    """The fake session's project with these files, and a table not loaded yet."""
    pyproject = project(tmp_path).pyproject
    for name in files:
        (pyproject.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (pyproject.parent / name).write_text("")
    pyproject.write_text(pyproject.read_text() + table)
    return pyproject


def builds_site(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """mkdocs or sphinx-build writing its site where it is told."""
    out = Path(argv[argv.index("--site-dir") + 1]) if "--site-dir" in argv else Path(argv[-1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text("<html></html>")
    return 0, ""


@pytest.mark.parametrize(
    ("files", "tool", "source"),
    [
        (["mkdocs.yml"], "mkdocs", "mkdocs.yml"),
        (["docs/conf.py"], "sphinx", "docs"),
        (["docs/source/conf.py"], "sphinx", "docs/source"),
        ([], None, None),
    ],
)
def test_the_documentation_tool_is_found_in_the_project(
    tmp_path: Path, files: list[str], tool: str | None, source: str | None
) -> None:
    config = load_config(with_files(tmp_path, *files), environ={"CI": "true"})
    settings = config.of(DocsConfig)
    assert (settings.tool, settings.source) == (tool, source)
    nox.registry.reset()
    register_all(config)
    assert ("docs" in nox.registry.get()) is (tool is not None)


def test_mkdocs_builds_strictly_and_sphinx_with_every_warning_failing(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = load_config(with_files(tmp_path / "a", "mkdocs.yml"), environ={"CI": "true"})
    commands.on("mkdocs", builds_site)
    registered(config, "docs")(make_session(tmp_path / "s1", name="docs"))
    [mkdocs] = [argv for argv in commands.ran if argv[0] == "mkdocs"]
    assert mkdocs[:3] == ["mkdocs", "build", "--strict"]
    sphinx = with_files(
        tmp_path / "b", "docs/conf.py", table="[tool.ci_sessions.docs]\ndoctest = true\n"
    )
    config = load_config(sphinx, environ={"CI": "true"})
    commands.on("sphinx-build", builds_site)
    registered(config, "docs")(make_session(tmp_path / "s2", name="docs"))
    builds = [argv for argv in commands.ran if argv[0] == "sphinx-build"]
    assert [argv[1:5] for argv in builds] == [
        ["-W", "--keep-going", "-b", "html"],
        ["-W", "--keep-going", "-b", "doctest"],
    ]


def test_a_build_that_wrote_no_site_fails(tmp_path: Path, commands: FakeCommands) -> None:
    config = load_config(with_files(tmp_path, "mkdocs.yml"), environ={"CI": "true"})
    nothing: Script = lambda argv, env: (0, "")  # noqa: E731
    commands.on("mkdocs", nothing)
    with pytest.raises(Quit, match=r"docs: the build wrote no .*index.html: nothing was built"):
        registered(config, "docs")(make_session(tmp_path / "s", name="docs"))


@pytest.mark.parametrize(
    ("files", "table", "message"),
    [
        (["mkdocs.yml"], "doctest = true\n", r"doctest: only a Sphinx build runs doctests"),
        ([], 'tool = "sphinx"\n', r"tool = 'sphinx' but no source was found"),
        ([], 'source = "site.yml"\n', r"source: site.yml does not exist"),
    ],
)
def test_docs_settings_that_cannot_build_are_refused(
    tmp_path: Path, files: list[str], table: str, message: str
) -> None:
    pyproject = with_files(tmp_path, *files, table="[tool.ci_sessions.docs]\n" + table)
    with pytest.raises(ConfigError, match=message):
        load_config(pyproject, environ={"CI": "true"})
