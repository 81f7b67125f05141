"""End-to-end: nothing leaks (issue 16). Real servers, real signals to a real nox.

After every test: nothing the run started is alive (by the owner marker every
process it starts carries), no service port answers, no service folder or
worktree remains, and no password appears in the console, under reports/ or
in the annotations.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, clean_env, new_copy, set_keys
from tests.e2e.test_coverage import git

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

SERVICE_TMP = Path("/tmp")
STARTED = re.compile(r"(postgres|redis): started at \S+:(\d+)/\S*, files in (\S+)")


@pytest.fixture
def app(projects_dir: Path) -> Path:
    return new_copy(projects_dir, FIXTURES / "services_app")


def owned_by(nox_pid: int) -> list[str]:
    """Command lines of live processes a nox process (by its pid) marked as its own."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] == "Z":
            continue  # a zombie is gone, only not yet reaped
        if f"CI_SESSIONS_OWNER={nox_pid}.".encode() in environ:
            found.append(cmdline)
    return found


def service_folders() -> set[Path]:
    return set(SERVICE_TMP.glob("ci-sessions-service-*"))


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def assert_nothing_left(nox_pid: int, output: str, before: set[Path]) -> None:
    deadline = time.monotonic() + 10  # SIGKILLed children may take a moment to go
    while owned_by(nox_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert owned_by(nox_pid) == [], output
    assert service_folders() - before == set(), output
    for _name, port, folder in STARTED.findall(output):
        assert not answers(int(port)), f"port {port} still answers"
        assert not Path(folder).exists()


def start_nox(
    project: Path, envdir: Path, *args: str, env: dict[str, str | None]
) -> subprocess.Popen[bytes]:
    """nox in the background, in a session of its own, reusing the shared venvs."""
    return subprocess.Popen(
        [sys.executable, "-m", "nox", "--envdir", str(envdir), "-r", *args],
        cwd=project,
        env=clean_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def read_until(nox: subprocess.Popen[bytes], marker: bytes, timeout: float = 300) -> bytes:
    assert nox.stdout is not None
    received = b""
    deadline = time.monotonic() + timeout
    while marker not in received and time.monotonic() < deadline:
        ready, _, _ = select.select([nox.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(nox.stdout.fileno(), 4096)
            if not chunk:
                break
            received += chunk
    assert marker in received, received.decode(errors="replace")
    return received


def finish(nox: subprocess.Popen[bytes], received: bytes) -> str:
    rest, _ = nox.communicate(timeout=120)
    return (received + rest).decode(errors="replace")


def reports_text(project: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")
        for path in (project / "reports").rglob("*")
        if path.is_file() and not path.name.startswith(".coverage")
    )


@pytest.mark.parametrize(
    ("given", "secret"),
    [
        ("postgresql://app@127.0.0.1:{port}/db?password=Sekr1t-query", "Sekr1t-query"),
        ("host=127.0.0.1 port={port} dbname=db user=app password=Sekr1t-kv", "Sekr1t-kv"),
    ],
    ids=["query-string", "key-value"],
)
def test_passwords_anywhere_in_a_given_url_are_masked_and_its_port_probed(
    app: Path, run_nox: RunNox, given: str, secret: str
) -> None:
    """A listener that answers like PostgreSQL on the URL's own port: the wait ends
    there (not on 5432), and the tests then fail against it, masked throughout."""
    set_keys(app, "tool.ci_sessions.integration", services='["postgres"]', ready_timeout="5")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        probed = threading.Event()

        def answer_ssl_request() -> None:
            listener.settimeout(60)
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                with connection:
                    connection.recv(8)
                    connection.sendall(b"N")  # "no SSL": what any PostgreSQL answers
                    probed.set()

        threading.Thread(target=answer_ssl_request, daemon=True).start()
        url = given.format(port=port)
        result = run_nox(
            app, "-s", "integration", env={"DATABASE_URL": url, "GITHUB_ACTIONS": "true"}
        )
    assert probed.is_set(), result
    assert "did not answer" not in result.output
    # Only the runner's own masking command may name it, once.
    assert result.output.count(secret) == 1, result
    assert secret not in reports_text(app)
    assert "password=***" in result.output
    assert f"::add-mask::{secret}" in result.output


def test_the_generated_password_stays_out_of_annotations_reports_and_console(
    app: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    leaked = tmp_path / "url.txt"
    before = service_folders()
    result = run_nox(
        app,
        "-s",
        "integration",
        env={"SERVICES_APP_LEAK": str(leaked), "GITHUB_ACTIONS": "true"},
    )
    assert result.returncode != 0, result
    url = leaked.read_text()
    password = url.split("//postgres:", 1)[1].split("@", 1)[0]
    assert len(password) > 10
    first = result.output.index(f"::add-mask::{password}")
    assert result.output.count(password) == 1  # the add-mask command alone
    assert first < result.output.index("started at")
    assert "cannot reach postgresql://postgres:***@127.0.0.1:" in result.output
    assert "::error file=tests/integration/test_services.py" in result.output
    assert password not in reports_text(app)
    assert "***" in (app / "reports" / "junit-integration.xml").read_text()
    for _, port, folder in STARTED.findall(result.output):
        assert not answers(int(port)) and not Path(folder).exists()
    assert service_folders() - before == set()


@pytest.mark.parametrize("signals", [1, 2], ids=["one-sigterm", "two-sigterms"])
def test_sigterm_during_tests_stops_the_whole_process_tree(
    app: Path, shared_envdir: Path, signals: int
) -> None:
    before = service_folders()
    nox = start_nox(
        app,
        shared_envdir,
        "-s",
        "integration",
        "--",
        "-k",
        "spawn",
        env={"SERVICES_APP_SPAWN": "1"},
    )
    received = read_until(nox, b"test_services.py ")
    time.sleep(1)  # the test has started its grandchild and hangs
    assert any("sleep 300" in line for line in owned_by(nox.pid))
    for _ in range(signals):
        os.kill(nox.pid, signal.SIGTERM)
        time.sleep(0.5)
    output = finish(nox, received)
    assert nox.returncode != 0, output
    assert_nothing_left(nox.pid, output, before)


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder the unprivileged user the cluster runs as (when root) can reach."""
    folder = Path(tempfile.mkdtemp(prefix="ci-sessions-e2e-bin-", dir=SERVICE_TMP))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_sigterm_while_postgres_is_starting_stops_the_server(
    app: Path, shared_envdir: Path, public_dir: Path
) -> None:
    """createdb made slow: the postmaster is up, start() has not returned."""
    slow = public_dir
    real = next(Path("/usr/lib/postgresql").glob("*/bin"))
    for name in ("initdb", "pg_ctl", "postgres"):
        (slow / name).symlink_to(real / name)
    (slow / "createdb").write_text("#!/bin/sh\nsleep 60\n")
    (slow / "createdb").chmod(0o755)
    before = service_folders()
    nox = start_nox(
        app,
        shared_envdir,
        "-s",
        "integration",
        env={"CI_SESSIONS_SERVICE_PATH": str(slow)},
    )
    deadline = time.monotonic() + 300
    while not any("postgres -D" in line for line in owned_by(nox.pid)):
        if time.monotonic() > deadline or nox.poll() is not None:
            raise AssertionError(f"postgres never started:\n{finish(nox, b'')}")
        time.sleep(0.2)
    os.kill(nox.pid, signal.SIGTERM)
    output = finish(nox, b"")
    assert nox.returncode != 0, output
    assert_nothing_left(nox.pid, output, before)


def test_sigterm_during_the_baseline_install_removes_the_worktree(
    projects_dir: Path, shared_envdir: Path
) -> None:
    from tests.e2e.test_benchmark import scratch_repo, worktrees

    repo = scratch_repo(projects_dir, "walltime")
    nox = start_nox(repo, shared_envdir, "-s", "benchmark-compare", env={})
    deadline = time.monotonic() + 300
    while worktrees(repo) < 2:
        assert time.monotonic() < deadline and nox.poll() is None, "no worktree was added"
        time.sleep(0.05)
    os.kill(nox.pid, signal.SIGTERM)
    output = finish(nox, b"")
    assert nox.returncode != 0, output
    assert worktrees(repo) == 1, git(repo, "worktree", "list")
    assert not list((shared_envdir / "benchmark-compare" / "tmp").glob("baseline-tree*"))
    assert owned_by(nox.pid) == []


def test_after_a_sigkill_the_next_run_removes_what_was_left(
    app: Path, shared_envdir: Path, run_nox: RunNox
) -> None:
    before = service_folders()
    nox = start_nox(
        app,
        shared_envdir,
        "-s",
        "integration",
        env={"SERVICES_APP_SLEEP": "300"},
    )
    received = read_until(nox, b"test_services.py ..")
    nox.kill()  # SIGKILL: nothing of nox's own cleanup runs
    output = finish(nox, received)
    left = owned_by(nox.pid)  # redis-server rewrites its environment: found by its port
    assert any("postgres -D" in line for line in left), left
    assert any("pytest" in line for line in left), left
    ports = [int(port) for _, port, _ in STARTED.findall(output)]
    assert len(ports) == 2 and all(answers(port) for port in ports), output
    assert service_folders() - before
    again = run_nox(app, "-l")
    assert again.returncode == 0, again
    assert "was killed and left" in again.output
    assert_nothing_left(nox.pid, output, before)


def test_a_redis_server_that_exits_at_once_fails_at_once_saying_why(
    app: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "redis-server").write_text(
        "#!/bin/sh\necho 'FATAL CONFIG FILE ERROR: bad directive' >&2\nexit 1\n"
    )
    (fake / "redis-server").chmod(0o755)
    set_keys(app, "tool.ci_sessions.integration", services='["redis"]', ready_timeout="60")
    start = time.monotonic()
    result = run_nox(app, "-s", "integration", env={"CI_SESSIONS_SERVICE_PATH": str(fake)})
    assert result.returncode != 0, result
    assert "redis exited at once (exit 1): FATAL CONFIG FILE ERROR: bad directive" in result.output
    assert time.monotonic() - start < 50  # not the whole ready-timeout
