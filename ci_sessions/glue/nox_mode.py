"""How nox was asked to run a session, where a session must act on it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import nox
import nox.virtualenv


def installing_only(session: nox.Session) -> bool:
    """Whether nox runs with --install-only: installs happen, commands do not (nox's
    session.run returns None), so a session stops after installing. nox has no public
    accessor for it; its runner's global config holds the flag."""
    runner = getattr(session, "_runner", None)
    return bool(getattr(getattr(runner, "global_config", None), "install_only", False))


def venv_python(pyvenv_cfg: str) -> str | None:
    """The `major.minor` a venv runs, from its pyvenv.cfg (virtualenv's `version_info`,
    uv's `version_info` or `version`); None when it does not say."""
    for line in pyvenv_cfg.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version") and value.strip():
            parts = value.strip().split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                return f"{parts[0]}.{parts[1]}"
    return None


def other_python(wanted: object, pyvenv_cfg: str) -> str | None:
    """The Python a reused venv runs when it is not the one the session asks for (the
    matrix or session-python changed since it was made: nox -r reuses it as it is, its
    staleness check looks at the venv alone); None when it matches or cannot tell."""
    if not isinstance(wanted, str):
        return None
    asked = wanted.removeprefix("pypy").removesuffix("t")
    found = venv_python(pyvenv_cfg)
    return found if found is not None and asked != found else None


def asked_python(func: Callable[[nox.Session], None]) -> Callable[[nox.Session], None]:
    """The session function, run in a venv of the Python it asks for."""

    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        with_the_asked_python(session)
        func(session)

    return run


def with_the_asked_python(session: nox.Session) -> None:
    """Make a reused venv anew when it runs another Python than the session asks for."""
    venv = session.virtualenv
    location = getattr(venv, "location", None)
    if not location or not getattr(venv, "reuse_existing", False):
        return
    config = Path(location) / "pyvenv.cfg"
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        return
    found = other_python(session.python, text)
    if found is None:
        return
    runner = getattr(session, "_runner", None)
    if getattr(getattr(runner, "global_config", None), "no_install", False):
        session.error(
            f"the reused venv {location} runs Python {found}, this session asks for "
            f"{session.python}: run it once without -R (or delete that folder)"
        )
    session.log(f"the reused venv runs Python {found}, the session asks for {session.python}: anew")
    if isinstance(venv, nox.virtualenv.VirtualEnv):
        venv.reuse_existing = False
        venv.create()
