"""A session's scratch folder, without the TMPDIR nox would point into the venv."""

from __future__ import annotations

from pathlib import Path

import nox


def scratch_dir(session: nox.Session) -> Path:
    """The session's scratch folder (.nox/<session>/tmp), absolute, without create_tmp()'s
    side effect.

    Absolute: nox gives it relative to the project when run with its default envdir
    (`.nox`), and a command started in another folder (benchmark-compare's baseline
    worktree) would then look for its venv's tools beside that folder, and not find them.

    nox's create_tmp() also points TMPDIR there, inside the venv: a project's
    tests would then make their temporary files under sys.prefix, and Flask's
    instance-path tests take such modules for installed ones and fail. The
    tests keep the TMPDIR they would have without ci-sessions.
    """
    before = session.env.get("TMPDIR")
    tmp = Path(session.create_tmp()).resolve()
    if before is None:
        session.env.pop("TMPDIR", None)
    else:
        session.env["TMPDIR"] = before
    return tmp
