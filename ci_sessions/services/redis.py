"""A throwaway redis-server on a free loopback port, no persistence."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ci_sessions.services._base import Started, find_binary, host_port, stop_processes

NAME = "redis"
URL_ENV = "REDIS_URL"
URL_EXAMPLE = "redis://:password@127.0.0.1:6379/0"
BINARY = "redis-server"
CI_CONTAINER = {"image": "redis:7", "ports": ["127.0.0.1:6379:6379"]}
CI_URL = "redis://127.0.0.1:6379/0"
INSTALL_HINT = "apt-get install redis-server (Debian/Ubuntu), or your system's Redis server"
DEFAULT_PORT = 6379


def start(workdir: Path, port: int, password: str) -> Started:
    server = find_binary("redis-server", INSTALL_HINT)
    # The password goes through the config file, never the command line.
    config = workdir / "redis.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\nprotected-mode yes\n"
        f'save ""\nappendonly no\ndir {workdir}\nlogfile {workdir / "redis.log"}\n'
        f"requirepass {password}\n"
    )
    config.chmod(0o600)
    # What it prints before its log file is open (a bad option, a port in use)
    # is kept: a server that exits at once says why.
    output = workdir / "redis-server.out"
    with output.open("wb") as sink:
        process = subprocess.Popen([server, str(config)], stdout=sink, stderr=subprocess.STDOUT)
    return Started(
        NAME, f"redis://:{password}@127.0.0.1:{port}/0", workdir, process=process, output=output
    )


def answers(url: str, timeout: float) -> bool:
    """AUTH (when the URL has a password) and PING, over a plain socket."""
    parts = urlsplit(url)
    host, port = host_port(url, DEFAULT_PORT)
    commands = []
    if parts.password:
        auth = [parts.username, parts.password] if parts.username else [parts.password]
        commands.append(["AUTH", *(unquote(a) for a in auth)])
    commands.append(["PING"])
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            for command in commands:
                connection.sendall(_encode(command))
                reply = connection.recv(64)
            return reply.startswith(b"+PONG")
    except OSError:
        return False


def _encode(command: list[str]) -> bytes:
    parts = [f"*{len(command)}\r\n".encode()]
    for word in command:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def stop(started: Started) -> None:
    if started.stopped:
        return
    started.stopped = True
    stop_processes(started)  # SIGTERM: redis-server shuts down; nothing to save
