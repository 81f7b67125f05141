"""Checkers for keys that are tables or lists of tables: accepted exceptions (waivers),
tool pins, action pins, service variables and tiers. Each returns the normalised value or
raises ValueError saying what it expects (the loader adds the file and the key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ci_sessions.config.values import Checker, str_list


@dataclass(frozen=True)
class Waiver:
    """An accepted exception (an advisory to ignore, a test to quarantine): why, until when."""

    id: str
    reason: str
    expires: date | None = None


def waivers(id_example: str, *, expires_required: bool) -> Checker:
    """A list of { id, reason, expires } tables; a reason is always required."""
    shape = f'{{ id = "{id_example}", reason = "...", expires = 2026-12-31 }}'

    def check(value: Any) -> tuple[Waiver, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list of {shape}")
        entries = []
        for index, item in enumerate(value):
            where = f"entry {index + 1}"
            if not isinstance(item, dict):
                raise ValueError(f"{where}: expected a table with id, reason and expires")
            unknown = set(item) - {"id", "reason", "expires"}
            if unknown:
                raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
            if not isinstance(item.get("id"), str) or not item["id"].strip():
                raise ValueError(f"{where}: id is required (such as {id_example})")
            if not isinstance(item.get("reason"), str) or not item["reason"].strip():
                raise ValueError(f"{where} ({item['id']}): reason is required: say why")
            if expires_required and "expires" not in item:
                raise ValueError(f"{where} ({item['id']}): expires is required: a date to revisit")
            entries.append(
                Waiver(item["id"], item["reason"], parse_date(item.get("expires"), where))
            )
        ids = [entry.id for entry in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{duplicates[0]!r} is listed twice")
        return tuple(entries)

    return check


def parse_date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: expires must be a date such as 2026-12-31")


def pin_table(value: Any) -> tuple[tuple[str, str], ...]:
    """{ tool = ">=8,<9" }: a version specifier per tool, replacing ci-sessions' pin."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import canonicalize_name

    if not isinstance(value, dict):
        raise ValueError('expected a table of tool = ">=8,<9"')
    pins = []
    for name, spec in value.items():
        if not isinstance(spec, str):
            raise ValueError(f"{name}: expected a version specifier string")
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise ValueError(f"{name}: {spec!r} is not a version specifier") from None
        pins.append((str(canonicalize_name(name)), spec))
    return tuple(pins)


def env_table(services: tuple[str, ...]) -> Checker:
    """A table of service = "VARIABLE" for the given services."""

    def check(value: Any) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            raise ValueError('expected a table of service = "VARIABLE"')
        for service, variable in value.items():
            if service not in services:
                raise ValueError(
                    f"unknown service {service!r}; expected one of {', '.join(services)}"
                )
            if not isinstance(variable, str) or not re.fullmatch(
                r"[A-Za-z_][A-Za-z0-9_]*", variable
            ):
                raise ValueError(f"{service}: expected an environment variable name")
        return tuple(value.items())

    return check


PIN = re.compile(r"^[0-9a-f]{40}( # \S.*)?$")


def action_pins(value: Any) -> tuple[tuple[str, str], ...]:
    """{ "owner/action" = "<40-hex sha> # tag" }: a full commit SHA, the tag a comment."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of "owner/action" = "<sha> # <tag>"')
    for action, pin in value.items():
        if "/" not in action:
            raise ValueError(f"{action!r}: expected owner/action")
        if not isinstance(pin, str) or not PIN.match(pin):
            raise ValueError(f"{action}: expected a full 40-character commit SHA, then # tag")
    return tuple(value.items())


def tier_table(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """{ tier = ["lint", "tests", ...] }: each tier names session families (which ones
    exist, the loader checks against the families)."""
    if not isinstance(value, dict) or not value:
        raise ValueError('expected a table of tier = ["lint", "tests", ...]')
    tiers = []
    for tier, members in value.items():
        if not re.fullmatch(r"[a-z][a-z0-9-]*", tier):
            raise ValueError(f'{tier!r}: expected a tier name such as "pr"')
        try:
            tiers.append((tier, str_list(members)))
        except ValueError as exc:
            raise ValueError(f"{tier}: {exc}") from None
    return tuple(tiers)
