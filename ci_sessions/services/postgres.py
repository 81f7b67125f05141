"""A throwaway PostgreSQL cluster: initdb + pg_ctl on a free loopback port."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

from ci_sessions.services._base import (
    UNPRIVILEGED,
    ServiceError,
    Started,
    find_binary,
    give_to,
    host_port,
    run_checked,
    stop_processes,
)

NAME = "postgres"
URL_ENV = "DATABASE_URL"
URL_EXAMPLE = "postgresql://user:password@127.0.0.1:5432/db"
# What doctor looks for, and what the generated workflow runs instead (a
# service container, reached at CI_URL; loopback only, no password needed).
BINARY = "initdb"
CI_CONTAINER = {
    "image": "postgres:16",
    "env": {"POSTGRES_HOST_AUTH_METHOD": "trust"},
    "ports": ["127.0.0.1:5432:5432"],
}
CI_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
INSTALL_HINT = "apt-get install postgresql (Debian/Ubuntu), or your system's PostgreSQL server"
DEFAULT_PORT = 5432
DATABASE = "test"
# What the SSLRequest message starts with: any PostgreSQL server answers it,
# before authentication, with one byte (S or N).
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def start(workdir: Path, port: int, password: str) -> Started:
    initdb = find_binary("initdb", INSTALL_HINT)
    pg_ctl = find_binary("pg_ctl", INSTALL_HINT)
    createdb = find_binary("createdb", INSTALL_HINT)
    run_as = UNPRIVILEGED if os.geteuid() == 0 else None
    data, sockets = workdir / "data", workdir / "sockets"
    sockets.mkdir()
    # The password goes through a file, never a command line others can read.
    pwfile = workdir / "pwfile"
    pwfile.write_text(password)
    pwfile.chmod(0o600)
    if run_as is not None:
        give_to(workdir, run_as)
    run_checked(
        [
            initdb,
            "-D",
            str(data),
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        user=run_as,
        what="initdb",
    )
    pwfile.unlink()
    started = Started(
        NAME,
        f"postgresql://postgres:{password}@127.0.0.1:{port}/{DATABASE}",
        workdir,
        stop_command=[pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
        run_as=run_as,
    )
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    # Whatever happens from here on (a failed start, a SIGTERM while pg_ctl
    # waits with the postmaster already up), lifecycle stops the server and
    # removes the folder: stop() finds the postmaster by its folder.
    run_checked(
        [
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(workdir / "postgres.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        user=run_as,
        what="pg_ctl start",
    )
    run_checked(
        [createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DATABASE],
        user=run_as,
        what="createdb",
        env={"PGPASSWORD": password},
    )
    return started


def answers(url: str, timeout: float) -> bool:
    host, port = host_port(url, DEFAULT_PORT)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(SSL_REQUEST)
            return connection.recv(1) in (b"S", b"N")
    except OSError:
        return False


def stop(started: Started) -> None:
    """pg_ctl's immediate stop, then whatever still runs from the folder is killed.

    Also for a start that was interrupted (no stop command yet): the postmaster
    may already run, and its command line names the folder.
    """
    if started.stopped:
        return
    started.stopped = True
    try:
        if started.stop_command:
            run_checked(started.stop_command, user=started.run_as, what="pg_ctl stop")
    except ServiceError:
        pass  # not running (it failed to start): nothing to stop gracefully
    finally:
        stop_processes(started)
