"""This nox invocation: an ID its sessions share, and the processes it owns.

`nox -j` runs each session in a child nox process, which inherits the ID from
its parent; any other nox (one started by a test suite, say) gets its own. The
ID travels in the environment, so every process a session starts carries it:
that is how the run stops them all on a cancel, and how a later run recognises
what an earlier, killed one left behind. It holds the owner's pid and start
time, so a pid the system has since reused is not taken for the owner.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import MutableMapping

from ci_sessions import processes

ENV = "CI_SESSIONS_INVOCATION"
_FORM = re.compile(r"^(?P<pid>\d+)\.(?P<start>\d+|x)-[0-9a-f]+$")


def owner(invocation: str) -> tuple[int, int | None] | None:
    """(pid, start time) of the nox process that made an invocation ID."""
    match = _FORM.match(invocation)
    if match is None:
        return None
    start = match["start"]
    return int(match["pid"]), None if start == "x" else int(start)


def owner_alive(invocation: str) -> bool:
    """Whether the process that made this ID still runs; unreadable IDs count as alive."""
    found = owner(invocation)
    return True if found is None else processes.alive(*found)


def inherited(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether this process runs a session for a parent nox (`nox -j`): it says nothing
    the parent has said already."""
    env = os.environ if environ is None else environ
    found = owner(env.get(ENV, ""))
    return found is not None and found[0] == os.getppid()


def current(environ: MutableMapping[str, str] | None = None) -> str:
    """This invocation's ID, made (and exported) on first use in the process.

    Kept when this process or its parent made it (a `nox -j` child); otherwise new.
    """
    env = os.environ if environ is None else environ
    inherited = env.get(ENV, "")
    found = owner(inherited)
    if found is not None and found[0] in (os.getpid(), os.getppid()):
        return inherited
    start = processes.start_time(os.getpid())
    made = f"{os.getpid()}.{'x' if start is None else start}-{secrets.token_hex(6)}"
    env[ENV] = made
    return made
