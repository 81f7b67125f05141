"""One pipeline report: every session's verdict, duration, counts and gate figures.

Each session writes one record, `reports/pipeline.d/<session>.json` (a file per
session, so that `nox -j` children and CI jobs never write the same file), and
merges every record of the same run into `reports/pipeline.json`. The `report`
session turns them into `pipeline.md`: a table of stages with their verdicts and
figures. A run is GitHub's run ID on Actions (its jobs are separate processes, their
records downloaded into one folder), else the nox invocation: records of an earlier
run never pass for this one's.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ci_sessions import invocation

RECORDS = "pipeline.d"
MERGED = "pipeline.json"

# What the running session has said so far: its warnings and figures.
_current: dict[str, Any] = {"warnings": [], "figures": {}}


@dataclass(frozen=True)
class Record:
    session: str
    tiers: tuple[str, ...]
    status: str  # pass, warn, fail, skipped
    seconds: float
    run: str
    reason: str = ""  # why it failed or was skipped
    warnings: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)


def run_id(environ: Mapping[str, str] = os.environ) -> str:
    """The run records belong to: the workflow run on GitHub, else this nox invocation."""
    if environ.get("GITHUB_RUN_ID"):
        return f"github-{environ['GITHUB_RUN_ID']}-{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return invocation.current()


def begin() -> None:
    """A session starts: nothing it says belongs to the one before."""
    _current["warnings"] = []
    _current["figures"] = {}


def warned(message: str) -> None:
    """A warning the running session gave (github.emit_warnings reports each here)."""
    _current["warnings"].append(message)


def figure(name: str, value: Any) -> None:
    """A count or gate figure of the running session (coverage total, tests passed...)."""
    _current["figures"][name] = value


def status_of(failed: bool, skipped: bool, warnings: Sequence[str]) -> str:
    if skipped:
        return "skipped"
    if failed:
        return "fail"
    return "warn" if warnings else "pass"


def finish(
    reports: Path,
    session: str,
    tiers: Sequence[str],
    seconds: float,
    *,
    failed: bool,
    skipped: bool,
    reason: str = "",
) -> Record:
    """Write the running session's record and merge the run's records."""
    warnings = tuple(_current["warnings"])
    record = Record(
        session=session,
        tiers=tuple(tiers),
        status=status_of(failed, skipped, warnings),
        seconds=round(seconds, 2),
        run=run_id(),
        reason=reason,
        warnings=warnings,
        figures=dict(_current["figures"]),
    )
    folder = reports / RECORDS
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / f"{session}.json", asdict(record))
    merge(reports, record.run)
    return record


def read_records(reports: Path) -> list[Record]:
    found = []
    for path in sorted((reports / RECORDS).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(
                Record(
                    **{**data, "tiers": tuple(data["tiers"]), "warnings": tuple(data["warnings"])}
                )
            )
        except (OSError, ValueError, TypeError, KeyError):
            continue  # half-written by a cancelled session: not a record
    return found


def merge(reports: Path, run: str) -> list[Record]:
    """pipeline.json: this run's records, written whole (a concurrent merge never leaves
    half a file)."""
    records = [record for record in read_records(reports) if record.run == run]
    _write_json(reports / MERGED, {"run": run, "sessions": [asdict(r) for r in records]})
    return records


# A workflow job's result (`needs.<job>.result`) as a record's status.
JOB_RESULTS = {"success": "pass", "failure": "fail", "cancelled": "fail", "skipped": "skipped"}


def unrecorded_jobs(jobs: Mapping[str, Any], records: Sequence[Record], run: str) -> list[Record]:
    """The workflow's jobs (`toJSON(needs)` of the report job) that wrote no record, each as
    a record of its result: a job of the project's own nox session writes none, and its
    failure must still fail the pipeline's report."""
    recorded = {record.session for record in records}
    found = []
    for job, data in jobs.items():
        if any(name == job or name.startswith(f"{job}-") for name in recorded):
            continue
        result = str(data.get("result", "")) if isinstance(data, Mapping) else ""
        status = JOB_RESULTS.get(result, "fail")
        why = {
            "fail": f"the job ended in {result or 'no result'}; it wrote no record of its own",
            "skipped": "the job was skipped",
        }.get(status, "")
        found.append(Record(job, (), status, 0.0, run, why))
    return found


LET_THROUGH = "failed; on-failure = warn let the stages after it run"


def let_through(records: Sequence[Record], warn_jobs: Sequence[str]) -> list[Record]:
    """The records with each failure of a job whose `on-failure` is `warn` turned into a
    warning that says so (its job succeeded, so the stages after it ran)."""

    def of_warn_job(session: str) -> bool:
        return any(session == job or session.startswith(f"{job}-") for job in warn_jobs)

    return [
        (
            replace(
                record,
                status="warn",
                warnings=(*record.warnings, f"{LET_THROUGH}: {record.reason or 'see its summary'}"),
            )
            if record.status == "fail" and of_warn_job(record.session)
            else record
        )
        for record in records
    ]


def _write_json(path: Path, data: Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2, default=list)
    os.replace(temporary, path)


def markdown(records: Iterable[Record], absent: Sequence[str] = ()) -> str:
    """pipeline.md: a table of the stages, their verdicts and figures; `absent`: the
    sessions nox skipped because their Python does not start here, listed, never left out."""
    records = list(records)
    seen = {record.session for record in records}
    marks = {"pass": "passed", "warn": "passed with warnings", "fail": "FAILED"}
    rows = ["| session | tiers | verdict | seconds | figures |", "|---|---|---|---:|---|"]
    for record in records:
        verdict = marks.get(record.status, f"skipped: {record.reason}")
        if record.status == "fail" and record.reason:
            verdict += f": {record.reason}"
        figures = ", ".join(f"{k} {v}" for k, v in record.figures.items()) or "-"
        rows.append(
            f"| {record.session} | {', '.join(record.tiers) or '-'} | {verdict} | "
            f"{record.seconds:.1f} | {figures} |"
        )
    rows += [
        f"| {name} | - | skipped: its Python does not start here | - | - |"
        for name in absent
        if name not in seen
    ]
    failed = [r.session for r in records if r.status == "fail"]
    warned = [r.session for r in records if r.status == "warn"]
    head = "FAILED" if failed else ("passed with warnings" if warned else "passed")
    lines = [f"## Pipeline: {head}", "", *rows]
    for record in records:
        if record.warnings:
            lines += ["", f"### {record.session}: warnings", ""]
            lines += [f"- {warning}" for warning in record.warnings]
    return "\n".join(lines) + "\n"
