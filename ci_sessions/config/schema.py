"""The configuration schema's building blocks: a key, and a table of keys.

A key declares, in one place, its TOML name, the field it fills, its checker,
its default and a one-line description (as tox's ``add_config`` does). A
section is a table of keys that builds one frozen dataclass: a family's
``[tool.ci_sessions.<table>]``, or keys a family owns at the top level. The
loader, ``check-config`` and the README's key tables are all built from
these declarations, so they cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_sessions.config.values import Checker, toml

TABLE = "tool.ci_sessions"


class ConfigError(Exception):
    """A configuration problem, worded for the user: file, key, what to do."""


@dataclass(frozen=True)
class Key:
    """One key of ``[tool.ci_sessions]`` or of a sub-table."""

    name: str  # as written in TOML: "fail-under"
    field: str  # the dataclass field it fills: "fail_under"
    check: Checker  # returns the normalised value or raises ValueError saying what it expects
    default: Any
    description: str
    # The default as the README says it, when it is not a plain value
    # (computed from the project, or decided by the mode).
    default_text: str | None = None
    # The value names PEP 735 groups, which must exist in [dependency-groups].
    groups: bool = False

    def default_doc(self) -> str:
        if self.default_text is not None:
            return self.default_text
        if self.default is None or self.default == ():
            return "none"
        return f"`{toml(self.default)}`"


@dataclass(frozen=True)
class ResolveContext:
    """What a section's resolver may look at besides its own values."""

    pyproject: Path
    document: Mapping[str, Any]
    environ: Mapping[str, str]
    # The Python matrix, as resolved (a key given, or the project's default).
    python: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A table of keys that builds a frozen dataclass.

    `table` None: the keys sit at the top level of [tool.ci_sessions].
    `optional`: an absent table gives None (its presence defines a session).
    `resolve`: settings that depend on more than the keys (another tool's
    table, the environment), decided once when the configuration loads.
    """

    table: str | None
    keys: tuple[Key, ...]
    build: type[Any]
    title: str = ""
    # What the README's markers call it: the table's name, or (top level) the family's.
    name: str = ""
    optional: bool = False
    resolve: Callable[[Any, ResolveContext], Any] | None = None

    def key(self, name: str) -> Key | None:
        return next((key for key in self.keys if key.name == name), None)

    def make(self, values: Mapping[str, Any]) -> Any:
        """The dataclass from checked values (by field), defaults for the rest."""
        fields = {key.field: key.default for key in self.keys}
        return self.build(**{**fields, **values})

    def heading(self) -> str:
        return f"[{TABLE}.{self.table}]" if self.table else f"[{TABLE}]"

    @property
    def label(self) -> str:
        return self.name or self.table or "core"


def undeclared_fields(section: Section) -> list[str]:
    """Dataclass fields no key fills and that have no default of their own
    (resolved fields carry a default): a declaration that forgot one."""
    keyed = {key.field for key in section.keys}
    kind: Any = section.build
    if not dataclasses.is_dataclass(kind):
        return []
    return [
        field.name
        for field in dataclasses.fields(kind)
        if field.name not in keyed
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    ]


def markdown_table(section: Section) -> str:
    """The README's table of a section's keys: key, meaning, default."""
    rows = ["| key | meaning | default |", "|---|---|---|"]
    rows += [
        f"| `{key.name}` | {_cell(key.description)} | {_cell(key.default_doc())} |"
        for key in section.keys
    ]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """A pipe inside a Markdown table cell, even in a code span, must be escaped."""
    return re.sub(r"(?<!\\)\|", r"\\|", text)
