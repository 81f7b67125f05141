"""ci-sessions: reusable nox sessions configured from ``[tool.ci_sessions]``.

A project's whole noxfile::

    import nox
    import ci_sessions

    nox.needs_version = ">=2026.10.20"
    ci_sessions.register()
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ci_sessions.config import Config, ConfigError

__all__ = ["Config", "ConfigError", "register"]
__version__ = "0.1.0"


def register(**overrides: Any) -> Config:
    """Define every ci-sessions session from the pyproject.toml beside the noxfile.

    Keyword arguments override ``[tool.ci_sessions]`` keys (``test_paths=`` is
    ``test-paths``). Sessions are defined here rather than at import so that a
    noxfile executed twice in one process (script mode) still gets them, and a
    second call replaces the first call's sessions instead of duplicating them.

    A bad configuration prints one error naming the key and the file, then
    exits with status 2 before any venv is made.
    """
    # Imported here, not at the top: the families import nox's session
    # machinery, which `import ci_sessions` alone should not load.
    from nox.logger import logger

    from ci_sessions import cleanup, invocation
    from ci_sessions.registry import load_config, register_all
    from ci_sessions.services import lifecycle as services

    pyproject = _caller_dir() / "pyproject.toml"
    try:
        config = load_config(pyproject, overrides)
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Made before any session starts a process, so that every one inherits them.
    invocation.current()
    cleanup.begin(lambda line: logger.warning(f"ci-sessions: {line}"))
    leftovers = cleanup.sweep_service_folders(services.leftover_folders())
    for line in [*leftovers, *cleanup.sweep_worktrees(config.root), *config.notes]:
        logger.warning(f"ci-sessions: {line}")
    register_all(config)
    return config


def _caller_dir() -> Path:
    """The noxfile's folder: nox chdirs there, but `python noxfile.py` may not."""
    caller_file = sys._getframe(2).f_globals.get("__file__")
    return Path(caller_file).resolve().parent if caller_file else Path.cwd()
