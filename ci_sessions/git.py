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


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def merge_base_problem(root: Path, ref: str) -> str | None:
    """Why HEAD and ref have no merge base here (a shallow clone, unrelated
    histories), worded with the fix; None when they have one."""
    if _git(root, "merge-base", "HEAD", ref).returncode == 0:
        return None
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        return (
            f"HEAD and {ref} have no common commit in this shallow clone: fetch the full "
            "history (`git fetch --unshallow`; in CI, actions/checkout with fetch-depth: 0)"
        )
    return f"HEAD and {ref} share no history: compare with a branch HEAD comes from"


def default_branch(root: Path) -> str | None:
    """The repository's default branch: origin's HEAD, else the branch checked out;
    None outside git. For `init` to write down, never for generating the workflow."""
    remote = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote.returncode == 0 and remote.stdout.strip():
        return remote.stdout.strip().removeprefix("origin/")
    current = _git(root, "branch", "--show-current")
    return (current.stdout.strip() or None) if current.returncode == 0 else None
