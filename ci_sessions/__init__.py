"""ci-sessions: reusable nox sessions configured from ``[tool.ci_sessions]``.

A project's whole noxfile::

    import nox
    import ci_sessions

    nox.needs_version = ">=2026.10.20"
    ci_sessions.register()
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci_sessions.config import Config, ConfigError

if TYPE_CHECKING:  # the families load with register(), not with `import ci_sessions`
    from ci_sessions.families.workspace import Workspace

__all__ = ["Config", "ConfigError", "register"]
__version__ = "0.1.0"

# Set by `python -m ci_sessions workflow` and `doctor` when they list the noxfile's
# sessions (`nox --json -l`): register() writes there what only= and exclude= chose, so
# that the generated workflow has the jobs of exactly the sessions the noxfile defines.
REGISTERED_ENV = "CI_SESSIONS_REGISTERED"


def register(
    *,
    only: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    **given: Any,
) -> Config:
    """Define every ci-sessions session from the pyproject.toml beside the noxfile.

    The configuration has one channel, ``[tool.ci_sessions]`` in pyproject.toml, which
    the sessions, the workflow generator and ``doctor`` all read. ``only=["lint",
    "tests"]`` defines those sessions alone and ``exclude=["lint"]`` all but those, for a
    project that keeps some of its own (a session it defines before register() is
    replaced, and named); the generator sees both. Sessions are defined here rather than
    at import, so that a noxfile nox executes again (script mode) still gets them.

    A bad configuration prints one error naming the key and the file, then exits with
    status 2 before any venv is made.
    """
    # Imported here, not at the top: the families import nox's session
    # machinery, which `import ci_sessions` alone should not load.
    from nox.logger import logger

    from ci_sessions import cleanup, invocation, masking, once
    from ci_sessions.glue import guard
    from ci_sessions.registry import register_all
    from ci_sessions.services import lifecycle as services

    pyproject = noxfile_dir() / "pyproject.toml"
    try:
        if given:
            raise ConfigError(_moved(pyproject, given))
        configs, in_workspace = _configs(pyproject, only, exclude)
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    told = os.environ.get(REGISTERED_ENV)
    if told:
        Path(told).write_text(json.dumps({"only": only, "exclude": list(exclude)}))
    # Made before any session starts a process, so that every one inherits them.
    child = invocation.inherited()  # a `nox -j` session: its parent has spoken
    invocation.current()
    cleanup.begin(lambda line: logger.warning(f"ci-sessions: {line}"))
    # Tokens and passwords of the environment: masked in all ci-sessions prints or writes.
    masking.register_environment()
    leftovers = cleanup.sweep_service_folders(services.leftover_folders())
    lines = [*leftovers, *cleanup.sweep_worktrees(pyproject.parent)]
    for config in configs:
        said = [f"{config.member}: {note}" if config.member else note for note in config.notes]
        lines += [] if child else once.fresh(said, config.root, cleanup.runs_dir().parent)
    for line in lines:
        logger.warning(f"ci-sessions: {line}")
    # Before nox makes any venv: a second run in this project would clear the venvs of the
    # first one under it (the guard takes it again per session, wording any OSError).
    for config in configs:
        if guard.runs_sessions(sys.argv[1:]):
            with contextlib.suppress(OSError):
                guard.hold_reports(config.root / config.reports_dir)
        register_all(config)
    if in_workspace is not None:
        from ci_sessions.families import workspace as workspace_sessions

        workspace_sessions.register(in_workspace)
    return configs[0]


def _configs(
    pyproject: Path, only: Sequence[str] | None, exclude: Sequence[str]
) -> tuple[list[Config], Workspace | None]:
    """The configurations register() defines sessions for, and the uv workspace whose root
    this is (None for a project): the root project's (unless a workspace root is no
    project), then each member's."""
    from ci_sessions.families import workspace as workspace_sessions
    from ci_sessions.registry import load_config

    found = workspace_sessions.at_root(pyproject, only, exclude, load_config)
    if found is None:
        return [select(load_config(pyproject), only, exclude)], None
    root = [select(load_config(pyproject), only, exclude)] if "project" in found.document else []
    return [*root, *found.configs], found


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


def _moved(pyproject: Path, given: dict[str, Any]) -> str:
    key = next(iter(given)).replace("_", "-")
    return (
        f"register({next(iter(given))}=...): the configuration has one place, so that the "
        f"workflow and doctor see what the sessions do: set {key} under [tool.ci_sessions] in "
        f"{pyproject}; register() takes only= and exclude="
    )


def noxfile_dir() -> Path:
    """The folder of the noxfile being loaded, found as nox loads it, not by frames.

    nox executes the noxfile as the module ``user_nox_module`` (and chdirs to its folder);
    `python noxfile.py` first runs it as ``__main__`` before nox.main() loads it again.
    Outside both (a test calling register()), the working directory.
    """
    for name in ("user_nox_module", "__main__"):
        path = getattr(sys.modules.get(name), "__file__", None)
        if path and path.endswith(".py") and Path(path).name != "__main__.py":
            return Path(path).resolve().parent
    return Path.cwd()
