"""The processes a run owns, read off /proc: to stop them all, and to find those
a killed run left behind.

Every process a session starts inherits $CI_SESSIONS_INVOCATION (set before
any session runs), so a process is known by that marker even after its parent
died and it was re-parented to PID 1. Linux only: elsewhere there is no /proc,
the functions find nothing, and nox's own handling of Ctrl-C is what remains.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ci_sessions.platforms import kill_signal

PROC = Path("/proc")


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state field on (the command name may hold spaces)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def start_time(pid: int) -> int | None:
    """When a live process started (clock ticks since boot): with its pid, its identity.

    None when it does not exist, is a zombie, or there is no /proc.
    """
    fields = _stat(pid)
    if fields is None or fields[0] == "Z":
        return None
    return int(fields[19])


def alive(pid: int, started: int | None) -> bool:
    """Whether that very process still runs (not another one given the same pid)."""
    if not PROC.is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    now = start_time(pid)
    return now is not None and (started is None or now == started)


def _pids() -> list[int]:
    try:
        return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]
    except OSError:
        return []


def environ_value(pid: int, name: str) -> str | None:
    try:
        data = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return None  # gone, or another user's
    prefix = name.encode() + b"="
    for entry in data.split(b"\0"):
        if entry.startswith(prefix):
            return entry[len(prefix) :].decode(errors="replace")
    return None


def command_line(pid: int) -> str:
    try:
        return (
            (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def marked(name: str, accept: Callable[[str], bool]) -> list[int]:
    """Processes (not this one) whose environment variable `name` passes `accept`."""
    me = os.getpid()
    found = []
    for pid in _pids():
        value = environ_value(pid, name) if pid != me else None
        if value is not None and accept(value):
            found.append(pid)
    return found


def _cwd(pid: int) -> str:
    try:
        return os.readlink(PROC / str(pid) / "cwd")
    except OSError:
        return ""


def running_from(folder: str) -> list[int]:
    """Processes (not this one) that run from a folder: their working directory is in
    it, or their command line names it. Servers are found either way, even one
    that rewrites its command line and environment (redis-server's title does)."""
    inside = folder.rstrip("/") + "/"
    return [
        pid
        for pid in _pids()
        if pid != os.getpid()
        and (folder in command_line(pid) or (_cwd(pid) + "/").startswith(inside))
    ]


def descendants(root: int) -> list[int]:
    """The processes below `root` in the process tree, children first."""
    parents: dict[int, list[int]] = {}
    for pid in _pids():
        fields = _stat(pid)
        if fields is not None:
            parents.setdefault(int(fields[1]), []).append(pid)
    found: list[int] = []
    queue = list(parents.get(root, []))
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue.extend(parents.get(pid, []))
    return found


def signal_all(pids: Iterable[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def stop_all(pids: Iterable[int], grace: float = 3.0) -> list[int]:
    """SIGTERM, then SIGKILL what is still there after `grace` seconds; the pids stopped."""
    wanted = {pid: start_time(pid) for pid in pids}
    targets = [pid for pid, started in wanted.items() if started is not None]
    signal_all(targets, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(p, wanted[p]) for p in targets):
        time.sleep(0.05)
    signal_all([p for p in targets if alive(p, wanted[p])], kill_signal())
    return targets
