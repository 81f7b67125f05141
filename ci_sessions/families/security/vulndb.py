"""OSV advisories (a mirror of pypa/advisory-database) -> safety's offline database.

safety 3.7 reads a folder with ``insecure.json`` (package -> vulnerable
specifiers) and ``insecure_full.json`` (the advisories behind each specifier),
schema 2.0.0. The conversion is plain functions over plain data; reading the
folder and caching the result are the only I/O, at the bottom.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

SAFETY_SCHEMA = "2.0.0"
SAFETY_FILES = ("insecure.json", "insecure_full.json")


class DatabaseError(Exception):
    """The vulnerability database cannot be used; the message says what to do."""


def range_specifiers(events: Iterable[Mapping[str, str]]) -> list[str]:
    """OSV ECOSYSTEM range events -> PEP 440 specifiers, one per affected span."""
    specs: list[str] = []
    introduced: str | None = None
    for event in events:
        if "introduced" in event:
            introduced = event["introduced"]
        elif "fixed" in event and introduced is not None:
            specs.append(_span(introduced, f"<{event['fixed']}"))
            introduced = None
        elif "last_affected" in event and introduced is not None:
            specs.append(_span(introduced, f"<={event['last_affected']}"))
            introduced = None
    if introduced is not None:  # still affected: no fix yet
        specs.append(f">={introduced}")
    return [spec for spec in specs if _valid(spec)]


def pinned_pairs(requirements: str) -> list[tuple[str, str]]:
    """(name, version) of every `name==version [; marker]` line, each pair once.

    A universal resolution may pin a package twice, at one version per group
    of Pythons: both are kept, since both can be installed.
    """
    found: list[tuple[str, str]] = []
    for line in requirements.splitlines():
        requirement = line.split(";", 1)[0].split("#", 1)[0].strip()
        name, separator, version = requirement.partition("==")
        if separator and name.strip() and (pair := (name.strip(), version.strip())) not in found:
            found.append(pair)
    return found


def _span(introduced: str, upper: str) -> str:
    return upper if introduced == "0" else f">={introduced},{upper}"


def _valid(spec: str) -> bool:
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    return True


@dataclass(frozen=True)
class Affected:
    package: str
    specifiers: tuple[str, ...]
    fixed: tuple[str, ...]


def affected_packages(advisory: Mapping[str, Any]) -> list[Affected]:
    """The PyPI packages an advisory affects, with specifiers and fixed versions."""
    found = []
    for affected in advisory.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        specs: list[str] = []
        fixed: list[str] = []
        for span in affected.get("ranges", []):
            if span.get("type") != "ECOSYSTEM":
                continue  # GIT ranges name commits, not releases
            events = span.get("events", [])
            specs += range_specifiers(events)
            fixed += [event["fixed"] for event in events if "fixed" in event]
        if not specs:  # some advisories list exact versions only
            specs = [f"=={v}" for v in affected.get("versions", []) if _valid(f"=={v}")]
        if specs:
            found.append(Affected(canonicalize_name(package["name"]), tuple(specs), tuple(fixed)))
    return found


def to_safety_db(
    advisories: Iterable[Mapping[str, Any]], *, source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build (insecure.json, insecure_full.json) from OSV advisories."""
    short: dict[str, list[str]] = {}
    full: dict[str, list[dict[str, Any]]] = {}
    count = 0
    pypi = 0
    newest: datetime | None = None
    for advisory in advisories:
        if advisory.get("withdrawn"):
            continue
        count += 1
        modified = parse_time(advisory.get("modified"))
        if modified is not None and (newest is None or modified > newest):
            newest = modified
        cves = [a for a in advisory.get("aliases", []) if a.startswith("CVE-")]
        packages = affected_packages(advisory)
        pypi += bool(packages)
        for affected in packages:
            known = short.setdefault(affected.package, [])
            known += [spec for spec in affected.specifiers if spec not in known]
            full.setdefault(affected.package, []).append(
                {
                    "specs": list(affected.specifiers),
                    "ids": [{"type": "pyup", "id": advisory["id"]}]
                    + [{"type": "cve", "id": cve} for cve in cves[:1]],
                    "advisory": advisory.get("summary") or advisory.get("details", ""),
                    "fixed_versions": list(affected.fixed),
                    "affected_versions": [],
                    "published_date": _iso(parse_time(advisory.get("published"))),
                    "aliases": advisory.get("aliases", []),
                }
            )
    if count == 0:
        raise DatabaseError(f"{source}: holds no OSV advisory")
    if pypi == 0:
        raise DatabaseError(
            f"{source}: holds no PyPI advisory ({count} advisories of other ecosystems), so "
            "it cannot vouch for Python dependencies"
        )
    meta = {
        "schema_version": SAFETY_SCHEMA,
        "timestamp": int(newest.timestamp()) if newest else 0,
        "base_domain": "",
        "ci_sessions": {"source": source, "advisories": count},
    }
    return (
        {"meta": meta, "vulnerable_packages": short},
        {"meta": {**meta, "packages": {}, "severities": {}}, "vulnerable_packages": full},
    )


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def database_time(insecure: Mapping[str, Any]) -> datetime | None:
    """When the newest advisory of a safety database was modified."""
    timestamp = insecure.get("meta", {}).get("timestamp")
    if isinstance(timestamp, (int, float)) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    return None


