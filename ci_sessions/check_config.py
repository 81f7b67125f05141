"""`python -m ci_sessions check-config`: the effective configuration, as TOML.

Every key of every section the configuration was loaded with, with the value
the sessions will use: resolved values included (fail-under from coverage's
own table, the vulnerability database from the environment, the Python of
the single-Python sessions), each with a comment saying where it came from.
"""

from __future__ import annotations

from typing import Any

from ci_sessions.config import CORE, Config, Section
from ci_sessions.config.values import toml
from ci_sessions.registry import sections

# Resolved values that say where they came from: (field, the field naming the origin).
ORIGINS = {"fail_under": "fail_under_origin", "db": "db_origin"}


def render(config: Config) -> str:
    lines = [f"# {config.pyproject}: OK", CORE.heading()]
    lines += [_line(key.name, getattr(config, key.field)) for key in CORE.keys]
    lines.append(
        f"# resolved: the single-Python sessions run on {config.session_python}"
        + (f" ({'; '.join(config.notes)})" if config.notes else " (the newest of the matrix)")
        + (" unless session-python says otherwise" if config.session_pythons else "")
    )
    if config.absent_pythons:
        lines.append(f"# resolved: not runnable here: {', '.join(config.absent_pythons)}")
    # Top-level keys a family owns come right after the project-wide ones.
    ordered = sorted(sections(config.families)[1:], key=lambda section: section.table is not None)
    for section in ordered:
        lines += _section(config, section)
    return "\n".join(lines) + "\n"


def _section(config: Config, section: Section) -> list[str]:
    value = config.get(section.build)
    lines = [] if section.table is None else [""]
    if value is None:
        return [*lines, f"# {section.heading()} not configured: no such session"]
    if section.table is not None:
        lines.append(section.heading())
    for key in section.keys:
        origin = ORIGINS.get(key.field)
        comment = f"  # from {getattr(value, origin)}" if origin and hasattr(value, origin) else ""
        lines.append(_line(key.name, getattr(value, key.field)) + comment)
    return lines


def _line(key: str, value: Any) -> str:
    if value is None:
        return f"# {key}: not set"
    return f"{key} = {toml(value)}"
