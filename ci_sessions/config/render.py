"""`python -m ci_sessions check-config`: the effective configuration, as TOML.

Every key of the schema with the value the sessions will use, resolved values
included (fail-under from coverage's own table, the vulnerability database
from the environment, the Python of the single-Python sessions), each with a
comment saying where it came from. Values are written as TOML writes them.
"""

from __future__ import annotations

from typing import Any

from ci_sessions.config import SCHEMA, SECTIONS, TABLE, Config
from ci_sessions.config.values import toml

# Resolved values that are not a key's own: (table, key, origin attribute).
ORIGINS = {("coverage", "fail-under"): "fail_under_origin", ("security", "db"): "db_origin"}


def render(config: Config) -> str:
    lines = [f"# {config.pyproject}: OK", f"[{TABLE}]"]
    lines += [_line(key, getattr(config, spec.field)) for key, spec in SCHEMA.items()]
    lines.append(
        f"# resolved: the single-Python sessions run on {config.session_python}"
        + (f" ({'; '.join(config.notes)})" if config.notes else " (the newest of the matrix)")
    )
    if config.absent_pythons:
        lines.append(f"# resolved: not runnable here: {', '.join(config.absent_pythons)}")
    for name, section in SECTIONS.items():
        value = getattr(config, section.field)
        lines.append("")
        if value is None:
            lines.append(f"# [{TABLE}.{name}] not configured: no such session")
            continue
        lines.append(f"[{TABLE}.{name}]")
        for key, spec in section.schema.items():
            origin = ORIGINS.get((name, key))
            comment = f"  # from {getattr(value, origin)}" if origin else ""
            lines.append(_line(key, getattr(value, spec.field)) + comment)
    return "\n".join(lines) + "\n"


def _line(key: str, value: Any) -> str:
    if value is None:
        return f"# {key}: not set"
    return f"{key} = {toml(value)}"
