"""Whose pin wins: [tool.ci_sessions] pins, the project's own, then ci-sessions'.

ci-sessions pins the tools it installs (pytest 9, ...). A project that pins one
of them itself (a test group with `pytest~=7.2`, a uv.lock) knows what its
tests run with: its pin wins, and ci-sessions installs the bare name for the
project's requirement (or lock) to decide. The version a
.pre-commit-config.yaml pins (ruff's rev) is the project's too: exactly that
version installs. `pins = { pytest = ">=8,<9" }` replaces any pin of a tool
outright. Plain functions.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_name(requirement: str) -> str | None:
    """The canonical distribution name of a requirement string; None for options (-r x)."""
    if requirement.lstrip().startswith("-"):
        return None
    match = NAME.match(requirement)
    return canonicalize_name(match.group(1)) if match else None


def names_in(requirements: Iterable[str]) -> set[str]:
    return {name for requirement in requirements if (name := requirement_name(requirement))}


def requirement_file_names(path: Path) -> set[str]:
    """The distributions a requirements file names (its options and includes left out)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return names_in(line.split("#", 1)[0] for line in lines if line.split("#", 1)[0].strip())


def locked_names(lock: Path) -> set[str]:
    """The distributions a uv.lock pins; empty when there is none or it is unreadable.

    uv writes every `[[package]]` table with `name = "..."` as its first line: those lines
    are read straight off the text, a tenth of the time of parsing the whole lock (which
    every nox start would pay). Anything else uv did not write that way is parsed as TOML.
    """
    try:
        text = lock.read_text(encoding="utf-8")
    except OSError:
        return set()
    tables = text.count("\n[[package]]\n") + text.startswith("[[package]]\n")
    named = _UV_LOCK_NAME.findall(text)
    if len(named) == tables:
        return {canonicalize_name(name) for name in named}
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()
    return {canonicalize_name(str(package["name"])) for package in document.get("package", [])}


# A `[[package]]` header and the `name = "..."` line uv writes right under it.
_UV_LOCK_NAME = re.compile(r'^\[\[package\]\]\nname = "([^"\n]+)"$', re.MULTILINE)


def adjust(
    tools: Iterable[str],
    overrides: Mapping[str, str],
    project: Mapping[str, str],
    pre_commit: Mapping[str, str] | None = None,
) -> tuple[list[str], list[str]]:
    """(the tool requirements to install, one line per pin that is not ci-sessions' own).

    overrides: canonical name -> specifier ([tool.ci_sessions] pins); project:
    canonical name -> where the project pins it (a group, uv.lock); pre_commit:
    canonical name -> the version its .pre-commit-config.yaml pins ("==0.11.9").
    """
    pre_commit = pre_commit or {}
    chosen: list[str] = []
    said: list[str] = []
    for requirement in tools:
        name = requirement_name(requirement) or ""
        if name in overrides:
            chosen.append(f"{name}{overrides[name]}")
            said.append(f"{name}: [tool.ci_sessions] pins {overrides[name]} replaces {requirement}")
        elif name in pre_commit:
            chosen.append(f"{name}{pre_commit[name]}")
            said.append(
                f"{name}: the project's .pre-commit-config.yaml pins {name}{pre_commit[name]}, "
                f"which wins over {requirement}"
            )
        elif name in project:
            chosen.append(name)
            said.append(f"{name}: the project's own pin ({project[name]}) wins over {requirement}")
        else:
            chosen.append(requirement)
    return chosen, said
