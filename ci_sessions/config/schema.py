"""The configuration schema's building blocks: a key, declared once, and a table of keys.

A key is a field of a frozen settings dataclass, declared with :func:`setting`: its
checker, its default (a value, or a callable that computes it from the project), its
description, the environment variable that wins over it, and, for a nested table, the
settings class of that table. The TOML name is the field's with ``-`` for ``_`` unless
given. As tox's ``add_config`` and nox's attrs fields do, one declaration carries
everything: the loader checks every key and sub-key against it, ``check-config``
prints it, and the README's tables are generated from it, so they cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_sessions.config.values import Checker, toml

TABLE = "tool.ci_sessions"
_META = "ci_sessions.key"


class ConfigError(Exception):
    """A configuration problem, worded for the user: file, key, what to do."""


class Project:
    """What a computed default may read: the project, and the other keys' values.

    `value(field)` gives another key's effective value (given, or computed first), so a
    default may depend on others (lint's paths on the package and the test paths).
    """

    def __init__(
        self,
        pyproject: Path,
        document: Mapping[str, Any],
        environ: Mapping[str, str],
        value: Callable[[str], Any],
    ) -> None:
        self.pyproject = pyproject
        self.root = pyproject.parent
        self.document = document
        self.environ = environ
        self.value = value
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """Something the user should know about a default (printed once by register())."""
        self.notes.append(text)


@dataclass(frozen=True)
class Key:
    """One key of ``[tool.ci_sessions]`` or of a sub-table, as its field declares it."""

    name: str  # as written in TOML: "fail-under"
    field: str  # the dataclass field it fills: "fail_under"
    check: Checker  # returns the normalised value or raises ValueError saying what it expects
    default: Any
    description: str
    # The default as the README says it, when it is not a plain value.
    default_text: str | None = None
    # The value names PEP 735 groups, which must exist in [dependency-groups].
    groups: bool = False
    # An environment variable that wins over the key when set (non-empty).
    env: str | None = None
    # The default computed from the project when the key is not given.
    computed: Callable[[Project], Any] | None = None
    # A nested table of keys: its settings class; `keyed`: a table of name -> such a table.
    nested: type | None = None
    keyed: bool = False

    def default_doc(self) -> str:
        if self.default_text is not None:
            text = self.default_text
        elif self.default is None or self.default == ():
            text = "none"
        else:
            text = f"`{toml(self.default)}`"
        return text + (f"; `${self.env}` wins over it" if self.env else "")


def setting(
    check: Checker | None = None,
    default: Any = None,
    doc: str = "",
    *,
    key: str | None = None,
    default_text: str | None = None,
    env: str | None = None,
    groups: bool = False,
    computed: Callable[[Project], Any] | None = None,
    nested: type | None = None,
    keyed: bool = False,
) -> Any:
    """A field of a settings dataclass that is also a configuration key (see Key).

    A nested table needs no checker: its keys are its class's own.
    """
    spec = {
        "key": key,
        "check": check,
        "doc": doc,
        "default_text": default_text,
        "env": env,
        "groups": groups,
        "computed": computed,
        "nested": nested,
        "keyed": keyed,
    }
    return dataclasses.field(default=default, metadata={_META: spec})


def keys_of(kind: type) -> tuple[Key, ...]:
    """The keys a settings class declares, in field order (read once per class)."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return _keys_of(kind)


@functools.cache
def _keys_of(kind: type) -> tuple[Key, ...]:
    found = []
    for field in dataclasses.fields(kind):
        spec = field.metadata.get(_META)
        if spec is None:
            continue
        check = spec["check"] or _no_check
        found.append(
            Key(
                name=spec["key"] or field.name.replace("_", "-"),
                field=field.name,
                check=check,
                default=field.default,
                description=spec["doc"],
                default_text=spec["default_text"],
                groups=spec["groups"],
                env=spec["env"],
                computed=spec["computed"],
                nested=spec["nested"],
                keyed=spec["keyed"],
            )
        )
    return tuple(found)


def _no_check(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class ResolveContext:
    """What a section's resolver may look at besides its own values."""

    pyproject: Path
    document: Mapping[str, Any]
    environ: Mapping[str, str]
    # The Python matrix, as resolved (a key given, or the project's default).
    python: tuple[str, ...] = ()
    # Every session name the families define: names a suite may not take.
    sessions: tuple[str, ...] = ()
    # Where a value came from when not from its key or default ("security.db" ->
    # "$CI_SESSIONS_VULN_DB"): the environment variable that won over the key.
    origins: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A table of keys that builds a frozen settings dataclass.

    `table` None: the keys sit at the top level of [tool.ci_sessions].
    `optional`: an absent table gives None (its presence defines a session).
    `resolve`: settings that depend on more than the keys (another tool's
    table, the environment), decided once when the configuration loads.
    """

    table: str | None
    build: type[Any]
    title: str = ""
    # What the README's markers call it: the table's name, or (top level) the family's.
    name: str = ""
    optional: bool = False
    resolve: Callable[[Any, ResolveContext], Any] | None = None

    @property
    def keys(self) -> tuple[Key, ...]:
        return keys_of(self.build)

    def key(self, name: str) -> Key | None:
        return next((key for key in self.keys if key.name == name), None)

    def make(self, values: Mapping[str, Any]) -> Any:
        """The dataclass from checked values (by field), defaults for the rest."""
        return self.build(**values)

    def heading(self) -> str:
        return f"[{TABLE}.{self.table}]" if self.table else f"[{TABLE}]"

    @property
    def label(self) -> str:
        return self.name or self.table or "core"


def nested_sections(section: Section) -> list[tuple[str, type]]:
    """Every nested table under a section, as (TOML path, settings class), depth first:
    `narrow.<tier>`, `workflow.jobs.<job>`, ..."""
    found: list[tuple[str, type]] = []

    def walk(prefix: str, kind: type) -> None:
        for key in keys_of(kind):
            if key.nested is not None:
                path = f"{prefix}.{key.name}" if prefix else key.name
                path += f".<{_placeholder(key.name)}>" if key.keyed else ""
                found.append((path, key.nested))
                walk(path, key.nested)

    walk(section.table or "", section.build)
    return found


def _placeholder(name: str) -> str:
    return {"narrow": "tier", "triggers": "tier", "suites": "name", "jobs": "job"}.get(name, "name")


def markdown_table(keys: tuple[Key, ...]) -> str:
    """A README table of keys: key, meaning, default."""
    rows = ["| key | meaning | default |", "|---|---|---|"]
    rows += [
        f"| `{key.name}` | {_cell(key.description)} | {_cell(key.default_doc())} |" for key in keys
    ]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """A pipe inside a Markdown table cell, even in a code span, must be escaped."""
    return re.sub(r"(?<!\\)\|", r"\\|", text)
