"""This nox invocation: an ID its sessions share, and the processes it owns.

`nox -j` runs each session in a child nox process, which inherits the ID from
its parent; any other nox (one started by a test suite, say) gets its own. The
ID travels in the environment, so every process a session starts carries it:
that is how a later run recognises what an earlier, killed one left behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import MutableMapping

ENV = "CI_SESSIONS_INVOCATION"


def owner_pid(invocation: str) -> int | None:
    """The pid of the nox process that made an invocation ID, as it is written."""
    head = invocation.partition("-")[0]
    return int(head) if head.isdigit() else None


def current(environ: MutableMapping[str, str] | None = None) -> str:
    """This invocation's ID, made (and exported) on first use in the process.

    Kept when the parent process made it (a `nox -j` child); otherwise new.
    """
    env = os.environ if environ is None else environ
    inherited = env.get(ENV, "")
    if inherited and owner_pid(inherited) in (os.getpid(), os.getppid()):
        return inherited
    made = f"{os.getpid()}-{secrets.token_hex(6)}"
    env[ENV] = made
    return made
