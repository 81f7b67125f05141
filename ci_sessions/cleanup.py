"""Cancels leave nothing behind; a killed run's leftovers are removed by the next run.

- SIGTERM (a cancelled CI job) and Ctrl-C unwind like KeyboardInterrupt, so every
  ``finally`` runs: services stop, worktrees go. The first signal also passes
  SIGINT to the run's processes (pytest then stops and tears down, as on a
  terminal's Ctrl-C); a second one kills them at once without interrupting the
  cleanup under way; at exit, whatever the run started and is still alive is
  stopped.
- SIGKILL cannot be handled. Each nox process marks what it starts
  ($CI_SESSIONS_OWNER) and keeps a run file while it runs; the next run finds
  run files of owners that died without removing them, stops their processes,
  and removes service folders and worktrees whose owner is gone, saying what.

Linux /proc only (see ci_sessions.processes); elsewhere the signal handling stays.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from ci_sessions import git, processes
from ci_sessions.platforms import kill_signal

OWNER_ENV = "CI_SESSIONS_OWNER"
OWNER_FILE = "ci-sessions-owner.json"

_state = {"signals": 0, "begun": 0}


def owner_id() -> str:
    """This process as owner: pid and start time, so a reused pid is not mistaken for it."""
    start = processes.start_time(os.getpid())
    return f"{os.getpid()}.{'x' if start is None else start}"


def owner_alive(owner: str) -> bool:
    pid, _, start = owner.partition(".")
    if not pid.isdigit():
        return True  # not ours to judge
    return processes.alive(int(pid), int(start) if start.isdigit() else None)


def runs_dir() -> Path:
    explicit = os.environ.get("CI_SESSIONS_CACHE_DIR")
    base = Path(explicit) if explicit else _xdg_cache() / "ci-sessions"
    return base / "runs"


def _xdg_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def owned() -> list[int]:
    """This process's descendants, and what it started that left its tree (a daemon)."""
    me = os.environ.get(OWNER_ENV, owner_id())
    mine = set(processes.descendants(os.getpid()))
    mine.update(processes.marked(OWNER_ENV, lambda value: value == me))
    return sorted(mine)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _state["signals"] += 1
    if _state["signals"] == 1:
        if signum != signal.SIGINT:  # a terminal's Ctrl-C reached them already
            processes.signal_all(owned(), signal.SIGINT)
        raise KeyboardInterrupt(f"signal {signum}")
    # Again while cleaning up: stop the processes now, let the cleanup finish.
    processes.signal_all(owned(), kill_signal())


def cancelled() -> bool:
    """Whether a SIGTERM or Ctrl-C reached this run."""
    return _state["signals"] > 0


def _cancel_survives(run: Callable[..., Any]) -> Callable[..., Any]:
    """nox's command runner, made to keep a cancel. nox's popen() swallows the
    KeyboardInterrupt when the command it interrupted then exits 0 (an install that was
    finishing, a fast command), and the session would carry on as if nothing happened: a
    cancelled CI job passing. No command starts after a cancel, and one that ended anyway
    raises it again."""

    @functools.wraps(run)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if cancelled():
            raise KeyboardInterrupt("cancelled")
        result = run(*args, **kwargs)
        if cancelled():
            raise KeyboardInterrupt("cancelled")
        return result

    return guarded


def _at_exit(run_file: Path) -> None:
    if _state["signals"]:
        processes.stop_all(owned())
    run_file.unlink(missing_ok=True)


def begin(log: Callable[[str], None]) -> None:
    """Mark this run as owner, handle cancels, and remove what killed runs left.

    Once per process: a second register() call changes nothing here.
    """
    if _state["begun"]:
        return
    _state["begun"] = 1
    me = owner_id()
    os.environ[OWNER_ENV] = me
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _on_signal)
        import nox.command  # nox's own: loaded with the noxfile that called register()

        nox.command.run = _cancel_survives(nox.command.run)
    for line in sweep_processes():
        log(line)
    run_file = runs_dir() / f"{me}.json"
    run_file.parent.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps({"owner": me, "cwd": os.getcwd()}), encoding="utf-8")
    atexit.register(_at_exit, run_file)


def sweep_processes() -> list[str]:
    """Stop the processes of runs that died without cleaning up (their run file is left)."""
    said = []
    folder = runs_dir()
    for run_file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        owner = run_file.stem
        if owner_alive(owner):
            continue
        left = processes.marked(OWNER_ENV, owner.__eq__)
        # Named before they are stopped: a stopped process has no command line left to read.
        named = {pid: processes.command_line(pid).strip()[:80] for pid in left}
        stopped = processes.stop_all(left)
        if stopped:
            commands = "; ".join(named[pid] or f"pid {pid}" for pid in stopped[:5])
            said.append(
                f"an earlier run (pid {owner.partition('.')[0]}) was killed and left "
                f"{len(stopped)} process(es) running; stopped them: {commands}"
            )
        run_file.unlink(missing_ok=True)
    return said


def mark_owned(record: Path) -> None:
    """Record which run owns a folder it creates (written before the folder fills)."""
    record.write_text(
        json.dumps({"owner": os.environ.get(OWNER_ENV, owner_id())}), encoding="utf-8"
    )


def abandoned(record: Path) -> bool:
    """Whether the run a record names is gone: it should have removed its folder."""
    try:
        owner = json.loads(record.read_text(encoding="utf-8"))["owner"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no record: not known to be ours
    return not owner_alive(str(owner))


def sweep_service_folders(folders: list[Path]) -> list[str]:
    """Stop the servers running from abandoned service folders, then remove the folders."""
    said = []
    for folder in folders:
        if not abandoned(folder / OWNER_FILE):
            continue
        stopped = processes.stop_all(processes.running_from(str(folder)))
        shutil.rmtree(folder, ignore_errors=True)
        said.append(
            f"removed {folder}, left by a run that was killed"
            + (f", and stopped {len(stopped)} process(es) running from it" if stopped else "")
        )
    return said


def sweep_worktrees(root: Path) -> list[str]:
    """Remove git worktrees (benchmark-compare's baseline) whose owning run is gone."""
    said = []
    for tree in git.worktrees(root):
        record = worktree_record(tree)
        if record.is_file() and abandoned(record):
            git.remove_worktree(root, tree)
            shutil.rmtree(tree, ignore_errors=True)
            record.unlink(missing_ok=True)
            said.append(f"removed the worktree {tree}, left by a run that was killed")
    if said:
        git.prune_worktrees(root)
    return said


def worktree_record(tree: Path) -> Path:
    """Where the owner of a worktree is recorded: beside it, written before it exists."""
    return tree.with_name(tree.name + ".owner.json")
