"""One nox run at a time writes a project's reports folder.

Two runs at once (`nox -s tests-3.12` in two terminals) would delete each other's
coverage data and records. The first session of a run takes the folder; a session of
another run waits, saying which run holds it. The sessions of one run (`nox -j`
children share its invocation ID) share the folder, as they write different files.

The lock file holds its owner (the invocation, pid, command and start time); the
owner is checked alive by its invocation ID, so a run that was killed holds nothing.
``flock`` guards only the moment of reading and writing it. No nox here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

LOCK = ".ci-sessions.lock"


@dataclass(frozen=True)
class Holder:
    invocation: str
    pid: int
    command: str
    since: str  # HH:MM:SS

    def describe(self) -> str:
        return f"pid {self.pid}, `{self.command}`, since {self.since}"


@contextlib.contextmanager
def _guarded(path: Path) -> Iterator[int]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield descriptor
    finally:
        os.close(descriptor)  # closing releases the flock


def _read(descriptor: int) -> Holder | None:
    os.lseek(descriptor, 0, os.SEEK_SET)
    text = os.read(descriptor, 65536).decode("utf-8", errors="replace")
    try:
        return Holder(**json.loads(text))
    except (ValueError, TypeError):
        return None  # empty: released


def _write(descriptor: int, holder: Holder | None) -> None:
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    if holder is not None:
        os.write(descriptor, json.dumps(asdict(holder)).encode("utf-8"))


def take(
    folder: Path,
    me: Holder,
    *,
    alive: Callable[[str], bool],
    waiting: Callable[[Holder], None],
    pause: float = 0.5,
) -> None:
    """Hold `folder` for `me`'s invocation, waiting while another live run holds it.

    `alive`: whether an invocation's owner still runs; `waiting`: said once, naming the
    holder, when this run has to wait.
    """
    said = False
    while True:
        with _guarded(folder / LOCK) as descriptor:
            current = _read(descriptor)
            if current is None or current.invocation == me.invocation:
                if current is None:
                    _write(descriptor, me)
                return
            if not alive(current.invocation):
                _write(descriptor, me)  # a run that was killed holds nothing
                return
        if not said:
            waiting(current)
            said = True
        time.sleep(pause)


def release(folder: Path, invocation: str) -> None:
    """Free the folder if this invocation holds it (at the end of its run)."""
    path = folder / LOCK
    if not path.is_file():
        return
    with _guarded(path) as descriptor:
        current = _read(descriptor)
        if current is not None and current.invocation == invocation:
            _write(descriptor, None)
