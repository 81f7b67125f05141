"""``[tool.ci_sessions.docs]``: which documentation tool, where its sources are, and what
its build needs. Every default is read off the project: `mkdocs.yml` means MkDocs, a
Sphinx `conf.py` under `docs/` means Sphinx; neither, no docs session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ci_sessions.config import values
from ci_sessions.config.schema import Project, ResolveContext, Section, setting

TOOLS = ("mkdocs", "sphinx")
# Where a Sphinx project keeps its conf.py; an MkDocs project its configuration.
SPHINX_SOURCES = ("docs", "doc", "docs/source", "doc/source")
MKDOCS_FILES = ("mkdocs.yml", "mkdocs.yaml")
DOCS_NAMES = ("docs", "doc", "documentation")


def detected_tool(project: Project) -> str | None:
    return _found(project.root)[0]


def detected_source(project: Project) -> str | None:
    return _found(project.root)[1]


def _found(root: Path) -> tuple[str | None, str | None]:
    for name in MKDOCS_FILES:
        if (root / name).is_file():
            return "mkdocs", name
    for folder in SPHINX_SOURCES:
        if (root / folder / "conf.py").is_file():
            return "sphinx", folder
    return None, None


def docs_groups(project: Project) -> tuple[str, ...]:
    declared = project.document.get("dependency-groups", {})
    return tuple(name for name in DOCS_NAMES if name in declared)


def docs_extras(project: Project) -> tuple[str, ...]:
    declared = project.document.get("project", {}).get("optional-dependencies", {})
    return tuple(name for name in DOCS_NAMES if name in declared)


@dataclass(frozen=True)
class DocsConfig:
    tool: str | None = setting(
        values.choices(TOOLS),
        None,
        "`mkdocs` or `sphinx`",
        computed=detected_tool,
        default_text="`mkdocs` where `mkdocs.yml` is, `sphinx` where `docs/conf.py` (or "
        "`doc/`, `docs/source/`) is; neither: no docs session",
    )
    source: str | None = setting(
        values.relative_dir,
        None,
        "the MkDocs configuration file, or the Sphinx source folder (where `conf.py` is)",
        computed=detected_source,
        default_text="the one found",
    )
    extras: tuple[str, ...] = setting(
        values.str_list,
        (),
        "extras the build needs",
        computed=docs_extras,
        default_text="the extras named `docs`, `doc` or `documentation`",
    )
    groups: tuple[str, ...] = setting(
        values.str_list,
        (),
        "PEP 735 groups the build needs",
        computed=docs_groups,
        default_text="the groups named `docs`, `doc` or `documentation`",
        groups=True,
    )
    doctest: bool = setting(
        values.boolean,
        False,
        "Sphinx: also run the code examples of the documentation (`-b doctest`)",
    )


def resolve(settings: DocsConfig, context: ResolveContext) -> DocsConfig:
    if settings.tool is not None and settings.source is None:
        raise ValueError(
            f"[tool.ci_sessions.docs] tool = {settings.tool!r} but no source was found: set "
            "source to the MkDocs configuration file or the Sphinx source folder"
        )
    if settings.source is not None and not (context.pyproject.parent / settings.source).exists():
        raise ValueError(f"[tool.ci_sessions.docs] source: {settings.source} does not exist")
    if settings.doctest and settings.tool != "sphinx":
        raise ValueError("[tool.ci_sessions.docs] doctest: only a Sphinx build runs doctests")
    return settings


DOCS = Section(table="docs", build=DocsConfig, resolve=resolve, title="the documentation build")
