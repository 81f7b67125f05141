"""The import packages a project's build backend ships, read from its own table: hatch's
wheel `packages`, setuptools' `packages` (or `py-modules`), flit's module, Poetry's
`packages`, and `[tool.coverage.run] source_pkgs`. Where none says, the project's name
(`[project].name`, else `[tool.poetry] name`) suggests one. Pure: the document in, the
names and where they came from out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any


def _tool(document: Mapping[str, Any], *keys: str) -> Any:
    found: Any = document.get("tool", {})
    for key in keys:
        found = found.get(key, {}) if isinstance(found, Mapping) else {}
    return found


def _names(items: Any) -> list[str]:
    return (
        [item for item in items if isinstance(item, str) and item]
        if isinstance(items, list)
        else []
    )


def _hatch(document: Mapping[str, Any]) -> list[str]:
    # ["src/attr", "src/attrs"]: the last part of each path is the import name.
    return [
        PurePosixPath(p).name
        for p in _names(_tool(document, "hatch", "build", "targets", "wheel", "packages"))
    ]


def _setuptools(document: Mapping[str, Any]) -> list[str]:
    table = _tool(document, "setuptools")
    listed = table.get("packages") if isinstance(table, Mapping) else None
    tops = [name.split(".")[0] for name in _names(listed)]
    tops += _names(table.get("py-modules") if isinstance(table, Mapping) else None)
    return list(dict.fromkeys(tops))


def _flit(document: Mapping[str, Any]) -> list[str]:
    name = (
        _tool(document, "flit", "module").get("name")
        if isinstance(_tool(document, "flit", "module"), Mapping)
        else None
    )
    return [name] if isinstance(name, str) and name else []


def _poetry(document: Mapping[str, Any]) -> list[str]:
    packages = (
        _tool(document, "poetry").get("packages")
        if isinstance(_tool(document, "poetry"), Mapping)
        else None
    )
    found = []
    for entry in packages if isinstance(packages, list) else []:
        include = entry.get("include") if isinstance(entry, Mapping) else None
        # A glob or a file (`include = "*.py"`) names no package.
        if isinstance(include, str) and re.fullmatch(r"[A-Za-z_][\w./]*", include):
            found.append(PurePosixPath(include).parts[0])
    return list(dict.fromkeys(found))


def _coverage(document: Mapping[str, Any]) -> list[str]:
    return [
        name.split(".")[0] for name in _names(_tool(document, "coverage", "run").get("source_pkgs"))
    ]


SOURCES = (
    ("[tool.hatch.build.targets.wheel] packages", _hatch),
    ("[tool.setuptools] packages", _setuptools),
    ("[tool.flit.module] name", _flit),
    ("[tool.poetry] packages", _poetry),
    ("[tool.coverage.run] source_pkgs", _coverage),
)


def project_name(document: Mapping[str, Any]) -> str | None:
    """The distribution's name: `[project].name`, else Poetry's own `[tool.poetry] name`."""
    for name in (document.get("project", {}).get("name"), _tool(document, "poetry").get("name")):
        if isinstance(name, str) and name:
            return name
    return None


def import_packages(document: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """The packages and where they were read; None when nothing names one."""
    for source, read in SOURCES:
        found = read(document)
        if found:
            return tuple(found), source
    name = project_name(document)
    if name is None:
        return None
    where = "[project].name" if document.get("project", {}).get("name") else "[tool.poetry] name"
    return (re.sub(r"[-.]+", "_", name).lower(),), where
