"""Bring the configured services up (or find them at their URLs), and always down."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ci_sessions import addresses, cleanup, masking
from ci_sessions.services import SERVICES, Service
from ci_sessions.services._base import ServiceError, Started, free_port, wait_until

# The system temp dir, not $TMPDIR: nox points that into the project, which the
# unprivileged user a PostgreSQL cluster runs as (when root) may not reach.
# mkdtemp makes a private folder of a unique name inside it, hence the nosec.
SYSTEM_TMP = Path("/tmp")  # nosec B108
PREFIX = "ci-sessions-service-"


def service_workdir() -> Path:
    """A fresh private folder that the unprivileged user can reach, marked as this run's."""
    base = SYSTEM_TMP if SYSTEM_TMP.is_dir() else Path(tempfile.gettempdir())
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
    cleanup.mark_owned(folder / cleanup.OWNER_FILE)
    return folder


def leftover_folders() -> list[Path]:
    """Every service folder there is; ci_sessions.cleanup keeps the abandoned ones."""
    base = SYSTEM_TMP if SYSTEM_TMP.is_dir() else Path(tempfile.gettempdir())
    return sorted(base.glob(PREFIX + "*"))


def given_secrets(
    names: Sequence[str], url_env: Mapping[str, str], environ: Mapping[str, str]
) -> None:
    """Register the passwords of the service URLs given through the environment, first
    of all: from then on nothing ci-sessions prints or writes shows them."""
    for name in names:
        given = environ.get(url_env.get(name, SERVICES[name].URL_ENV))
        for secret in addresses.secrets_in(given or ""):
            masking.register(secret)


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
    whether the tests passed, failed, or were interrupted, or a later service failed.

    SIGTERM unwinds like Ctrl-C (ci_sessions.cleanup), so a cancel stops them too.
    """
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        for name in names:
            service = services[name]
            variable = url_env.get(name, service.URL_ENV)
            given = environ.get(variable)
            if given:
                _check_address(service, given, variable)
                log(f"{name}: using ${variable} = {addresses.mask(given)}")
                what = f"{name} at {addresses.mask(given)} (from ${variable})"
                _wait(service, given, budget, what)
                urls[variable] = given
                continue
            started = stack.enter_context(_started(service))
            log(f"{name}: started at {addresses.mask(started.url)}, files in {started.workdir}")
            _wait(service, started.url, budget, f"{name} started in {started.workdir}", started)
            urls[variable] = started.url
        yield urls


def _check_address(service: Service, url: str, variable: str) -> None:
    try:
        addresses.parse(url, 0)
    except ValueError as exc:
        raise ServiceError(
            f"${variable} = {addresses.mask(url)} {exc}: give a {service.NAME} URL such as "
            f"{service.URL_EXAMPLE}"
        ) from None


@contextmanager
def _started(service: Service) -> Iterator[Started]:
    """A private instance, stopped and its folder removed in every outcome: an
    interrupted start included (the server may be up before its start returns)."""
    workdir = service_workdir()
    password = secrets.token_urlsafe(18)
    masking.register(password)
    started: Started | None = None
    try:
        started = service.start(workdir, free_port(), password)
        yield started
    finally:
        try:
            service.stop(started or Started(service.NAME, "", workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _wait(
    service: Service, url: str, budget: float, what: str, started: Started | None = None
) -> None:
    """Probe until it answers, within `budget` seconds of wall clock; a server that
    exits meanwhile fails at once, with what it printed."""
    exited = started.exited if started is not None else (lambda: None)
    if wait_until(lambda timeout: service.answers(url, timeout), budget, exited=exited):
        return
    detail = f"; its log: {_log_tail(started.workdir)}" if started is not None else ""
    raise ServiceError(f"{what} did not answer within {budget:g}s (ready-timeout){detail}")


def _log_tail(workdir: Path, lines: int = 5) -> str:
    for log in sorted(workdir.glob("*.log")):
        text = log.read_text(errors="replace").strip().splitlines()
        return masking.redact(" | ".join(text[-lines:])) or "(empty)"
    return "(none written)"
