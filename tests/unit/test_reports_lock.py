"""One run at a time holds a reports folder; a killed run holds nothing."""

from __future__ import annotations

import errno
from pathlib import Path

from ci_sessions import reports_lock
from ci_sessions.os_errors import os_problem
from ci_sessions.reports_lock import Holder

FIRST = Holder("100.5-aa", 100, "nox -s tests-3.12", "10:00:00")
SECOND = Holder("200.7-bb", 200, "nox -s tests-3.12", "10:00:05")


def test_a_second_run_waits_for_the_first_and_names_it(tmp_path: Path) -> None:
    reports_lock.take(tmp_path, FIRST, alive=lambda _: True, waiting=lambda _: None)
    checks: list[str] = []
    waited: list[Holder] = []

    def alive(invocation: str) -> bool:
        checks.append(invocation)
        return len(checks) < 3  # the first run ends after two looks

    reports_lock.take(tmp_path, SECOND, alive=alive, waiting=waited.append, pause=0)
    assert waited == [FIRST]  # said once, however long it waits
    assert checks == [FIRST.invocation] * 3
    assert "pid 100, `nox -s tests-3.12`, since 10:00:00" in FIRST.describe()


def test_the_sessions_of_one_run_share_the_folder(tmp_path: Path) -> None:
    reports_lock.take(tmp_path, FIRST, alive=lambda _: True, waiting=lambda _: None)
    sibling = Holder(FIRST.invocation, 101, "nox -s lint", "10:00:01")  # a `nox -j` child
    reports_lock.take(tmp_path, sibling, alive=lambda _: True, waiting=_never)


def test_a_released_or_killed_run_holds_nothing(tmp_path: Path) -> None:
    reports_lock.take(tmp_path, FIRST, alive=lambda _: True, waiting=lambda _: None)
    reports_lock.release(tmp_path, "someone-else")  # not the holder: nothing changes
    reports_lock.take(tmp_path, SECOND, alive=lambda _: False, waiting=_never)  # FIRST died
    reports_lock.release(tmp_path, SECOND.invocation)
    reports_lock.take(tmp_path, FIRST, alive=lambda _: True, waiting=_never)


def _never(holder: Holder) -> None:
    raise AssertionError(f"waited for {holder}")


def test_os_errors_a_user_can_fix_are_one_line() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "reports/junit.xml")
    assert os_problem(full) == (
        "cannot write reports/junit.xml: no space left on the device (errno 28); free some "
        "space (old reports, .nox venvs, caches) and run again"
    )
    read_only = os_problem(OSError(errno.EROFS, "Read-only file system", "/src/reports"))
    assert read_only is not None and "the file system is read-only (errno 30)" in read_only
    in_the_way = os_problem(FileExistsError(errno.EEXIST, "File exists", "reports"))
    assert in_the_way is not None and "set reports-dir in [tool.ci_sessions]" in in_the_way
    # Anything else is a bug, and keeps its traceback.
    assert os_problem(FileNotFoundError(errno.ENOENT, "No such file", "x")) is None
