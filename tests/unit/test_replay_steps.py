"""A job entry's steps as the replay runs them, on real processes in a temporary folder:
outputs and environment passed through the runner's command files, `if:` after a failure,
continue-on-error, the timeout stopping a step's whole process group, and the actions done
here (artifacts, caches, setup-python, code scanning, unknown actions)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ci_sessions.replay.actions import Place, perform, upload_files
from ci_sessions.replay.steps import EntryResult, JobRun, command_file


@pytest.fixture
def place(tmp_path: Path) -> Place:
    work, runner = tmp_path / "work", tmp_path / "runner"
    work.mkdir()
    runner.mkdir()
    return Place(work, runner, tmp_path / "store", None)


def job(
    place: Place,
    steps: Sequence[Mapping[str, Any]],
    outputs: dict[str, str] | None = None,
    seconds: float = 60,
) -> tuple[EntryResult, str]:
    log = io.StringIO()
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    context = {"github": {"sha": "abc"}, "matrix": {"python": "3.13"}, "env": {}}
    done = JobRun(place, context, env, log, time.monotonic() + seconds).run(steps, outputs or {})
    return done, log.getvalue()


def test_command_files_hold_lines_and_blocks() -> None:
    text = "a=1\nnotes<<END\nline one\nline=two\nEND\nb=x=y\n"
    assert command_file(text) == {"a": "1", "notes": "line one\nline=two", "b": "x=y"}


def test_outputs_and_environment_pass_between_steps_and_to_the_job(place: Place) -> None:
    steps = [
        {
            "id": "first",
            "run": 'echo "code=true" >> "$GITHUB_OUTPUT"\n'
            'echo "SEEN=${{ matrix.python }}" >> "$GITHUB_ENV"',
        },
        {
            "id": "second",
            "run": 'test "$SEEN" = 3.13\n'
            'echo "from=${{ steps.first.outputs.code }}" >> "$GITHUB_OUTPUT"',
        },
    ]
    done, _ = job(place, steps, {"code": "${{ steps.second.outputs.from }}"})
    assert done.result == "success" and done.outputs == {"code": "true"}


def test_a_failed_step_skips_the_next_unless_its_if_asks_and_the_job_fails(place: Place) -> None:
    steps = [
        {"name": "breaks", "run": "echo broken; exit 3"},
        {"name": "skipped", "run": "touch skipped"},
        {"name": "always", "if": "always()", "run": "touch always"},
        {"name": "on failure", "if": "failure()", "run": "touch failure"},
    ]
    done, log = job(place, steps)
    assert done.result == "failure" and done.why == "breaks: exited with 3"
    assert done.tail == ["broken"]
    assert sorted(p.name for p in place.work.iterdir()) == ["always", "failure"]
    assert "--- skipped: skipped" in log


def test_continue_on_error_keeps_the_job_green_with_the_outcome_recorded(place: Place) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "soft", "continue-on-error": True, "run": "exit 1"},
        {
            "run": 'test "${{ steps.soft.outcome }}" = failure\n'
            'test "${{ steps.soft.conclusion }}" = success'
        },
    ]
    done = job(place, steps)[0]
    assert done.result == "success" and done.why == ""
    assert done.continued == ["exit 1: exited with 1"]


def test_the_timeout_stops_the_step_and_every_process_it_started(place: Place) -> None:
    pid_file = place.work / "child.pid"
    steps = [{"name": "hangs", "run": f"sleep 300 & echo $! > {pid_file}; sleep 300"}]
    started = time.monotonic()
    done, _ = job(place, steps, seconds=1.5)
    assert done.result == "failure" and "timed out" in done.why
    assert time.monotonic() - started < 20
    child = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_server_left_running_by_a_step_is_stopped_when_it_ends(place: Place) -> None:
    pid_file = place.work / "server.pid"
    done, _ = job(
        place, [{"run": f"(sleep 300 >/dev/null 2>&1 &) ; sleep 0.2; pgrep -n sleep > {pid_file}"}]
    )
    assert done.result == "success"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_artifacts_keep_paths_below_the_patterns_root_and_hidden_files_only_when_asked(
    place: Place,
) -> None:
    data = place.work / "reports" / "coverage-data"
    data.mkdir(parents=True)
    (data / ".coverage.py313").write_text("x")
    (place.work / "reports" / "tests-3.13.xml").write_text("<x/>")
    root, files = upload_files(place.work, ["reports/coverage-data/.coverage.py*"], hidden=True)
    assert root == data and [f.name for f in files] == [".coverage.py313"]
    assert upload_files(place.work, ["reports/coverage-data/"], hidden=False)[1] == []
    up = perform(
        "actions/upload-artifact@x",
        place,
        {
            "name": "cov",
            "path": "reports/coverage-data/.coverage.py*",
            "include-hidden-files": "true",
        },
        [],
    )
    assert up.ok
    again = perform("actions/upload-artifact@x", place, {"name": "cov", "path": "reports/"}, [])
    assert not again.ok and "uploaded already" in again.message
    down = perform(
        "actions/download-artifact@x",
        place,
        {"pattern": "c*", "merge-multiple": "true", "path": "got"},
        [],
    )
    assert down.ok and (place.work / "got" / ".coverage.py313").is_file()


def test_an_upload_that_finds_nothing_fails_only_when_the_step_says_error(place: Place) -> None:
    missing = {"name": "n", "path": "reports/pipeline.d/", "if-no-files-found": "error"}
    assert not perform("actions/upload-artifact@x", place, missing, []).ok
    ignored = {**missing, "name": "m", "if-no-files-found": "ignore"}
    assert perform("actions/upload-artifact@x", place, ignored, []).ok
    assert not perform("actions/download-artifact@x", place, {"name": "never"}, []).ok


def test_a_cache_is_restored_by_key_or_by_the_newest_prefix(place: Place) -> None:
    kept = place.work / "reports" / "figures"
    kept.mkdir(parents=True)
    (kept / "main.json").write_text("{}")
    saved = perform(
        "actions/cache/save@x", place, {"path": "reports/figures", "key": "figures-Linux-abc"}, []
    )
    assert saved.ok
    (kept / "main.json").unlink()
    exact = perform(
        "actions/cache/restore@x",
        place,
        {"path": "reports/figures", "key": "figures-Linux-abc"},
        [],
    )
    assert exact.outputs["cache-hit"] == "true" and (kept / "main.json").is_file()
    prefix = perform(
        "actions/cache/restore@x",
        place,
        {"path": "reports/figures", "key": "figures-Linux-def", "restore-keys": "figures-Linux-"},
        [],
    )
    assert prefix.outputs == {"cache-hit": "false", "cache-matched-key": "figures-Linux-abc"}
    miss = perform("actions/cache/restore@x", place, {"path": "x", "key": "other"}, [])
    assert miss.ok and miss.outputs == {"cache-hit": "false"}


def test_what_reaches_github_or_is_unknown_is_named_not_replayed(place: Place) -> None:
    unknown = perform("someone/deploy@v1", place, {}, [])
    assert unknown.ok and unknown.not_replayed and "someone/deploy" in unknown.message
    sarif = perform(
        "github/codeql-action/upload-sarif@x", place, {"sarif_file": "reports/bandit.sarif"}, []
    )
    assert not sarif.ok  # the file it would upload is missing: that is a failure here too
    missing = perform("actions/setup-python@x", place, {"python-version": "3.99"}, [])
    assert not missing.ok and "3.99 is not on this machine" in missing.message
