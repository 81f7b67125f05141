"""One job entry's steps, run as a runner runs them: each step's `if:` against the steps
before it, `${{ }}` rendered, `run:` scripts in bash with the runner's command files
(GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY), actions done by
ci_sessions.replay.actions, the job's timeout kept, and every process a step started
stopped when it ends (a runner ends the job's processes too)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ci_sessions import masking
from ci_sessions.replay.actions import WRITE_OR_START, Place, perform
from ci_sessions.workflow.expressions import ExpressionError, Status, condition, render

SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
    "sh": ["sh", "-e"],
    "python": ["python"],
}


@dataclass
class EntryResult:
    """How one job entry ended: its result, outputs, the first failure's reason, what was
    not replayed, and the last lines of the output of the step that failed."""

    result: str = "success"
    outputs: dict[str, str] = field(default_factory=dict)
    why: str = ""
    not_replayed: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    continued: list[str] = field(default_factory=list)  # steps that failed, continue-on-error


def command_file(text: str) -> dict[str, str]:
    """A GITHUB_OUTPUT or GITHUB_ENV file: `name=value` lines and `name<<END` blocks."""
    found: dict[str, str] = {}
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, end = line.split("<<", 1)
            block = []
            while at < len(lines) and lines[at] != end:
                block.append(lines[at])
                at += 1
            at += 1
            found[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def step_name(step: Mapping[str, Any]) -> str:
    if step.get("name"):
        return str(step["name"])
    if step.get("uses"):
        return str(step["uses"]).split("@")[0]
    return str(step.get("run", "")).splitlines()[0][:60] if step.get("run") else "step"


class JobRun:
    """The steps of one job entry, in order, sharing the entry's environment."""

    def __init__(
        self,
        place: Place,
        context: dict[str, Any],
        env: dict[str, str],
        log: IO[str],
        deadline: float,
    ) -> None:
        self.place = place
        self.context = context
        self.env = env  # the process environment (the runner's, the job's, GITHUB_ENV)
        self.path: list[str] = []  # folders setup actions and GITHUB_PATH put first
        self.log = log
        self.deadline = deadline
        self.steps: dict[str, dict[str, Any]] = {}
        self.result = EntryResult()

    def run(self, steps: Sequence[Mapping[str, Any]], outputs: Mapping[str, str]) -> EntryResult:
        failed = False
        for index, step in enumerate(steps):
            name = step_name(step)
            step_env = {**self.context.get("env", {}), **(step.get("env") or {})}
            context = {
                **self.context,
                "steps": self.steps,
                "env": step_env,
                "job": {"status": "failure" if failed else "success"},
            }
            try:
                runs = condition(step.get("if"), context, Status(failed=failed))
            except ExpressionError as exc:
                runs, failed = False, True
                self._fail(name, f"if: {exc}")
            if not runs:
                self.log.write(f"--- {name}: skipped\n")
                self._record(step, "skipped", {})
                continue
            self.log.write(f"--- {name}\n")
            why_before = self.result.why
            try:
                ok, outputs_of_step = self._step(index, step, context, step_env)
            except ExpressionError as exc:
                ok, outputs_of_step = False, {}
                self.log.write(f"{exc}\n")
                self._fail(name, f"not evaluated: {exc}")
            self._record(step, "success" if ok else "failure", outputs_of_step)
            if not ok and step.get("continue-on-error"):
                # The job goes on: said beside its result, never as its failure.
                self.result.continued.append(self.result.why or f"{name}: failed")
                self.result.why = why_before
            elif not ok:
                failed = True
                self._fail(name, "failed")
        self.result.result = "failure" if failed else "success"
        final = {**self.context, "steps": self.steps}
        for key, text in (outputs or {}).items():
            try:
                self.result.outputs[key] = render(str(text), final)
            except ExpressionError as exc:
                self._fail(f"outputs.{key}", str(exc))
                self.result.result = "failure"
        return self.result

    def _fail(self, name: str, reason: str) -> None:
        if not self.result.why:
            self.result.why = f"{name}: {reason}"

    def _record(self, step: Mapping[str, Any], outcome: str, outputs: dict[str, str]) -> None:
        if step.get("id"):
            conclusion = "success" if step.get("continue-on-error") else outcome
            self.steps[str(step["id"])] = {
                "outputs": outputs,
                "outcome": outcome,
                "conclusion": conclusion,
            }

    def _step(
        self,
        index: int,
        step: Mapping[str, Any],
        context: Mapping[str, Any],
        step_env: Mapping[str, Any],
    ) -> tuple[bool, dict[str, str]]:
        if step.get("uses"):
            inputs = {
                key: render(str(value), context) for key, value in (step.get("with") or {}).items()
            }
            done = perform(str(step["uses"]), self.place, inputs, self.path)
            if done.message:
                self.log.write(done.message + "\n")
            if done.not_replayed:
                self.result.not_replayed.append(f"{step_name(step)} ({done.message})")
            if not done.ok:
                self._fail(step_name(step), done.message)
            return done.ok, done.outputs
        return self._script(index, step, context, step_env)

    def _script(
        self,
        index: int,
        step: Mapping[str, Any],
        context: Mapping[str, Any],
        step_env: Mapping[str, Any],
    ) -> tuple[bool, dict[str, str]]:
        files = {
            name: self.place.runner / f"{name.lower()}-{index}"
            for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")
        }
        for file in files.values():
            file.write_text("")
        script = self.place.runner / f"step-{index}.sh"
        script.write_text(render(str(step["run"]), context))
        env = {**self.env, **{k: render(str(v), context) for k, v in step_env.items()}}
        env.update({name: str(file) for name, file in files.items()})
        env["GITHUB_STEP_SUMMARY"] = str(self.place.runner / "summary.md")
        env["PATH"] = os.pathsep.join([*self.path, env.get("PATH", "")])
        shell = SHELLS.get(str(step.get("shell", "bash")).split()[0], SHELLS["bash"])
        folder = self.place.work / str(step.get("working-directory", "."))
        code, tail = self._process([*shell, str(script)], env, folder)
        self.env.update(command_file(files["GITHUB_ENV"].read_text()))
        self.path[:0] = [line for line in files["GITHUB_PATH"].read_text().splitlines() if line]
        if code != 0:
            self.result.tail = tail
            reason = "timed out" if code is None else f"exited with {code}"
            self._fail(step_name(step), reason)
        return code == 0, command_file(files["GITHUB_OUTPUT"].read_text())

    def _process(
        self, command: list[str], env: dict[str, str], folder: os.PathLike[str]
    ) -> tuple[int | None, list[str]]:
        """Run a step's process in its own group, its output redacted into the log. The
        group is ended when the step's process ends (a server it left would hold the
        output open), on the job's timeout, and on a cancel. None: timed out."""
        with WRITE_OR_START:  # no shim half-written while this fork holds its fds
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,
            )
        with _RUNNING_LOCK:
            _RUNNING.add(process)
        tail: list[str] = []

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                shown = masking.redact(line)
                self.log.write(shown)
                tail[:] = [*tail[-29:], shown.rstrip("\n")]

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        code: int | None
        try:
            code = process.wait(timeout=max(self.deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            code = None
        finally:
            end_group(process)
            reader.join(timeout=10)
            with _RUNNING_LOCK:
                _RUNNING.discard(process)
        if code is None:
            tail.append("(the job's timeout-minutes passed: its processes were stopped)")
        return code, tail


def end_group(process: subprocess.Popen[str], grace: float = 5.0) -> None:
    """Stop every process of a step's group: SIGTERM, then SIGKILL what is left after
    the grace period (servers get the time to remove their folders)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        process.wait()
        return
    ends = time.monotonic() + grace
    while time.monotonic() < ends:
        process.poll()  # reaps the leader, whose zombie would keep the group alive
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


_RUNNING: set[subprocess.Popen[str]] = set()
_RUNNING_LOCK = threading.Lock()


def stop_every_step() -> None:
    """A cancel: stop the processes of every step running (each in its own thread)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        end_group(process, grace=3.0)