def age_problem(built: datetime | None, now: datetime, max_age_days: int) -> str | None:
    if built is None:
        return "the database carries no date, so its age cannot be checked"
    age = (now - built).days
    if age > max_age_days:
        return (
            f"the newest advisory is from {built.date()} ({age} days old), older than "
            f"max-db-age-days = {max_age_days}: update the mirror"
        )
    return None


# --- I/O: reading a folder, caching the conversion ---------------------------


def fingerprint(folder: Path) -> str:
    """Changes whenever a file of the folder is added, removed or modified."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(
                f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()[:24]


def read_osv_folder(folder: Path) -> list[dict[str, Any]]:
    import yaml  # only this path needs it

    # libyaml's loader, where the wheel has it, is ~10x faster on a full mirror.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    advisories = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if path.suffix == ".json" else _load_yaml(text, loader)
        except (ValueError, yaml.YAMLError) as exc:
            raise DatabaseError(f"{path}: not a readable OSV advisory ({exc})") from None
        if not isinstance(data, dict) or "id" not in data:
            raise DatabaseError(f"{path}: not an OSV advisory (no id)")
        advisories.append(data)
    return advisories


def _load_yaml(text: str, loader: Any) -> Any:
    import yaml

    # The loader is a safe one (libyaml's CSafeLoader or SafeLoader), hence the nosec.
    return yaml.load(text, loader)  # nosec B506


def prepare(source: Path, cache_root: Path) -> Path:
    """A folder safety can read: `source` itself, or its OSV advisories converted.

    Conversions are cached by the folder's fingerprint, so an unchanged mirror
    is converted once and a changed one is converted again.
    """
    try:
        source = source.resolve(strict=True)
    except FileNotFoundError:
        raise DatabaseError(f"{source}: does not exist") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before 3.13
        raise DatabaseError(f"{source}: cannot be resolved ({exc})") from None
    if not source.is_dir():
        raise DatabaseError(f"{source}: is not a folder")
    if all((source / name).is_file() for name in SAFETY_FILES):
        check_safety_db(source)
        return source
    target = cache_root / fingerprint(source)
    if all((target / name).is_file() for name in SAFETY_FILES):
        return target
    short, full = to_safety_db(read_osv_folder(source), source=str(source))
    target.mkdir(parents=True, exist_ok=True)
    for name, data in zip(SAFETY_FILES, (short, full), strict=True):
        # A name of its own per process: parallel sessions may convert at once.
        partial = target / f"{name}.{os.getpid()}.partial"
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(target / name)
    return target


def check_safety_db(folder: Path) -> dict[str, Any]:
    """Read a safety database folder, raising DatabaseError if safety could not."""
    documents = {}
    for name in SAFETY_FILES:
        try:
            documents[name] = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DatabaseError(f"{folder / name}: unreadable ({exc})") from None
        schema = (
            documents[name].get("meta", {}).get("schema_version")
            if isinstance(documents[name], dict)
            else None
        )
        if schema != SAFETY_SCHEMA:
            raise DatabaseError(
                f"{folder / name}: schema version {schema!r}, safety 3.7 reads {SAFETY_SCHEMA!r}"
            )
    insecure: dict[str, Any] = documents["insecure.json"]
    if not insecure.get("vulnerable_packages"):
        raise DatabaseError(f"{folder / 'insecure.json'}: lists no vulnerable PyPI package")
    return insecure


def advisory_ids(folder: Path) -> set[str]:
    """Every advisory ID and alias a safety database folder knows (for stale ignores)."""
    full = json.loads((folder / "insecure_full.json").read_text(encoding="utf-8"))
    found: set[str] = set()
    for entries in full.get("vulnerable_packages", {}).values():
        for entry in entries:
            found.update(str(item.get("id")) for item in entry.get("ids", []) if item.get("id"))
            found.update(str(alias) for alias in entry.get("aliases", []))
            if entry.get("cve"):
                found.add(str(entry["cve"]))
    return found
