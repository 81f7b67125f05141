"""PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): which one a project has, and
what it locks for a given Python (each package's `marker` evaluated with packaging's
marker implementation for that Python, the rest of the environment this machine's).

Installs read the file itself (uv installs from it, verifying its hashes); the security
scan and the pins read it here. Pure but for reading the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import InvalidMarker, Marker, default_environment
from packaging.utils import canonicalize_name

NAMED = re.compile(r"^pylock\.[^.]+\.toml$")


class PylockError(ValueError):
    """A lock file that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Locked:
    name: str
    version: str
    marker: str = ""


def find(root: Path) -> tuple[str | None, str]:
    """(the lock file's name, a note when there was a choice): `pylock.toml` first, else
    the only `pylock.<name>.toml`; several named ones and no plain one: the first, said."""
    if (root / "pylock.toml").is_file():
        return "pylock.toml", ""
    named = sorted(path.name for path in root.glob("pylock.*.toml") if NAMED.match(path.name))
    if not named:
        return None, ""
    note = f"lock files {', '.join(named)}: {named[0]} is used" if len(named) > 1 else ""
    return named[0], note


def read(path: Path) -> list[Locked]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PylockError(f"{path}: cannot be read as a PEP 751 lock file ({exc})") from None
    found = []
    for entry in document.get("packages", []):
        if not isinstance(entry, dict) or "name" not in entry:
            raise PylockError(f"{path}: a [[packages]] entry without a name")
        if "version" not in entry:
            continue  # a directory or VCS source: no version to scan or pin
        found.append(
            Locked(str(entry["name"]), str(entry["version"]), str(entry.get("marker", "")))
        )
    return found


def names(packages: Iterable[Locked]) -> set[str]:
    return {canonicalize_name(package.name) for package in packages}


def for_python(packages: Sequence[Locked], python: str) -> list[Locked]:
    """What the lock installs on this Python ("3.12", "3.13t", "pypy3.11")."""
    version = python.removeprefix("pypy").removesuffix("t")
    environment: dict[str, str] = {
        **{key: str(value) for key, value in default_environment().items()},
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "pypy" if python.startswith("pypy") else "cpython",
        "platform_python_implementation": "PyPy" if python.startswith("pypy") else "CPython",
    }
    chosen = []
    for package in packages:
        try:
            if not package.marker or Marker(package.marker).evaluate(environment):
                chosen.append(package)
        except InvalidMarker:
            chosen.append(package)  # a marker packaging cannot read: scanned, never skipped
    return chosen
