"""Read-only git queries the sessions share, run directly: nox would log each miss as an error."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path


def first_commit(root: Path, refs: Iterable[str]) -> tuple[str, str] | None:
    """The first of refs that names a commit here, with its SHA; None if none does."""
    for ref in refs:
        probe = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            return ref, probe.stdout.strip()
    return None
