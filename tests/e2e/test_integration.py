"""End-to-end: real PostgreSQL and Redis, started, used and always cleaned up."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, add_config, clean_env, new_copy, set_keys

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

STARTED = re.compile(r"(\w+): started at \S+, files in (\S+)")


@pytest.fixture
def app(projects_dir: Path) -> Path:
    return new_copy(projects_dir, FIXTURES / "services_app")


def service_dirs(output: str) -> dict[str, Path]:
    return {name: Path(folder) for name, folder in STARTED.findall(output)}


def processes_using(folder: Path) -> list[str]:
    """Command lines of live processes that mention the folder (data dir, config)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found


def assert_cleaned_up(
    output: str, services: frozenset[str] = frozenset({"postgres", "redis"})
) -> None:
    folders = service_dirs(output)
    assert set(folders) == services, output
    for name, folder in folders.items():
        assert not folder.exists(), f"{name} left {folder} behind"
        assert processes_using(folder) == [], f"{name} still running"


def test_real_services_pass_and_are_cleaned_up(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "integration")
    assert result.returncode == 0, result
    assert "5 passed" in result.output
    assert (app / "reports" / "junit-integration.xml").is_file()
    assert (app / "reports" / "coverage-data" / "integration" / ".coverage.py3.13").is_file()
    assert "postgresql://postgres:***@127.0.0.1:" in result.output
    assert_cleaned_up(result.output)


def test_a_failing_test_fails_and_still_cleans_up(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "integration", env={"SERVICES_APP_FAIL": "1"})
    assert result.returncode != 0, result
    assert "1 failed, 4 passed" in result.output
    assert_cleaned_up(result.output)


@pytest.mark.parametrize(
    "interrupt",
    [
        lambda pid: os.killpg(pid, signal.SIGINT),  # what Ctrl-C in a terminal sends
        lambda pid: os.kill(pid, signal.SIGTERM),  # a cancelled CI job, `kill`
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_an_interrupted_run_still_cleans_up(
    app: Path, shared_envdir: Path, interrupt: Callable[[int], None]
) -> None:
    env = clean_env({"SERVICES_APP_SLEEP": "60"})
    nox = subprocess.Popen(
        [sys.executable, "-m", "nox", "--envdir", str(shared_envdir), "-r", "-s", "integration"],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # Python ignores SIGINT when it starts with SIGINT ignored, as a
        # non-interactive shell's background job (or CI runner) may hand it down.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert nox.stdout is not None
    received = b""
    deadline = time.monotonic() + 300
    # pytest prints its progress dots without a newline: read what is there.
    while b"test_services.py .." not in received and time.monotonic() < deadline:
        ready, _, _ = select.select([nox.stdout], [], [], 1)
        if ready:
            chunk = os.read(nox.stdout.fileno(), 4096)
            if not chunk:
                break
            received += chunk
    assert b"test_services.py .." in received, received.decode()
    interrupt(nox.pid)
    rest, _ = nox.communicate(timeout=120)
    output = (received + rest).decode(errors="replace")
    assert "passed" not in output.splitlines()[-1]
    assert nox.returncode != 0, output
    assert_cleaned_up(output)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_given_url_that_never_answers_fails_within_the_budget(app: Path, run_nox: RunNox) -> None:
    set_keys(app, "tool.ci_sessions.integration", ready_timeout="3")
    url = f"postgresql://app:s3cret-pw@127.0.0.1:{unused_port()}/app"
    start = time.monotonic()
    result = run_nox(app, "-s", "integration", env={"DATABASE_URL": url})
    elapsed = time.monotonic() - start
    assert result.returncode != 0, result
    assert (
        "postgres at postgresql://app:***@127.0.0.1:" in result.output
        and "(from $DATABASE_URL) did not answer within 3s (ready-timeout)" in result.output
    ), result
    assert "s3cret-pw" not in result.output
    assert elapsed < 60


def test_given_urls_are_used_unchanged(app: Path, run_nox: RunNox, tmp_path: Path) -> None:
    port = unused_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        set_keys(app, "tool.ci_sessions.integration", services='["redis"]')
        url = f"redis://127.0.0.1:{port}/3"
        result = run_nox(app, "-s", "integration", "--", "-k", "redis", env={"REDIS_URL": url})
    finally:
        server.terminate()
        server.wait()
    assert result.returncode == 0, result
    assert f"redis: using $REDIS_URL = {url}" in result.output
    assert "started at" not in result.output


def test_a_missing_binary_fails_with_the_install_hint(app: Path, run_nox: RunNox) -> None:
    result = run_nox(app, "-s", "integration", env={"CI_SESSIONS_SERVICE_PATH": "/nonexistent"})
    assert result.returncode != 0, result
    assert "initdb not found: install it (apt-get install postgresql" in result.output
    assert "Session integration skipped" not in result.output


def test_the_coverage_gate_can_include_the_integration_run(app: Path, run_nox: RunNox) -> None:
    def total() -> float:
        report = json.loads((app / "reports" / "coverage.json").read_text())
        return float(report["totals"]["percent_covered"])

    assert run_nox(app, "-s", "tests-3.13", "integration", "coverage").returncode == 0
    without = total()
    add_config(app, "[tool.ci_sessions.coverage]\ninclude-integration = true")
    result = run_nox(app, "-s", "coverage")
    assert result.returncode == 0, result
    assert total() > without
