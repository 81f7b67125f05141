"""What every session does around its own work: the reports folder held for this run,
its commands marked, what they left running stopped, and an OSError worded as one line.

- The reports folder is held for this nox run (ci_sessions.reports_lock): another run
  waits, naming this one, instead of deleting its data.
- Every command the session runs carries $CI_SESSIONS_SESSION, unique to the session:
  a process a test started and left running (a `Popen`, a server, with or without a
  session of its own) is found by it at the session's end, stopped and named; a
  warning, or a failure with `stray-processes = "fail"`.
- A read-only checkout, a full disk, a file where reports/ should be: one line that
  says what happened and what to do (ci_sessions.os_errors), not a traceback.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nox
from nox.logger import logger

from ci_sessions import invocation, processes, reports_lock
from ci_sessions.config import Config
from ci_sessions.os_errors import os_problem

SessionFunc = Callable[[nox.Session], None]
SESSION_ENV = "CI_SESSIONS_SESSION"
# The reports folders this process holds, released when it ends.
_held: set[Path] = set()


def guarded(func: SessionFunc, config: Config) -> SessionFunc:
    """Outermost: the reports folder held for this run, an OSError worded as one line."""

    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        reports = config.root / config.reports_dir
        try:
            hold_reports(reports)
            func(session)
        except OSError as exc:
            problem = os_problem(exc, str(reports))
            if problem is None:
                raise
            session.error(problem)

    return run


def swept(
    func: SessionFunc, config: Config, warn: Callable[[nox.Session, str], None]
) -> SessionFunc:
    """Innermost: the session's commands marked, and what they left running stopped.

    `warn`: how a warning is made visible (ci_sessions.glue.session.warn_visibly, which
    this module cannot import); inside the pipeline record, so that it counts there.
    """

    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        marker = f"{invocation.current()}/{session.name}/{secrets.token_hex(4)}"
        session.env[SESSION_ENV] = marker
        try:
            func(session)
        finally:
            stray = stop_strays(marker)
            if stray:
                warn(session, stray)
        if stray and config.stray_processes == "fail":
            session.error(f"{stray} ({config.key_ref('stray-processes')} = \"fail\")")

    return run


# nox's options that only list or describe, running no session.
LISTING = ("-l", "--list", "--list-sessions", "--json", "--usage", "-h", "--help", "--version")


def runs_sessions(argv: list[str]) -> bool:
    """Whether a nox command line runs sessions (not `nox -l`, `nox --json -l`, ...);
    what follows `--` is the sessions' own."""
    own = argv[: argv.index("--")] if "--" in argv else argv
    return not any(arg in LISTING for arg in own)


def hold_reports(folder: Path) -> None:
    """Take the reports folder for this run, once per process (see ci_sessions.reports_lock)."""
    if folder in _held:
        return
    folder.mkdir(parents=True, exist_ok=True)
    me = reports_lock.Holder(
        invocation=invocation.current(),
        pid=os.getpid(),
        command=" ".join(["nox", *sys.argv[1:]]),
        since=time.strftime("%H:%M:%S"),
    )
    reports_lock.take(
        folder,
        me,
        alive=invocation.owner_alive,
        waiting=lambda holder: logger.warning(
            f"ci-sessions: {folder} is in use by another nox run ({holder.describe()}); "
            "waiting for it to end (Ctrl-C stops waiting)"
        ),
    )
    _held.add(folder)
    owner = invocation.owner(me.invocation)
    if owner is not None and owner[0] == os.getpid():
        # The run's own process frees it; a `nox -j` child leaves it to its siblings.
        atexit.register(reports_lock.release, folder, me.invocation)


def stop_strays(marker: str) -> str:
    """Stop the processes the session's commands started and left running; what to say."""
    left = processes.marked(SESSION_ENV, marker.__eq__)
    if not left:
        return ""
    named = "; ".join(
        f"pid {pid} `{processes.command_line(pid).strip()[:100]}`" for pid in left[:5]
    )
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    processes.stop_all(left)
    return (
        f"{len(left)} process(es) started by this session's commands were still running at "
        f"its end, and are stopped now: {named}{more}; a test or fixture that starts one "
        "should stop it"
    )
