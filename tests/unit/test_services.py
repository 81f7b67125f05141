"""Service lifecycle with stand-in services, and the small helpers it uses."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci_sessions.services import ServiceError, Started
from ci_sessions.services._base import find_binary, wait_until
from ci_sessions.services.lifecycle import running
from ci_sessions.services.redis import _encode
from ci_sessions.services.redis import answers as redis_answers


class Clock:
    """A fake monotonic clock that sleeping and probing advance."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_until_stops_at_the_first_answer() -> None:
    clock = Clock()
    answers = iter([False, False, True])
    assert wait_until(lambda timeout: next(answers), 10, clock=clock, sleep=clock.sleep)
    assert clock.now == pytest.approx(0.3)  # slept 0.1 then 0.2


def test_the_budget_is_wall_clock_even_when_each_probe_hangs() -> None:
    clock = Clock()
    timeouts: list[float] = []

    def hanging_probe(timeout: float) -> bool:
        timeouts.append(timeout)
        clock.now += timeout  # a listener that never answers uses the whole timeout
        return False

    assert not wait_until(hanging_probe, 10, clock=clock, sleep=clock.sleep)
    assert clock.now <= 10
    assert max(timeouts) <= 2.0


def test_a_server_that_exits_ends_the_wait_at_once_saying_why() -> None:
    clock = Clock()
    with pytest.raises(ServiceError, match="redis exited at once"):
        wait_until(
            lambda timeout: False,
            30,
            exited=lambda: "redis exited at once (exit 1): bad directive",
            clock=clock,
            sleep=clock.sleep,
        )
    assert clock.now == 0


def test_find_binary_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_SESSIONS_SERVICE_PATH", "/nonexistent")
    with pytest.raises(ServiceError, match=r"redis-server not found: install it \(apt-get"):
        find_binary("redis-server", "apt-get install redis-server")


def test_redis_protocol_encoding() -> None:
    assert _encode(["AUTH", "pw"]) == b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"


@pytest.fixture
def fake_redis() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback server that answers AUTH with +OK and PING with +PONG."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(1024):
                received.append(data)
                connection.sendall(b"+PONG\r\n" if b"PING" in data else b"+OK\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    server.close()


def test_redis_answers_with_auth_and_ping(fake_redis: tuple[int, list[bytes]]) -> None:
    port, received = fake_redis
    assert redis_answers(f"redis://user:pw@127.0.0.1:{port}/0", 2)
    assert received[0] == _encode(["AUTH", "user", "pw"])


class FakeService:
    """Stands in for a service module; records what happened to it."""

    URL_ENV = "FAKE_URL"
    URL_EXAMPLE = "fake://127.0.0.1:1"
    INSTALL_HINT = "nothing"
    BINARY = "fake-server"
    CI_CONTAINER: dict[str, object] = {"image": "fake:1"}  # noqa: RUF012 - read only
    CI_URL = "fake://127.0.0.1:1"

    def __init__(self, name: str, *, start_fails: bool = False, answers: bool = True) -> None:
        self.NAME = name
        self.start_fails = start_fails
        self.answer = answers
        self.stopped: list[Path] = []
        self.started: list[Path] = []

    def start(self, workdir: Path, port: int, password: str) -> Started:
        if self.start_fails:
            raise ServiceError(f"{self.NAME} would not start")
        self.started.append(workdir)
        return Started(self.NAME, f"fake://:{password}@127.0.0.1:{port}", workdir)

    def answers(self, url: str, timeout: float) -> bool:
        return self.answer

    def stop(self, started: Started) -> None:
        self.stopped.append(started.workdir)  # lifecycle removes the folder


def test_services_are_stopped_after_use_and_after_a_failure() -> None:
    first = FakeService("first")
    second = FakeService("second", start_fails=True)
    services = {"first": first, "second": second}
    logs: list[str] = []
    with (
        pytest.raises(ServiceError, match="second would not start"),
        running(
            ["first", "second"],
            url_env={},
            environ={},
            budget=1,
            log=logs.append,
            services=services,
        ),
    ):
        pass
    assert first.stopped == first.started and first.started
    assert not first.started[0].exists()
    assert "first: started at fake://:***@127.0.0.1:" in logs[0]


def test_a_test_failure_inside_still_stops_services() -> None:
    only = FakeService("only")
    with (
        pytest.raises(AssertionError),
        running(
            ["only"],
            url_env={"only": "ONLY_URL"},
            environ={},
            budget=1,
            log=print,
            services={"only": only},
        ) as urls,
    ):
        assert list(urls) == ["ONLY_URL"]
        raise AssertionError("a test failed")
    assert only.stopped == only.started


def test_a_given_url_is_used_unchanged_and_nothing_is_started() -> None:
    given = FakeService("db")
    with running(
        ["db"],
        url_env={},
        environ={"FAKE_URL": "fake://db:1/x"},
        budget=1,
        log=print,
        services={"db": given},
    ) as urls:
        assert urls == {"FAKE_URL": "fake://db:1/x"}
    assert given.started == []


def test_a_given_url_that_never_answers_names_service_and_masked_url() -> None:
    silent = FakeService("db", answers=False)
    with (
        pytest.raises(ServiceError) as raised,
        running(
            ["db"],
            url_env={},
            environ={"FAKE_URL": "fake://u:pw@db:1/x"},
            budget=0.5,
            log=print,
            services={"db": silent},
        ),
    ):
        pass
    assert str(raised.value) == (
        "db at fake://u:***@db:1/x (from $FAKE_URL) did not answer within 0.5s (ready-timeout)"
    )


def test_an_interrupted_start_still_stops_the_server_and_removes_its_folder() -> None:
    class Interrupted(FakeService):
        def start(self, workdir: Path, port: int, password: str) -> Started:
            self.started.append(workdir)
            raise KeyboardInterrupt("SIGTERM while the server was starting")

    service = Interrupted("db")
    with (
        pytest.raises(KeyboardInterrupt),
        running(["db"], url_env={}, environ={}, budget=1, log=print, services={"db": service}),
    ):
        pass
    assert service.stopped == service.started
    assert not service.started[0].exists()


def test_a_given_url_with_a_bad_port_is_one_clear_error() -> None:
    with (
        pytest.raises(ServiceError, match=r"\$FAKE_URL = fake://\*\*\*@db:abc/x port 'abc'"),
        running(
            ["db"],
            url_env={},
            environ={"FAKE_URL": "fake://u:pw@db:abc/x"},
            budget=1,
            log=print,
            services={"db": FakeService("db")},
        ),
    ):
        pass
