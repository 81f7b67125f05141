"""`python -m ci_sessions workflow --replay EVENT`: the committed workflow, run here as a
runner would run it. A job starts once every job it needs has ended, as on GitHub (up to
`workers` entries at once); each matrix entry runs in a clean clone of HEAD with the
environment a runner sets (ci_sessions.replay.entry); artifacts and caches pass between
jobs through one folder; a job's services are started by the session itself, as on a
laptop. One table says how every job ended and why a job was skipped; each entry's log
and results.json are kept under reports/replay/."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import yaml

from ci_sessions import git
from ci_sessions.replay import plan, steps
from ci_sessions.replay.entry import Ended, Entry, Row, run_entry
from ci_sessions.replay.events import Event, Repository, contexts, why_not_triggered
from ci_sessions.workflow.expressions import ExpressionError

ZEROS = "0" * 40


class ReplayError(Exception):
    """The replay cannot start: the message says what to do."""


def repository_facts(root: Path, event: Event) -> Repository:
    sha = git.first_commit(root, ["HEAD"])
    if sha is None:
        raise ReplayError(f"{root} has no commit to replay: commit the project first")
    before = git.first_commit(root, ["HEAD~1"])
    base_sha = ""
    if event.base:
        found = git.first_commit(root, [event.base, f"origin/{event.base}"])
        if found is None:
            raise ReplayError(f"the base branch {event.base!r} is not in this repository")
        base_sha = found[1]
    compared = base_sha or (before[1] if before else "")
    changed = git.changed_between(root, compared, sha[1]) if compared else None
    return Repository(sha[1], before[1] if before else ZEROS, base_sha, tuple(changed or ()))


def only_cron(on: Mapping[str, Any]) -> str:
    crons = [str(entry.get("cron")) for entry in on.get("schedule") or []]
    if len(crons) != 1:
        raise ReplayError(
            f"say which schedule fired: --cron with one of {', '.join(crons) or '(none)'}"
        )
    return crons[0]


def table(rows: list[Row]) -> str:
    header = Row("job", "matrix", "result", "why")
    widths = [
        max(len(getattr(row, f)) for row in [header, *rows]) for f in ("job", "matrix", "result")
    ]
    lines = []
    for row in [header, *rows]:
        cells = [row.job, row.matrix, row.result]
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + row.note
        )
    return "\n".join(line.rstrip() for line in lines)


class Replay:
    def __init__(
        self,
        root: Path,
        event: Event,
        logs: Path,
        envdir: Path | None,
        echo: Callable[[str], None],
        workers: int = 2,
    ) -> None:
        self.root, self.event, self.logs, self.envdir, self.echo = root, event, logs, envdir, echo
        self.workers = workers
        self.results: dict[str, str] = {}
        self.outputs: dict[str, dict[str, str]] = {}
        self.rows: list[tuple[int, int, Row]] = []  # (job's place, entry, row): the table's order
        self.tails: list[str] = []

    def run(self) -> list[Row]:
        from ci_sessions.workflow import WORKFLOW_PATH

        text = git.show(self.root, "HEAD", str(WORKFLOW_PATH))
        if text is None:
            raise ReplayError(f"HEAD has no {WORKFLOW_PATH}: generate it, commit it, then replay")
        if git.uncommitted(self.root):
            self.echo("note: changes not committed are not replayed (the replay clones HEAD)")
        document = yaml.safe_load(text)
        on = document.get("on", document.get(True)) or {}
        if self.event.name == "schedule" and not self.event.cron:
            self.event = replace(self.event, cron=only_cron(on))
        repo = repository_facts(self.root, self.event)
        why = why_not_triggered(on, self.event, repo)
        if why:
            self.echo(f"not triggered: {why}")
            return []
        self.base = contexts(self.event, repo, str(int(time.time())))
        self.workflow_env = {k: str(v) for k, v in (document.get("env") or {}).items()}
        self.jobs: Mapping[str, Mapping[str, Any]] = document.get("jobs") or {}
        self.logs.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="ci-sessions-replay-") as scratch:
            self.scratch = Path(scratch)
            self._schedule(plan.order(self.jobs))
        rows = [row for _, _, row in sorted(self.rows, key=lambda kept: kept[:2])]
        (self.logs / "results.json").write_text(json.dumps([asdict(r) for r in rows], indent=2))
        return rows

    def _schedule(self, order: list[str]) -> None:
        """Start each job once the jobs it needs have ended; wait for the entries running.
        A cancel stops every running step's processes before the clones are removed."""
        waiting = list(order)
        running: dict[Future[Ended], tuple[str, int]] = {}
        ended: dict[str, list[str]] = {}
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            while waiting or running:
                for name in [
                    n for n in waiting if set(plan.needs(self.jobs[n])) <= set(self.results)
                ]:
                    waiting.remove(name)
                    entries = self._start(name, order.index(name))
                    ended[name] = []
                    for entry in entries:
                        future = pool.submit(
                            run_entry,
                            entry,
                            self.root,
                            self.scratch,
                            self.logs,
                            self.envdir,
                            self.workflow_env,
                        )
                        running[future] = (name, entry.index)
                    if not entries and name not in self.results:
                        self.results[name] = plan.SKIPPED
                if not running:
                    continue
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    name, index = running.pop(future)
                    finished = future.result()
                    self._ended(name, index, order.index(name), finished, ended[name])
                    if finished.row.result == plan.FAILURE and self.jobs[name].get(
                        "strategy", {}
                    ).get("fail-fast", True):
                        self._cancel_rest(name, order.index(name), running, ended[name])
                    if not any(job == name for job, _ in running.values()):
                        self.results[name] = plan.job_result(ended[name])
        except BaseException:
            steps.stop_every_step()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _cancel_rest(
        self,
        name: str,
        place: int,
        running: dict[Future[Ended], tuple[str, int]],
        results: list[str],
    ) -> None:
        """fail-fast: the job's entries not started yet are cancelled."""
        for future, (job, index) in list(running.items()):
            if job == name and future.cancel():
                del running[future]
                results.append(plan.CANCELLED)
                self._row(
                    place,
                    index,
                    Row(name, str(index), plan.CANCELLED, "fail-fast: another entry failed"),
                )

    def _start(self, name: str, place: int) -> list[Entry]:
        """The entries of a job that runs; none (and its row) for one that does not."""
        job = self.jobs[name]
        context = {**self.base, "needs": self._needs(job), "vars": {}}
        try:
            decision = plan.decide(name, self.jobs, self.results, context)
            matrix = plan.matrix(job, context) if decision.runs else []
        except ExpressionError as exc:
            self._row(place, 0, Row(name, "-", plan.FAILURE, f"not evaluated: {exc}"))
            self.results[name] = plan.FAILURE
            return []
        if not decision.runs:
            self._row(place, 0, Row(name, "-", plan.SKIPPED, decision.why))
            return []
        fail_fast = job.get("strategy", {}).get("fail-fast", True)
        return [
            Entry(
                name,
                index,
                job,
                {
                    **context,
                    "matrix": values,
                    "strategy": {
                        "fail-fast": fail_fast,
                        "job-index": index,
                        "job-total": len(matrix),
                    },
                },
            )
            for index, values in enumerate(matrix)
        ]

    def _ended(self, name: str, index: int, place: int, done: Ended, results: list[str]) -> None:
        results.append(done.row.result if done.row.result != "not replayed" else plan.SUCCESS)
        self.outputs[name] = {**self.outputs.get(name, {}), **done.outputs}
        if done.tail:
            self.tails.append(done.tail)
        self._row(place, index, done.row)

    def _needs(self, job: Mapping[str, Any]) -> dict[str, Any]:
        return {
            need: {
                "result": self.results.get(need, plan.SKIPPED),
                "outputs": self.outputs.get(need, {}),
            }
            for need in plan.needs(job)
        }

    def _row(self, place: int, index: int, row: Row) -> None:
        self.rows.append((place, index, row))
        self.echo(f"{row.job} ({row.matrix}): {row.result}{' - ' + row.note if row.note else ''}")
