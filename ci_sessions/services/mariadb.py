"""A throwaway MariaDB (MySQL-compatible) server: mariadb-install-db + mariadbd on a free
loopback port, its data and socket in the service folder."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from ci_sessions.services._base import (
    UNPRIVILEGED,
    Started,
    find_binary,
    give_to,
    host_port,
    run_checked,
    stop_processes,
)

NAME = "mariadb"
URL_ENV = "MYSQL_URL"
URL_EXAMPLE = "mysql://root:password@127.0.0.1:3306/test"
BINARY = "mariadbd"
CI_CONTAINER = {
    "image": "mariadb:11",
    "env": {"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "1", "MARIADB_DATABASE": "test"},
    "ports": ["127.0.0.1:3306:3306"],
}
CI_URL = "mysql://root@127.0.0.1:3306/test"
INSTALL_HINT = "apt-get install mariadb-server (Debian/Ubuntu), or your system's MariaDB server"
DEFAULT_PORT = 3306
DATABASE = "test"
# The first packet a MySQL-protocol server sends, before any authentication: its
# handshake, protocol version 10.
HANDSHAKE_VERSION = 10


def _init_sql(password: str) -> str:
    """Run by the server at start (--init-file), so the password is never on a command
    line; root may log in over TCP on 127.0.0.1 with it. The generated password is
    URL-safe base64: nothing in it needs quoting."""
    return (
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';\n"
        f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{password}';\n"
        f"ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{password}';\n"
        "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n"
        f"CREATE DATABASE IF NOT EXISTS {DATABASE};\n"
    )


def start(workdir: Path, port: int, password: str) -> Started:
    install = find_binary("mariadb-install-db", INSTALL_HINT)
    server = find_binary("mariadbd", INSTALL_HINT)
    # mariadbd refuses to run as root unless told to; it runs unprivileged instead.
    run_as = UNPRIVILEGED if os.geteuid() == 0 else None
    data = workdir / "data"
    init = workdir / "init.sql"
    init.write_text(_init_sql(password))
    init.chmod(0o600)
    if run_as is not None:
        give_to(workdir, run_as)
    run_checked(
        [
            install,
            "--no-defaults",
            f"--datadir={data}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ],
        user=run_as,
        what="mariadb-install-db",
    )
    output = workdir / "mariadbd.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [
                server,
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={workdir / 'mariadb.sock'}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={workdir / 'mariadbd.pid'}",
                f"--log-error={output}",
                f"--init-file={init}",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=0",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            user=run_as,
        )
    return Started(
        NAME,
        f"mysql://root:{password}@127.0.0.1:{port}/{DATABASE}",
        workdir,
        process=process,
        run_as=run_as,
        output=output,
    )


def answers(url: str, timeout: float) -> bool:
    """The server's handshake packet: 3 bytes of length, a sequence number, then the
    protocol version. Ready once the init file ran? The handshake comes after it."""
    host, port = host_port(url, DEFAULT_PORT)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            packet = connection.recv(5)
            return len(packet) == 5 and packet[4] == HANDSHAKE_VERSION
    except OSError:
        return False


def stop(started: Started) -> None:
    if started.stopped:
        return
    started.stopped = True
    stop_processes(started)  # SIGTERM: mariadbd shuts down cleanly; nothing to keep
