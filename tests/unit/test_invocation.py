"""The invocation ID: shared with nox -j's children, new for any other nox."""

from __future__ import annotations

import os

from ci_sessions.invocation import ENV, current, owner_pid


def test_a_new_process_makes_and_exports_its_own() -> None:
    environ: dict[str, str] = {}
    made = current(environ)
    assert environ[ENV] == made and owner_pid(made) == os.getpid()
    assert current(environ) == made


def test_a_child_of_the_maker_shares_it_and_others_do_not() -> None:
    from_parent = f"{os.getppid()}-abc"
    assert current({ENV: from_parent}) == from_parent
    unrelated = {ENV: "1-abc"}  # made by a process that is not our parent
    assert current(unrelated) != "1-abc"
