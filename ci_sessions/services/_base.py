"""What the service modules share: finding binaries, ports, URLs, waiting."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ci_sessions import processes
from ci_sessions.addresses import parse
from ci_sessions.masking import redact

# Where binaries are looked for besides PATH (Debian keeps PostgreSQL's in a versioned
# folder, and mariadbd in /usr/sbin); CI_SESSIONS_SERVICE_PATH replaces both.
EXTRA_BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/sbin")
# initdb and mariadbd refuse to run as root, as CI containers often are; the
# servers then run as this unprivileged user instead.
UNPRIVILEGED = "nobody"


class ServiceError(Exception):
    """A service could not be found, started or reached; the message says what to do."""


@dataclass
class Started:
    """A running private instance and what is needed to stop it."""

    name: str
    url: str
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    stop_command: list[str] = field(default_factory=list)
    run_as: str | None = None
    stopped: bool = False
    # Where the server's own stdout and stderr go (what it says when it dies at once).
    output: Path | None = None

    def exited(self) -> str | None:
        """Why the server is gone, when it has exited; None while it runs (or unknown)."""
        if self.process is None or self.process.poll() is None:
            return None
        said = self.output.read_text(errors="replace").strip() if self.output else ""
        return f"{self.name} exited at once (exit {self.process.returncode}): " + (
            redact(" | ".join(said.splitlines()[-5:])) or "it printed nothing"
        )


def stop_processes(started: Started) -> None:
    """What every service's stop() ends with: any process still running from its
    folder (a server, an interrupted set-up command) is stopped, SIGKILL at last."""
    if started.process is not None and started.process.poll() is None:
        started.process.terminate()
        try:
            started.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            started.process.kill()
            started.process.wait()
    processes.stop_all(processes.running_from(str(started.workdir)))


def find_binary(name: str, hint: str) -> str:
    """The binary's path, or a ServiceError naming the package to install."""
    explicit = os.environ.get("CI_SESSIONS_SERVICE_PATH")
    if explicit is not None:
        search = explicit
    else:
        extra = sorted(
            (d for pattern in EXTRA_BIN_GLOBS for d in glob.glob(pattern)),
            key=_version_key,
            reverse=True,
        )
        search = os.pathsep.join([os.environ.get("PATH", ""), *extra])
    found = shutil.which(name, path=search)
    if found is None:
        raise ServiceError(f"{name} not found: install it ({hint}); it is never skipped")
    return found


def give_to(folder: Path, user: str) -> None:
    """Hand a service folder to the user its server runs as."""
    import pwd  # POSIX only, as the services are

    entry = pwd.getpwnam(user)
    for path in (folder, *folder.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.split("/") if part.isdigit())


def free_port() -> int:
    """A loopback port free right now (the OS picks it, so parallel runs differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# One readiness probe's own timeout at most; the budget bounds them all.
PROBE_TIMEOUT = 2.0


def wait_until(
    probe: Callable[[float], bool],
    budget: float,
    *,
    exited: Callable[[], str | None] = lambda: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Probe with backoff until one answers; False once `budget` seconds of wall clock
    have passed. Each probe gets at most the time that is left (a listener that
    never replies cannot stretch the wait), and a server that has exited
    (`exited` says why) ends the wait at once with a ServiceError."""
    deadline = clock() + budget
    delay = 0.1
    while (left := deadline - clock()) > 0:
        gone = exited()
        if gone:
            raise ServiceError(gone)
        if probe(min(PROBE_TIMEOUT, left)):
            return True
        left = deadline - clock()
        if left <= 0:
            break
        sleep(min(delay, left))
        delay = min(delay * 2, 2.0)
    return False


def host_port(url: str, default_port: int) -> tuple[str, int]:
    """Where to probe: the host and port the URL (or libpq key/value string) gives."""
    address = parse(url, default_port)
    return address.host, address.port


def run_checked(
    command: Sequence[str], *, user: str | None, what: str, env: dict[str, str] | None = None
) -> None:
    """Run a set-up command; on failure raise with its output (it holds no secret)."""
    try:
        done = subprocess.run(
            list(command),
            user=user,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except OSError as exc:
        who = f" as {user}" if user else ""
        raise ServiceError(
            f"{what} could not run{who}: {exc.strerror} ({command[0]}); that user must be "
            "able to reach and run it"
        ) from None
    if done.returncode != 0:
        raise ServiceError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
