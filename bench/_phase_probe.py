"""Run nox in this process with timers around its phases, then print them as JSON.

Used by bench/phases.py, never by the product: it wraps, from outside, nox's loading of
the noxfile, its venv set-up, ci-sessions' install check, every command a session runs
(by program), and the session function itself; what the session did besides its commands
is the rest. Arguments: nox's own. The JSON goes to the file named by PHASES_OUT.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = float(os.environ.get("PHASES_SPAWNED", time.time()))
phases: list[tuple[str, float]] = [("python started", time.time() - STARTED)]
commands: list[tuple[str, float]] = []


def timed(owner: Any, name: str, label: str | Callable[..., str]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            title = label(*args, **kwargs) if callable(label) else label
            seconds = time.perf_counter() - start
            (commands if title.startswith("command:") else phases).append((title, seconds))

    setattr(owner, name, wrapper)


def command_label(args: Any, *rest: Any, **kwargs: Any) -> str:
    program = Path(str(args[0])).name if args else "?"
    if program.startswith("python") and len(args) > 2 and args[1] == "-m":
        program = f"python -m {args[2]}"
    elif program.startswith("python") and len(args) > 1:
        program = f"python {Path(str(args[1])).name}"
    return f"command: {program}"


def main() -> None:
    start = time.perf_counter()
    import nox.__main__
    import nox.command
    import nox.sessions
    import nox.tasks

    phases.append(("nox imported", time.perf_counter() - start))
    timed(nox.tasks, "load_nox_module", "the noxfile loaded (ci-sessions imported, register())")
    timed(nox.sessions.SessionRunner, "_create_venv", "the venv found and reused")
    timed(nox.command, "run", command_label)
    timed(nox.sessions.SessionRunner, "execute", "the session, in all")

    # Imported before the noxfile, so that the families bind the wrapped install(): timed
    # as a phase of its own, part of what loading the noxfile costs.
    start = time.perf_counter()
    import ci_sessions.git
    import ci_sessions.glue.session

    phases.append(("ci-sessions' glue imported (part of the noxfile)", time.perf_counter() - start))
    timed(ci_sessions.glue.session, "install", "ci-sessions' install check")
    timed(ci_sessions.git, "_git", lambda root, *args: f"command: git {args[0] if args else ''}")
    try:
        nox.__main__.main()
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    Path(os.environ["PHASES_OUT"]).write_text(
        json.dumps({"phases": phases, "commands": commands, "code": code})
    )


if __name__ == "__main__":
    main()
