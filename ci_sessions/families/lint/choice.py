"""Which lint tools a project asks for, read off its own configuration (no nox here).

A first `nox` must not go red because ci-sessions imposed a formatter the
project does not use, or a type checker it never configured:

===========================================  ==================================
the project configures                        lint runs
===========================================  ==================================
anything                                      ruff check (mild default rules)
[tool.black]                                  black --check
ruff, and not black                           ruff format --check
neither                                       no formatter check
mypy ([tool.mypy], mypy.ini, setup.cfg)       mypy
pyright ([tool.pyright], pyrightconfig.json)  pyright
basedpyright ([tool.basedpyright])            basedpyright
ty ([tool.ty], ty.toml)                       ty
pyrefly ([tool.pyrefly], pyrefly.toml)        pyrefly
none of the type checkers                     no type checker
===========================================  ==================================
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMATTERS = ("black", "ruff-format")
TYPE_CHECKERS = ("mypy", "pyright", "basedpyright", "ty", "pyrefly")
TOOLS = ("ruff", *FORMATTERS, *TYPE_CHECKERS)

# Where each tool's own configuration can live besides pyproject.toml's [tool.<name>].
CONFIG_FILES: dict[str, tuple[str, ...]] = {
    "ruff": ("ruff.toml", ".ruff.toml"),
    "black": (),
    "mypy": ("mypy.ini", ".mypy.ini"),
    "pyright": ("pyrightconfig.json",),
    "basedpyright": (),
    "ty": ("ty.toml",),
    "pyrefly": ("pyrefly.toml",),
}


def configured(tool: str, root: Path, document: Mapping[str, Any]) -> str | None:
    """Where the project configures a tool ("[tool.mypy]", "mypy.ini", ...), or None."""
    if tool in document.get("tool", {}):
        return f"[tool.{tool}]"
    for name in CONFIG_FILES.get(tool, ()):
        if (root / name).is_file():
            return name
    if tool == "mypy" and _setup_cfg_has(root, "mypy"):
        return "[mypy] in setup.cfg"
    return None


def _setup_cfg_has(root: Path, section: str) -> bool:
    path = root / "setup.cfg"
    if not path.is_file():
        return False
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return False
    return parser.has_section(section)


def choose(root: Path, document: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """(the lint tools, one reason per choice) for a project that sets no lint-tools."""
    tools = ["ruff"]
    reasons = ["ruff check: the linter ci-sessions runs"]
    black = configured("black", root, document)
    ruff = configured("ruff", root, document)
    if black:
        tools.append("black")
        reasons.append(f"black: {black} is configured")
    elif ruff:
        tools.append("ruff-format")
        reasons.append(f"ruff format: {ruff} is configured and black is not")
    else:
        reasons.append("no formatter check: neither black nor ruff is configured")
    checkers = [
        (tool, where) for tool in TYPE_CHECKERS if (where := configured(tool, root, document))
    ]
    for tool, where in checkers:
        tools.append(tool)
        reasons.append(f"{tool}: {where} is configured")
    if not checkers:
        reasons.append("no type checker: none is configured")
    return tuple(tools), reasons


def mypy_files_configured(root: Path, document: Mapping[str, Any]) -> bool:
    """Whether the project tells mypy what to check (`files`): then no paths are passed,
    which would override it (one project got 1,351 errors from its vendored code)."""
    table = document.get("tool", {}).get("mypy", {})
    if isinstance(table, dict) and table.get("files"):
        return True
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        path = root / name
        if path.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error:
                continue
            if parser.has_option("mypy", "files"):
                return True
    return False
