"""Coverage data files: their names, and the record of the run that wrote each one.

Every measuring session writes ``.coverage.py<version>[.shard<k>]`` and beside
it ``<that name>.run.json``: which nox invocation wrote it, when, and a
fingerprint of the code it measured (the packages' and tests' Python files).
The gate then tells fresh data from data left by an earlier run on code that
has changed since, and names the Python whose data is old. Pure functions,
but for reading and writing those small files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ci_sessions.platforms import SYSTEMS, this_system

RECORD_SUFFIX = ".run.json"
# `.coverage.py3.12`, and the shard files beside it (`.coverage.py3.12.shard2`), with the
# system last where the tests run on several (`.coverage.py3.12.shard2.windows`); never the
# run records.
DATA_FILE = re.compile(r"^\.coverage\.py(?P<python>\d+\.\d+t?|pypy\d+\.\d+)(?:\.(?P<part>[^/]+))?$")
_PARTS = re.compile(r"^(?:shard(?P<shard>\d+))?\.?(?P<system>" + "|".join(SYSTEMS) + r")?$")


def data_dir(reports: Path) -> Path:
    """Where every measuring session writes `.coverage.py<version>` (CI artifacts too)."""
    folder = reports / "coverage-data"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data_name(python: str, part: str | None = None, system: str | None = None) -> str:
    """The data file of one Python (and shard, and system where the tests run on several):
    `.coverage.py3.12[.shard2][.windows]`."""
    return f".coverage.py{python}" + "".join(f".{p}" for p in (part, system) if p)


def name_parts(file_name: str) -> tuple[str, int, str] | None:
    """(python, shard or 0, system or "") of a data file's name; None for another file."""
    match = DATA_FILE.match(file_name)
    if match is None or file_name.endswith(RECORD_SUFFIX):
        return None
    parts = _PARTS.match(match["part"] or "")
    if parts is None:
        return None
    return match["python"], int(parts["shard"] or 0), parts["system"] or ""


def python_of(file_name: str) -> str | None:
    """The Python version a coverage data file's name carries; None for other files."""
    if file_name.endswith(RECORD_SUFFIX):
        return None
    match = DATA_FILE.match(file_name)
    return match["python"] if match else None


def record_path(data_file: Path) -> Path:
    return data_file.with_name(data_file.name + RECORD_SUFFIX)


@dataclass(frozen=True)
class RunRecord:
    """Who wrote a data file: the session, its nox invocation, when, on what code."""

    session: str
    invocation: str
    written: str  # UTC, ISO 8601
    code: str  # fingerprint of the measured code when the run started
    folders: tuple[str, ...]  # what the fingerprint covers, project-relative
    # How the run narrowed the suite (posargs such as -k smoke, skipping slow tests);
    # empty: the whole suite. A subset's data is partial: the gate refuses it by name.
    subset: str = ""
    # The system it ran on (linux, macos, windows): the cell it fills with an OS axis.
    system: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def new_record(
    session: str,
    invocation: str,
    root: Path,
    folders: Sequence[str],
    listed: Iterable[str] | None = None,
    subset: str = "",
) -> RunRecord:
    """The record of a run starting now: its code fingerprint is taken before it runs."""
    return RunRecord(
        session,
        invocation,
        datetime.now(UTC).isoformat(timespec="seconds"),
        code_fingerprint(root, folders, listed),
        tuple(folders),
        subset,
        this_system(),
    )


