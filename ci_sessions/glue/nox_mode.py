"""How nox was asked to run a session, where a session must act on it."""

from __future__ import annotations

import nox


def installing_only(session: nox.Session) -> bool:
    """Whether nox runs with --install-only: installs happen, commands do not (nox's
    session.run returns None), so a session stops after installing. nox has no public
    accessor for it; its runner's global config holds the flag."""
    runner = getattr(session, "_runner", None)
    return bool(getattr(getattr(runner, "global_config", None), "install_only", False))
