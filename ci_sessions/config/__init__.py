"""``[tool.ci_sessions]`` -> a frozen, resolved Config; one ConfigError naming the key.

The project-wide keys are declared in ``core``; every family declares its own
keys beside its sessions, and ``ci_sessions.registry.load_config`` loads a
project's configuration against all of them.
"""

from __future__ import annotations

from ci_sessions.config.core import CORE, Config
from ci_sessions.config.loader import load, read_pyproject
from ci_sessions.config.schema import TABLE, ConfigError, Key, ResolveContext, Section
from ci_sessions.config.tables import Waiver

__all__ = [
    "CORE",
    "TABLE",
    "Config",
    "ConfigError",
    "Key",
    "ResolveContext",
    "Section",
    "Waiver",
    "load",
    "read_pyproject",
]
