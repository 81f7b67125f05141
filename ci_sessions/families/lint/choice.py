"""Which lint tools a project asks for, read off its own configuration (no nox here).

A first `nox` must not go red because ci-sessions imposed a formatter the
project does not use, a type checker it never configured, or a newer ruff's
wider default rules (ruff 0.17 enables hundreds; the baseline below is the
classic four); the versions a .pre-commit-config.yaml pins win (see pre_commit):

===========================================  ==================================
the project configures                        lint runs
===========================================  ==================================
ruff's `select` (settings or ruff.toml)       ruff check, with the project's rules
no ruff, or ruff settings without `select`    ruff check --select E4,E7,E9,F (and its
                                              other settings: extend-select, ignore)
[tool.black], or a black hook                 black --check
[tool.ruff.format], or a ruff-format hook     ruff format --check (black absent)
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
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ci_sessions.config import own_ci
from ci_sessions.config.discover import pre_commit
from ci_sessions.families.lint.tools import BY_NAME, NAMES, of_kind

TOOLS = NAMES
TYPE_CHECKERS = of_kind("type checker")


def configured(tool: str, root: Path, document: Mapping[str, Any]) -> str | None:
    """Where the project configures a tool ("[tool.mypy]", "mypy.ini", ...), or None."""
    record = BY_NAME[tool]
    if record.table is not None and record.table in document.get("tool", {}):
        return f"[tool.{record.table}]"
    for name in record.config_files:
        if (root / name).is_file():
            return name
    if tool == "mypy" and _setup_cfg_has(root, "mypy"):
        return "[mypy] in setup.cfg"
    return None


def _hooked(tool: str, hooks: set[str]) -> str | None:
    hook = BY_NAME[tool].hook
    return f"a {hook} pre-commit hook" if hook is not None and hook in hooks else None


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


# What ruff checks in a project that does not configure it: the rules ruff long
# had as its default, errors rather than style.
RUFF_BASELINE = ("--select", "E4,E7,E9,F")


def ruff_selects(root: Path, document: Mapping[str, Any]) -> str | None:
    """Where the project selects ruff's rules (`select`, top level or under `lint`), or
    None: ruff then runs the classic rules, never a newer ruff's wider defaults."""
    tables: list[tuple[str, Any]] = [("[tool.ruff]", document.get("tool", {}).get("ruff"))]
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if path.is_file():
            try:
                tables.append((name, tomllib.loads(path.read_text(encoding="utf-8"))))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
    for where, table in tables:
        if not isinstance(table, Mapping):
            continue
        lint = table.get("lint")
        if "select" in table or (isinstance(lint, Mapping) and "select" in lint):
            return where
    return None


def ruff_configured(root: Path, document: Mapping[str, Any]) -> str | None:
    """Where the project configures ruff (its settings, or a ruff pre-commit hook)."""
    _, hooks = pre_commit(root)
    return configured("ruff", root, document) or _hooked("ruff", hooks)


def choose(root: Path, document: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """(the lint tools, one reason per choice) for a project that sets no lint-tools."""
    _, hooks = pre_commit(root)
    tools = ["ruff"]
    ruff = ruff_configured(root, document)
    selects = ruff_selects(root, document)
    if selects:
        reason = f"ruff check: {selects} selects its rules"
    elif ruff:
        reason = (
            f"ruff check, the classic rules (E4, E7, E9, F): {ruff} selects none, and a newer "
            "ruff's defaults are wider than the ruff the project ran"
        )
    else:
        reason = "ruff check, the baseline rules (E4, E7, E9, F): ruff is not configured"
    reasons = [reason]
    black = configured("black", root, document) or _hooked("black", hooks)
    ruff_format = (
        "[tool.ruff.format]"
        if isinstance(document.get("tool", {}).get("ruff", {}).get("format"), dict)
        else _hooked("ruff-format", hooks)
    )
    if black:
        tools.append("black")
        reasons.append(f"black: {black} is configured")
    elif ruff_format:
        tools.append("ruff-format")
        reasons.append(f"ruff format: {ruff_format} is configured and black is not")
    else:
        reasons.append("no formatter check: neither black nor ruff's formatter is configured")
    checkers = [
        (tool, where) for tool in TYPE_CHECKERS if (where := configured(tool, root, document))
    ]
    # The project's own CI decides which of them it gates on, where it runs one at all.
    gated = own_ci.read(root, document).type_checkers()
    if gated is not None and gated[0]:
        for tool, where in checkers:
            if tool not in gated[0]:
                reasons.append(f"no {tool}: {where} is configured, but {gated[1]} does not run it")
        checkers = [(tool, where) for tool, where in checkers if tool in gated[0]]
    for tool, where in checkers:
        tools.append(tool)
        reasons.append(
            f"{tool}: {where} is configured"
            + (f", and {gated[1]} runs it" if gated is not None and gated[0] else "")
        )
    if not checkers:
        reasons.append("no type checker: none is configured")
    return tuple(tools), reasons


def _mypy_option(root: Path, document: Mapping[str, Any], name: str) -> Any:
    """A mypy option as the project sets it: [tool.mypy], else mypy.ini, .mypy.ini or
    setup.cfg's [mypy]; None when unset."""
    table = document.get("tool", {}).get("mypy", {})
    if isinstance(table, dict) and name in table:
        return table[name]
    for file in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        path = root / file
        if path.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error:
                continue
            if parser.has_option("mypy", name):
                return parser.get("mypy", name)
    return None


# The newest mypy that still accepts an older `python_version`, measured here: mypy 2.4
# refuses anything below 3.10 ("Python 3.9 is not supported (must be 3.10 or higher)"),
# 1.17 to 1.20 accept 3.9 and refuse 3.8, 1.16 accepts 3.8.
MYPY_FOR_TARGET = (((3, 8), "mypy>=1.16,<1.17"), ((3, 9), "mypy>=1.20,<2"))


def mypy_pin_for_target(root: Path, document: Mapping[str, Any]) -> tuple[str, str] | None:
    """(the mypy pin, why) when the project's mypy `python_version` is older than the
    default mypy accepts; None otherwise (or for a target older than any measured)."""
    value = _mypy_option(root, document, "python_version")
    try:
        target = tuple(int(part) for part in str(value).split(".")[:2])
    except ValueError:
        return None
    for version, pin in MYPY_FOR_TARGET:
        if target == version:
            return pin, (
                f"mypy: {pin}, since the project's python_version {value} is older than "
                "mypy 2 accepts"
            )
    return None


def mypy_files_configured(root: Path, document: Mapping[str, Any]) -> bool:
    """Whether the project tells mypy what to check (`files`): then no paths are passed,
    which would override it (one project got 1,351 errors from its vendored code)."""
    return bool(_mypy_option(root, document, "files"))
