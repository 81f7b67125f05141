"""Owners, records and sweeps over real (short-lived) processes and folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ci_sessions import cleanup, processes


def dead_owner() -> str:
    """The owner ID of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    start = processes.start_time(child.pid)
    child.wait()
    return f"{child.pid}.{start if start is not None else 1}"


def test_this_process_is_alive_and_an_exited_one_is_not() -> None:
    assert cleanup.owner_alive(cleanup.owner_id())
    assert not cleanup.owner_alive(dead_owner())
    assert cleanup.owner_alive("not-a-pid")  # never judged, never swept


def test_a_folder_is_abandoned_only_when_its_recorded_owner_is_gone(tmp_path: Path) -> None:
    record = tmp_path / "owner.json"
    assert not cleanup.abandoned(record)  # no record: not known to be ours
    cleanup.mark_owned(record)
    assert not cleanup.abandoned(record)
    record.write_text(json.dumps({"owner": dead_owner()}))
    assert cleanup.abandoned(record)


def test_the_sweep_stops_what_runs_from_an_abandoned_folder_and_removes_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ci-sessions-service-x"
    folder.mkdir()
    (folder / cleanup.OWNER_FILE).write_text(json.dumps({"owner": dead_owner()}))
    server = subprocess.Popen(["sleep", "60"], cwd=folder)  # found by its working directory
    kept = tmp_path / "ci-sessions-service-live"
    kept.mkdir()
    cleanup.mark_owned(kept / cleanup.OWNER_FILE)
    said = cleanup.sweep_service_folders([folder, kept])
    assert server.wait(timeout=10) != 0
    assert not folder.exists() and kept.exists()
    assert said == [
        f"removed {folder}, left by a run that was killed, and stopped 1 process(es) running "
        "from it"
    ]


def test_descendants_and_markers_find_a_process_tree() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        env={**os.environ, "CI_SESSIONS_TEST_MARK": "yes"},
    )
    try:
        assert child.pid in processes.descendants(os.getpid())
        assert child.pid in processes.marked("CI_SESSIONS_TEST_MARK", "yes".__eq__)
    finally:
        processes.stop_all([child.pid])
        child.wait()
    assert not processes.alive(child.pid, None)


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_owner_marker_matches_nothing(value: str) -> None:
    assert processes.marked("CI_SESSIONS_TEST_NO_SUCH_VARIABLE", value.__eq__) == []


def test_the_sweep_names_each_process_a_killed_run_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI_SESSIONS_CACHE_DIR", str(tmp_path))
    owner = dead_owner()
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / f"{owner}.json").write_text(json.dumps({"owner": owner}))
    left = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, cleanup.OWNER_ENV: owner},
    )
    # Seen as the killed run's before the sweep (a loaded machine may take a moment).
    deadline = time.monotonic() + 10
    while not processes.marked(cleanup.OWNER_ENV, owner.__eq__) and time.monotonic() < deadline:
        time.sleep(0.05)
    [said] = cleanup.sweep_processes()
    assert left.wait(timeout=10) != 0
    # Named before they were stopped (was: "stopped them: ; ").
    assert said.endswith("stopped them: " + f"{sys.executable} -c import time; time.sleep(60)"[:80])
    assert not (tmp_path / "runs" / f"{owner}.json").exists()


def test_a_cancel_that_nox_swallowed_is_raised_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """nox's popen() drops the KeyboardInterrupt when the interrupted command exits 0: the
    cancel must survive it, and no command may start after it."""
    monkeypatch.setitem(cleanup._state, "signals", 0)
    started: list[str] = []

    def finishing_anyway(*args: str) -> int:
        started.append(args[0])
        cleanup._state["signals"] = 1  # SIGTERM while it ran; it exited 0 all the same
        return 0

    run = cleanup._cancel_survives(finishing_anyway)
    with pytest.raises(KeyboardInterrupt, match="cancelled"):
        run("uv")
    with pytest.raises(KeyboardInterrupt, match="cancelled"):
        run("pytest")
    assert started == ["uv"]
    assert cleanup.cancelled()
    monkeypatch.setitem(cleanup._state, "signals", 0)
    assert cleanup._cancel_survives(lambda *a: 7)("git") == 7
