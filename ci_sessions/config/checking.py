"""Raw TOML checked against the declared keys (ci_sessions.config.schema): every key and
sub-key of a table, nested tables (``narrow.<tier>``, ``suites.<name>``,
``workflow.jobs.<job>`` ...), environment variables that win over a key, and computed
defaults. Every problem is one ConfigError naming the file, the exact table and key,
what was expected and what was given.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_sessions.config import values
from ci_sessions.config.schema import ConfigError, Key, Project, keys_of

# A nested table's name (a tier, a suite, a job): what GitHub and nox accept alike.
TABLE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Where:
    """The file being loaded, its document and the environment."""

    pyproject: Path
    document: Mapping[str, Any]
    environ: Mapping[str, str]

    def error(self, table: str, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.pyproject}: [{table}] {key}{': ' if key else ''}{problem}")


def given_values(
    where: Where, keys: tuple[Key, ...], raw: Mapping[str, Any], table: str
) -> dict[str, Any]:
    """The keys a table gives, checked (field -> value); unknown keys are errors."""
    by_name = {key.name: key for key in keys}
    found = {}
    for name, value in raw.items():
        key = by_name.get(name)
        if key is None:
            raise ConfigError(unknown_key_message(where.pyproject, table, name, list(by_name)))
        found[key.field] = checked(where, table, key, value)
    return found


def checked(where: Where, table: str, key: Key, value: Any) -> Any:
    """One key's value, checked: a nested table through its own keys."""
    if key.nested is not None:
        return _nested(where, f"{table}.{key.name}", key, value)
    try:
        return key.check(value)
    except ValueError as exc:
        raise where.error(table, key.name, f"{exc}, got {values.toml(value)}") from None


def effective(
    where: Where,
    keys: tuple[Key, ...],
    given: dict[str, Any],
    table: str,
    origins: dict[str, str],
    ref: str,
) -> tuple[dict[str, Any], list[str]]:
    """Every key's value (field -> value) but those left to their plain default: the
    environment's where a key names a variable that is set (it wins), the given ones,
    then the computed defaults, each computed once, in whatever order they need each
    other. Also what the user should know of the defaults."""
    found = dict(given)
    for key in keys:
        text = where.environ.get(key.env) if key.env else None
        if text:
            found[key.field] = checked(where, table, key, text)
            origins[f"{ref}{key.name}"] = f"${key.env}"
    by_field = {key.field: key for key in keys}
    computing: set[str] = set()

    def value(field: str) -> Any:
        if field in found:
            return found[field]
        key = by_field[field]
        if key.computed is None:
            return key.default
        if field in computing:
            raise RuntimeError(f"the computed defaults of {table} depend on each other: {field}")
        computing.add(field)
        try:
            found[field] = key.computed(project)
        except ValueError as exc:
            raise where.error(table, key.name, str(exc)) from None
        return found[field]

    project = Project(where.pyproject, where.document, where.environ, value)
    for key in keys:
        if key.computed is not None:
            value(key.field)
    return found, project.notes


def _nested(where: Where, path: str, key: Key, raw: Any) -> Any:
    """A nested table, or (keyed) a table of name -> nested table."""
    kind = key.nested
    assert kind is not None
    if not key.keyed:
        return built(where, path, kind, raw)
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{where.pyproject}: [{path}] must hold tables such as [{path}.<name>], "
            f"got {key.name} = {values.toml(raw)}"
        )
    found = []
    for name, table in raw.items():
        if not TABLE_NAME.match(name):
            raise ConfigError(
                f'{where.pyproject}: [{path}.{name}]: expected a name such as "pr" or "e2e" '
                "(lowercase letters, digits and -)"
            )
        item = built(where, f"{path}.{name}", kind, table, name)
        found.append(item if _named(kind) else (name, item))
    return tuple(found)


def built(where: Where, path: str, kind: type, raw: Any, name: str | None = None) -> Any:
    """A nested table's settings: each key checked, then the class's own check of how
    they go together (its __post_init__ raising ValueError)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where.pyproject}: [{path}] must be a table, got {values.toml(raw)}")
    fields = given_values(where, keys_of(kind), raw, path)
    if name is not None and _named(kind):
        fields["name"] = name
    try:
        return kind(**fields)
    except ValueError as exc:
        raise ConfigError(f"{where.pyproject}: [{path}] {exc}") from None


def _named(kind: type) -> bool:
    """A nested table whose class keeps its own name (a `name` field that is no key)."""
    keyed = {key.field for key in keys_of(kind)}
    return any(
        field.name == "name" and field.name not in keyed for field in dataclasses.fields(kind)
    )


def unknown_key_message(pyproject: Path, table: str, key: str, known: list[str]) -> str:
    message = f"{pyproject}: [{table}] unknown key {key!r}"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message + f"; known keys: {', '.join(known)}"
