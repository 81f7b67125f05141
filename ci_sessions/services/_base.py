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
from urllib.parse import urlsplit, urlunsplit

# Where binaries are looked for besides PATH; CI_SESSIONS_SERVICE_PATH replaces both.
EXTRA_BIN_GLOBS = ("/usr/lib/postgresql/*/bin",)


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


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.split("/") if part.isdigit())


def free_port() -> int:
    """A loopback port free right now (the OS picks it, so parallel runs differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mask(url: str) -> str:
    """The URL with its password replaced, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def backoff_delays(
    budget: float, first: float = 0.1, factor: float = 2.0, cap: float = 2.0
) -> list[float]:
    """Sleeps between probes: growing, capped, summing to at most the budget."""
    delays: list[float] = []
    delay = first
    while sum(delays) + delay <= budget:
        delays.append(delay)
        delay = min(delay * factor, cap)
    return delays


def wait_until(
    probe: Callable[[], bool], budget: float, sleep: Callable[[float], None] = time.sleep
) -> bool:
    """Probe, then probe again after each backoff delay; True as soon as one answers."""
    if probe():
        return True
    for delay in backoff_delays(budget):
        sleep(delay)
        if probe():
            return True
    return False


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def run_checked(
    command: Sequence[str], *, user: str | None, what: str, env: dict[str, str] | None = None
) -> None:
    """Run a set-up command; on failure raise with its output (it holds no secret)."""
    done = subprocess.run(
        list(command),
        user=user,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise ServiceError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
