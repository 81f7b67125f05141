"""Bring the configured services up (or find them at their URLs), and always down."""

from __future__ import annotations

import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

from ci_sessions.services import SERVICES, Service
from ci_sessions.services._base import ServiceError, Started, free_port, mask, wait_until

# One readiness probe's own timeout; the budget covers the retries.
PROBE_TIMEOUT = 2.0


# The system temp dir, not $TMPDIR: nox points that into the project, which the
# unprivileged user a PostgreSQL cluster runs as (when root) may not reach.
# mkdtemp makes a private folder of a unique name inside it, hence the nosec.
SYSTEM_TMP = Path("/tmp")  # nosec B108


def service_workdir() -> Path:
    """A fresh private folder that the unprivileged user can reach."""
    base = SYSTEM_TMP if SYSTEM_TMP.is_dir() else Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix="ci-sessions-service-", dir=base))


@contextmanager
def running(
    names: Sequence[str],
    *,
    url_env: Mapping[str, str],
    environ: Mapping[str, str],
    budget: float,
    log: Callable[[str], None],
    services: Mapping[str, Service] = SERVICES,
) -> Iterator[dict[str, str]]:
    """Yield {variable: url} for the tests; every started service is stopped on exit,
    whether the tests passed, failed, or were interrupted, or a later service failed."""
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        stack.enter_context(_terminate_as_interrupt())
        for name in names:
            service = services[name]
            variable = url_env.get(name, service.URL_ENV)
            given = environ.get(variable)
            if given:
                log(f"{name}: using ${variable} = {mask(given)}")
                _wait(service, given, budget, f"{name} at {mask(given)} (from ${variable})")
                urls[variable] = given
                continue
            started = _start(service)
            stack.callback(service.stop, started)
            log(f"{name}: started at {mask(started.url)}, files in {started.workdir}")
            _wait(
                service,
                started.url,
                budget,
                f"{name} started in {started.workdir}",
                started=started,
            )
            urls[variable] = started.url
        yield urls


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, `kill`) unwinds like Ctrl-C, so services stop.

    Python's default SIGTERM handling ends the process at once, skipping every
    cleanup; only the main thread may set a handler, which is where nox runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _start(service: Service) -> Started:
    workdir = service_workdir()
    try:
        return service.start(workdir, free_port(), secrets.token_urlsafe(18))
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _wait(
    service: Service, url: str, budget: float, what: str, started: Started | None = None
) -> None:
    if wait_until(lambda: service.answers(url, PROBE_TIMEOUT), budget):
        return
    detail = f"; its log: {_log_tail(started.workdir)}" if started is not None else ""
    raise ServiceError(f"{what} did not answer within {budget:g}s (ready-timeout){detail}")


def _log_tail(workdir: Path, lines: int = 5) -> str:
    for log in sorted(workdir.glob("*.log")):
        text = log.read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "(empty)"
    return "(none written)"
