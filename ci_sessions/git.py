"""Every git command ci-sessions runs, in one place: run directly (not through nox, which
would log each miss as an error), each returning what it found or None where git could
not tell."""

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
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except OSError as exc:  # no git at all: as git itself failing
        return subprocess.CompletedProcess(["git", *args], 127, "", str(exc))


def project_files(root: Path) -> list[str] | None:
    """The files git tracks or would track in root (untracked and not ignored); None when
    git cannot tell: outside a work tree, or where an enclosing repository ignores the
    project (it lists nothing then: its pyproject.toml must be listed)."""
    listed = _git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    if listed.returncode != 0:
        return None
    names = [name for name in listed.stdout.split("\0") if name]
    return names if "pyproject.toml" in names else None


def ignored(root: Path, name: str) -> bool | None:
    """Whether git ignores a path (a trailing slash: matched as a folder, existing or not);
    None outside a work tree."""
    probe = _git(root, "check-ignore", "-q", name)
    return probe.returncode == 0 if probe.returncode in (0, 1) else None


def changed_since(root: Path, base: str) -> tuple[list[str] | None, str]:
    """The files changed between base and HEAD (`git diff base...HEAD`); None and git's
    words when it cannot tell (a shallow checkout)."""
    diff = _git(root, "diff", "--name-only", f"{base}...HEAD")
    if diff.returncode != 0:
        return None, diff.stderr.strip()
    return diff.stdout.split(), ""


def head(root: Path) -> str:
    """HEAD's commit, and whether the work tree has changes on top of it."""
    sha = _git(root, "rev-parse", "HEAD").stdout.strip()
    dirty = bool(_git(root, "status", "--porcelain").stdout.strip())
    return f"{sha}{' + uncommitted changes' if dirty else ''}"


def merge_base(root: Path, ref: str) -> str | None:
    found = _git(root, "merge-base", "HEAD", ref)
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None


def worktrees(root: Path) -> list[Path]:
    listed = _git(root, "worktree", "list", "--porcelain").stdout
    return [
        Path(line.removeprefix("worktree "))
        for line in listed.splitlines()
        if line.startswith("worktree ")
    ]


def add_worktree(root: Path, tree: Path, sha: str) -> None:
    """A detached worktree of sha at tree (one left there by an earlier run replaced);
    RuntimeError saying git's words when it cannot."""
    remove_worktree(root, tree)
    added = _git(root, "worktree", "add", "--detach", str(tree), sha)
    if added.returncode != 0:
        raise RuntimeError(f"git worktree add {tree} {sha}: {added.stderr.strip()}")


def remove_worktree(root: Path, tree: Path) -> None:
    _git(root, "worktree", "remove", "--force", str(tree))


def prune_worktrees(root: Path) -> None:
    _git(root, "worktree", "prune")


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


def show(root: Path, rev: str, path: str) -> str | None:
    """A file's text at a commit; None if the commit has no such file."""
    shown = _git(root, "show", f"{rev}:{path}")
    return shown.stdout if shown.returncode == 0 else None


def uncommitted(root: Path) -> bool:
    """Whether tracked files have changes not committed."""
    return bool(_git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip())


def changed_between(root: Path, old: str, new: str) -> list[str] | None:
    """The files changed from old to new (`git diff old...new`); None if git cannot tell."""
    diff = _git(root, "diff", "--name-only", f"{old}...{new}")
    return diff.stdout.split() if diff.returncode == 0 else None


def clone(source: Path, target: Path, sha: str, branch: str | None) -> str | None:
    """A clean clone of source at target, as actions/checkout leaves one: every branch of
    source there as origin/<branch> (fetch-depth 0), sha checked out as the local branch
    pushed, or detached (a pull request's merge ref); git's words if it cannot."""
    cloned = _git(source, "clone", "--quiet", "--no-checkout", str(source), str(target))
    if cloned.returncode != 0:
        return cloned.stderr.strip()
    where = ["-B", branch] if branch else ["--detach"]
    checked = _git(target, "checkout", "--quiet", *where, sha)
    return None if checked.returncode == 0 else checked.stderr.strip()
