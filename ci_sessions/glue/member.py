"""A uv workspace member's sessions: run from its folder, skipped where a change misses it."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable

import nox

from ci_sessions import workspace
from ci_sessions.config import Config

SessionFunc = Callable[[nox.Session], None]


def in_member(func: SessionFunc, config: Config) -> SessionFunc:
    """A workspace member's session: run from the member's folder (its relative paths, its
    `uv pip install .`), and skipped when the change at hand does not reach the member."""

    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        chosen = workspace.chosen_members(os.environ)
        if chosen is not None and config.member not in chosen:
            session.skip(
                f"member {config.member}: not reached by this change "
                f"({workspace.MEMBERS_ENV}={','.join(chosen) or '(none)'})"
            )
        with contextlib.chdir(config.root):
            func(session)

    return run
