"""Value checkers for [tool.ci_sessions]: each returns the normalised value or
raises ValueError with what was expected; config.py adds the file and the key."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

Checker = Callable[[Any], Any]


def toml(value: Any) -> str:
    """A value as TOML writes it (for messages and check-config), not as Python reprs it.

    A settings dataclass is an inline table of its keys (fields that are no key left
    out, and unset ones, as TOML has no null). A list of settings that keep their own
    name (the suites) is a table by name.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in _toml_fields(value)) + " }"
    if isinstance(value, (list, tuple)) and value and all(_named(item) for item in value):
        return toml({item.name: item for item in value})
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, Path)):
        return json.dumps(str(value))  # a JSON string is a valid TOML basic string
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{toml(str(k))} = {toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(item, tuple) and len(item) == 2 for item in value):
            return toml(dict(value))  # a table kept as pairs
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return json.dumps(str(value))


# The metadata key of ci_sessions.config.schema.setting (which imports this module).
_KEY = "ci_sessions.key"


def _toml_fields(value: Any) -> list[tuple[str, Any]]:
    """A settings dataclass's keys and values, by their TOML names (as schema.keys_of
    names them); fields that are no key (a suite's own name) and unset ones left out."""
    fields = dataclasses.fields(value)
    # A settings class shows its keys only; a plain record (no key at all) every field.
    record = not any(_KEY in field.metadata for field in fields)
    found = []
    for field in fields:
        spec = field.metadata.get(_KEY)
        if spec is None and not record:
            continue
        name = (spec or {}).get("key") or field.name.replace("_", "-")
        if getattr(value, field.name) is not None:
            found.append((name, getattr(value, field.name)))
    return found


def _named(item: Any) -> bool:
    """A settings dataclass that keeps its table's name (a suite): shown as that table."""
    return (
        dataclasses.is_dataclass(item)
        and not isinstance(item, type)
        and any(
            field.name == "name" and _KEY not in field.metadata
            for field in dataclasses.fields(item)
        )
    )


def str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    if any(not v.strip() for v in value):
        raise ValueError("expected non-empty strings")
    return tuple(value)


def non_empty_str_list(value: Any) -> tuple[str, ...]:
    items = str_list(value)
    if not items:
        raise ValueError("expected at least one entry")
    return items


def str_or_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    return non_empty_str_list(value)


# CPython "3.12", its free-threaded build "3.13t", PyPy "pypy3.11".
VERSION = re.compile(r"^(3\.\d+t?|pypy3\.\d+)$")
# pytest 9, which every test session runs, needs 3.10; so do mypy 2 and black 26.
OLDEST_PYTHON = (3, 10)


def python_versions(value: Any) -> tuple[str, ...]:
    versions = non_empty_str_list(value)
    bad = [v for v in versions if not VERSION.match(v)]
    if bad:
        raise ValueError(
            f'expected versions like "3.12", "3.13t" (free-threaded) or "pypy3.11", '
            f"got {toml(bad[0])}"
        )
    if len(set(versions)) != len(versions):
        raise ValueError("lists a version twice")
    too_old = [v for v in versions if too_old_python(v)]
    if too_old:
        oldest = ".".join(map(str, OLDEST_PYTHON))
        raise ValueError(
            f"{', '.join(too_old)}: older than {oldest}, the oldest Python the sessions' tools "
            f"run on (pytest 9 needs {oldest}); test older Pythons with another tool"
        )
    return versions