def read_record(data_file: Path) -> RunRecord | None:
    """The data file's record; None when there is none or it is unreadable."""
    try:
        document: Any = json.loads(record_path(data_file).read_text(encoding="utf-8"))
        return RunRecord(
            session=str(document["session"]),
            invocation=str(document["invocation"]),
            written=str(document["written"]),
            code=str(document["code"]),
            folders=tuple(str(folder) for folder in document["folders"]),
            subset=str(document.get("subset", "")),
            system=str(document.get("system", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(data_file: Path, record: RunRecord) -> None:
    record_path(data_file).write_text(record.to_json(), encoding="utf-8")


def code_fingerprint(
    root: Path, folders: Iterable[str], listed: Iterable[str] | None = None
) -> str:
    """A hash of the Python files under the given folders (or files) of the project.

    What the coverage data measured: the packages' sources and the tests.
    By content, not time, so that a CI job that checks out the same commit
    computes the same fingerprint as the jobs that wrote the data, on any system. `listed`:
    the project's files as git lists them (venvs, caches and reports left out
    by .gitignore); without git, hidden folders (.nox, .venv) are left out.
    """
    digest = hashlib.sha256()
    candidates = (
        [root / name for name in listed if name.endswith(".py")]
        if listed is not None
        else [p for p in root.rglob("*.py") if not _hidden(p.relative_to(root))]
    )
    targets = [(root / folder).resolve() for folder in folders]
    files = {
        path
        for path in candidates
        if path.is_file() and any(path.resolve().is_relative_to(t) for t in targets)
    }
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        # Line endings normalised: a Windows checkout (core.autocrlf) of the same commit
        # holds the same code.
        digest.update(hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).digest())
    return digest.hexdigest()[:32]


def _hidden(relative: Path) -> bool:
    """Under a hidden folder (.nox, .venv, .tox) or a bytecode cache: not the project's code."""
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts[:-1])


@dataclass(frozen=True)
class Freshness:
    """Where one data file's data comes from, and whether the gate may count it."""

    file: str
    usable: bool
    note: str


def freshness(
    file_name: str,
    record: RunRecord | None,
    *,
    invocation: str,
    code: str,
    accepted_subset: str = "",
) -> Freshness:
    """Whether a data file counts for this gate.

    ==================  ========================  ======================================
    record              written by                verdict
    ==================  ========================  ======================================
    missing             -                         not usable: who wrote it is unknown
    present             this nox invocation       usable
    present             an earlier invocation     usable if the code is unchanged since
    of a subset run     any                       not usable: partial data, named
    ==================  ========================  ======================================

    `accepted_subset`: the label of the narrowed tier this gate runs for, whose partial
    data it takes (checked like any other data).
    """
    if record is None:
        return Freshness(
            file_name,
            False,
            f"{file_name} has no record of the run that wrote it ({file_name}{RECORD_SUFFIX}): "
            "run its tests session again (CI: upload the record with the data)",
        )
    if record.subset and record.subset != accepted_subset:
        return Freshness(
            file_name,
            False,
            f"{file_name} is partial: {record.session} ran a subset of the suite "
            f"({record.subset}); run {record.session} on the whole suite for the gate",
        )
    if record.invocation == invocation:
        return Freshness(file_name, True, f"{record.session}, this run")
    when = f"{record.session} at {record.written}"
    if record.code != code:
        return Freshness(
            file_name,
            False,
            f"{file_name} is from an earlier run ({when}) and the code has changed since: "
            f"run {record.session} again (this run did not, or it was skipped)",
        )
    return Freshness(file_name, True, f"{when}, an earlier run on the same code")


def missing_pythons(expected: Sequence[str], file_names: Iterable[str]) -> list[str]:
    """Pythons of the matrix that contributed no data file."""
    present = {python_of(name) for name in file_names}
    return [python for python in expected if python not in present]


def unmeasured_packages(measured: Iterable[str], packages: Iterable[str]) -> list[str]:
    """The packages of several that no data file measured a line of (with one package,
    each file's own check says it)."""
    listed, files = list(packages), list(measured)
    if len(listed) < 2:
        return []
    return [package for package in listed if not measures_package(files, [package])]


def measures_package(measured: Iterable[str], packages: Iterable[str]) -> bool:
    """Whether a data file's measured files (paths as coverage stored them: the source
    tree, or a venv's site-packages, / or \\ separated) include one of the packages'."""
    tops = [package.replace(".", "/") for package in packages]
    for path in measured:
        slashed = "/" + path.replace("\\", "/")
        if any(f"/{top}/" in slashed or slashed.endswith(f"/{top}.py") for top in tops):
            return True
    return False
