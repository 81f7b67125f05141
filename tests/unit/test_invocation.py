"""The invocation ID: shared with nox -j's children, new for any other nox."""

from __future__ import annotations

import os

from ci_sessions.invocation import ENV, current, owner, owner_alive


def test_a_new_process_makes_and_exports_its_own() -> None:
    environ: dict[str, str] = {}
    made = current(environ)
    assert environ[ENV] == made
    found = owner(made)
    assert found is not None and found[0] == os.getpid()
    assert current(environ) == made
    assert owner_alive(made)


def test_a_child_of_the_maker_shares_it_and_others_do_not() -> None:
    from_parent = f"{os.getppid()}.x-abc"
    assert current({ENV: from_parent}) == from_parent
    unrelated = {ENV: "1.5-abc"}  # made by a process that is not our parent
    assert current(unrelated) != "1.5-abc"


def test_an_owner_whose_pid_was_reused_is_dead() -> None:
    made = current({})
    pid, start = owner(made) or (0, None)
    assert start is not None
    assert not owner_alive(f"{pid}.{start + 1}-abc")  # same pid, another process
    assert owner_alive("not-an-id")  # unknown form: never swept