def rate(value: Any) -> float:
    """A share of the tests run, 0 included: 0.10 for 10%."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError("expected a share from 0 up to (not including) 1, such as 0.10 for 10%")
    return float(value)


def budget_problem(max_rate: float, warn_rate: float) -> str | None:
    """Why a failure budget is inconsistent (a warn level above its max never warns)."""
    if warn_rate > max_rate:
        return (
            f"warn-failure-rate {warn_rate:g} is above max-failure-rate {max_rate:g}: it "
            "could never warn; lower it"
        )
    return None


def session_pythons(value: Any) -> tuple[tuple[str, str], ...]:
    """`"3.11"` (every single-Python session) or `{ lint = "3.11" }` (those named; the
    others on the default): (session, version) pairs, `*` for every session."""
    if isinstance(value, str):
        return (("*", python_versions([value])[0]),)
    if not isinstance(value, dict) or not value:
        raise ValueError('expected a version ("3.11") or a table of session = "version"')
    pairs = []
    for name, version in value.items():
        try:
            pairs.append((name, python_versions([version])[0]))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return tuple(pairs)


def too_old_python(version: str) -> bool:
    major, minor = version.removeprefix("pypy").removesuffix("t").split(".")[:2]
    return (int(major), int(minor)) < OLDEST_PYTHON


def choices(allowed: tuple[str, ...]) -> Checker:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(map(repr, allowed))}")
        return str(value)

    return check


def subset_of(allowed: tuple[str, ...], *, at_least_one: bool = False) -> Checker:
    def check(value: Any) -> tuple[str, ...]:
        items = str_list(value)
        unknown = [v for v in items if v not in allowed]
        if unknown:
            raise ValueError(
                f"unknown entry {toml(unknown[0])}; expected some of {', '.join(allowed)}"
            )
        if at_least_one and not items:
            raise ValueError(f"expected at least one of {', '.join(allowed)}")
        return items

    return check


def _inside(value: str) -> bool:
    return not (Path(value).is_absolute() or ".." in Path(value).parts)


def relative_dir(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a folder name")
    if not _inside(value):
        raise ValueError("expected a folder inside the project")
    return value


def project_paths(value: Any) -> tuple[str, ...]:
    """Files or folders inside the project: a gate vouches for this project's code only."""
    items = non_empty_str_list(value)
    outside = [item for item in items if not _inside(item)]
    if outside:
        raise ValueError(
            f"{toml(outside[0])} is outside the project; expected paths relative to it"
        )
    return items


def _finite_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def percentage(value: Any) -> float:
    if not _finite_number(value) or not 0 <= value <= 100:
        raise ValueError("expected a number from 0 to 100")
    return float(value)


def percentage_table(value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise ValueError('expected a table of "glob" = percentage')
    entries = []
    for pattern, minimum in value.items():
        try:
            entries.append((pattern, percentage(minimum)))
        except ValueError as exc:
            raise ValueError(f"entry {pattern!r}: {exc}") from None
    return tuple(entries)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def whole_number(minimum: int, why: str = "") -> Checker:
    """A whole number of at least `minimum` (TOML booleans are not numbers here)."""
    wanted = ", 0 or more" if minimum == 0 else f" of at least {minimum}"

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"expected a whole number{wanted}{why}")
        return value

    return check


positive_int = whole_number(1)
count = whole_number(0)
at_least_two = whole_number(2, " (one run shows no flake)")


def git_ref(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or value.startswith("-"):
        raise ValueError("expected a git branch or ref")
    return value


def non_empty_str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value


def marker_name(value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError('expected a pytest marker name such as "slow"')
    return value


def marker_expression(value: Any) -> str:
    """A pytest -m expression, parsed as pytest will parse it."""
    from ci_sessions.marker_expression import problem

    text = non_empty_str(value)
    found = problem(text)
    if found:
        raise ValueError(f"not a pytest -m expression ({found})")
    return text


def seconds(value: Any) -> float:
    if not _finite_number(value) or value <= 0:
        raise ValueError("expected a finite number of seconds above 0")
    return float(value)


def seconds_or_zero(value: Any) -> float:
    """A finite number of seconds; 0 turns the limit off."""
    if not _finite_number(value) or value < 0:
        raise ValueError("expected a finite number of seconds, 0 or more (0: no limit)")
    return float(value)


def environment(value: Any) -> tuple[tuple[str, str], ...]:
    """{ NAME = "value" }: environment variables, names as the shell writes them."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of NAME = "value"')
    for name, text in value.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"{name!r}: expected an environment variable name")
        if not isinstance(text, str):
            raise ValueError(f"{name}: expected a string value")
    return tuple(value.items())


def fraction(value: Any) -> float:
    """A share such as 0.10 for 10%, above 0 and below 1."""
    if not _finite_number(value) or not 0 < value < 1:
        raise ValueError("expected a fraction above 0 and below 1, such as 0.10 for 10%")
    return float(value)
