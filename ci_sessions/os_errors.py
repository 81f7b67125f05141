"""An OSError that the machine or the project's folder caused, worded as one line.

A read-only checkout, a full disk or a file where ci-sessions needs a folder is not a
bug of ci-sessions: the user gets what happened, where, and what to do, not a
traceback. Any other OSError is a bug, and keeps its traceback. No nox here.
"""

from __future__ import annotations

import errno

# errno -> (what happened, what to do)
_CAUSES = {
    errno.EROFS: ("the file system is read-only", "run from a writable checkout"),
    errno.ENOSPC: (
        "no space left on the device",
        "free some space (old reports, .nox venvs, caches) and run again",
    ),
    errno.EDQUOT: ("the disk quota is exhausted", "free some space and run again"),
    errno.EACCES: ("permission denied", "make the project folder writable for this user"),
    errno.EPERM: ("operation not permitted", "make the project folder writable for this user"),
    errno.EEXIST: (
        "a file is where a folder is needed",
        "move the file away, or set reports-dir in [tool.ci_sessions] to another folder",
    ),
    errno.ENOTDIR: (
        "a file is where a folder is needed",
        "move the file away, or set reports-dir in [tool.ci_sessions] to another folder",
    ),
}


def os_problem(exc: OSError, folder: str = "") -> str | None:
    """One line for an OSError the user can fix, or None for one that is a bug.

    `folder`: where the session writes, named when the error does not say which file (a
    write that filled the disk has no file name)."""
    cause = _CAUSES.get(exc.errno or 0)
    if cause is None:
        return None
    what, fix = cause
    where = f" {exc.filename}" if exc.filename else (f" in {folder}" if folder else "")
    return f"cannot write{where}: {what} (errno {exc.errno}); {fix}"
