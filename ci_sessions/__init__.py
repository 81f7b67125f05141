"""ci-sessions: reusable nox sessions configured from ``[tool.ci_sessions]``.

A project's whole noxfile::

    import nox
    import ci_sessions

    nox.needs_version = ">=2026.10.20"
    ci_sessions.register()
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ci_sessions.config import Config, ConfigError

__all__ = ["Config", "ConfigError", "register"]
__version__ = "0.1.0"


def register(
    *,
    only: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    **overrides: Any,
) -> Config:
    """Define every ci-sessions session from the pyproject.toml beside the noxfile.

    Keyword arguments override ``[tool.ci_sessions]`` keys (``test_paths=`` is
    ``test-paths``). ``only=["lint", "tests"]`` defines those sessions alone and
    ``exclude=["lint"]`` all but those, for a project that keeps some of its own
    (a session it defines before register() is replaced, and named). Sessions
    are defined here rather than at import so that a noxfile executed twice in
    one process (script mode) still gets them, and a second call replaces the
    first call's sessions instead of duplicating them.

    A bad configuration prints one error naming the key and the file, then
    exits with status 2 before any venv is made.
    """
    # Imported here, not at the top: the families import nox's session
    # machinery, which `import ci_sessions` alone should not load.
    from nox.logger import logger

    from ci_sessions import cleanup, invocation, masking, once
    from ci_sessions.glue import guard
    from ci_sessions.registry import load_config, register_all
    from ci_sessions.services import lifecycle as services

    pyproject = _caller_dir() / "pyproject.toml"
    try:
        config = select(load_config(pyproject, overrides), only, exclude)
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Made before any session starts a process, so that every one inherits them.
    child = invocation.inherited()  # a `nox -j` session: its parent has spoken
    invocation.current()
    cleanup.begin(lambda line: logger.warning(f"ci-sessions: {line}"))
    # Tokens and passwords of the environment: masked in all ci-sessions prints or writes.
    masking.register_environment()
    leftovers = cleanup.sweep_service_folders(services.leftover_folders())
    notes = [] if child else once.fresh(config.notes, config.root, cleanup.runs_dir().parent)
    for line in [*leftovers, *cleanup.sweep_worktrees(config.root), *notes]:
        logger.warning(f"ci-sessions: {line}")
    # Before nox makes any venv: a second run in this project would clear the venvs of the
    # first one under it (the guard takes it again per session, wording any OSError).
    if guard.runs_sessions(sys.argv[1:]):
        with contextlib.suppress(OSError):
            guard.hold_reports(config.root / config.reports_dir)
    register_all(config)
    return config


def select(config: Config, only: Sequence[str] | None, exclude: Sequence[str]) -> Config:
    """The configuration with register()'s only= and exclude=, every name checked."""
    known = [name for family in config.families for name in family.SESSIONS]
    for keyword, names in (("only", only or ()), ("exclude", exclude)):
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ConfigError(
                f"register({keyword}=...): unknown session {unknown[0]!r}; the sessions are "
                + ", ".join(known)
            )
    return replace(config, only=None if only is None else tuple(only), exclude=tuple(exclude))


def _caller_dir() -> Path:
    """The noxfile's folder: nox chdirs there, but `python noxfile.py` may not."""
    caller_file = sys._getframe(2).f_globals.get("__file__")
    return Path(caller_file).resolve().parent if caller_file else Path.cwd()
