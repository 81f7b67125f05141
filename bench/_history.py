"""The commits bench/affected.py's history mode replays: a local clone's first-parent
history, the commits whose diff touches .py files of the package or its tests, and each one
as Changes (its files' new text) to apply on the tree of its parent. No network: everything
comes from the clone's own objects, read with git.

A commit's tree is reached in a scratch clone of the repository (never the repository
given, which may be someone's working copy): its parent checked out on a branch of its own,
adopted and committed there, and then each replayed commit committed on top of it, so that
`git checkout -- . && git clean` (bench/affected.py's restore) brings back the base.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from _changes import Change, touched
from _common import fresh_dir, git

TEST_FOLDERS = ("tests", "test", "testing")


@dataclass(frozen=True)
class Repository:
    path: Path  # the clone with full history (read only)
    source: str  # the package's folder, relative to the root: src/name or name
    tests: str  # the tests' folder, relative to the root

    @property
    def name(self) -> str:
        return self.path.resolve().name

    @property
    def pathspecs(self) -> list[str]:
        # A pathspec's * matches across slashes: every .py file at any depth below.
        return [f"{self.source}/*.py", f"{self.tests}/*.py"]


@dataclass(frozen=True)
class Commit:
    sha: str
    parent: str  # its first parent: the tree main had before it
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:8]


def output(repo: Path, *args: str) -> str:
    """A read-only git command's standard output (git() of _common discards it)."""
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def tracked(repo: Path, ref: str) -> list[str]:
    return output(repo, "ls-tree", "-r", "--name-only", ref).splitlines()


def locate(path: Path, spec: str = "") -> Repository:
    """The repository, its package and tests folders: given as PATH:SOURCE[:TESTS], or
    guessed from HEAD's tree (src/<pkg>/__init__.py first, then <pkg>/__init__.py)."""
    source, _, tests = spec.partition(":")
    files = tracked(path, "HEAD")
    if not source:
        packages = sorted(
            {f.rsplit("/", 1)[0] for f in files if f.endswith("/__init__.py") and f.count("/") <= 2}
        )
        under_src = [p for p in packages if p.startswith("src/") and p.count("/") == 1]
        top = [p for p in packages if "/" not in p and p not in TEST_FOLDERS]
        if not (under_src or top):
            raise SystemExit(f"bench: no package found in {path}; give it as {path}:SOURCE")
        source = (under_src or top)[0]
    if not tests:
        folders = [t for t in TEST_FOLDERS if any(f.startswith(f"{t}/") for f in files)]
        if not folders:
            raise SystemExit(f"bench: no tests folder in {path}; give it as {path}:{source}:TESTS")
        tests = folders[0]
    return Repository(path, source, tests)


def commits(repo: Repository, count: int, start: str = "HEAD") -> list[Commit]:
    """The last `count` commits on start's first-parent history that touch .py files of
    the package or its tests, oldest first (the order they are replayed in). A root commit
    is left out: it has no parent tree to replay it on."""
    shas = output(
        repo.path, "log", "--first-parent", "--format=%H %P", start, "--", *repo.pathspecs
    ).splitlines()
    found: list[Commit] = []
    for line in shas:
        sha, *parents = line.split()
        if not parents:
            continue
        subject = output(repo.path, "log", "-1", "--format=%s", sha).strip()
        found.append(Commit(sha, parents[0], subject))
        if len(found) == count:
            break
    return found[::-1]


def file_changes(repo: Repository, commit: Commit) -> list[Change]:
    """The commit as one Change per file it changed below the package or the tests (any
    file there, not only .py: a test's data goes with it), its text at the commit. Files
    elsewhere (pyproject.toml, docs) are not replayed: init rewrites pyproject.toml, and a
    dependency change would need a new venv, not a map."""
    names = output(
        repo.path, "diff", "--name-status", "--no-renames", commit.parent, commit.sha,
        "--", repo.source, repo.tests,
    ).splitlines()  # fmt: skip
    changes = []
    for line in names:
        status, path = line.split("\t", 1)
        text: str | None = None
        if status != "D":
            data = subprocess.run(
                ["git", "show", f"{commit.sha}:{path}"], cwd=repo.path, capture_output=True,
                check=True,
            ).stdout  # fmt: skip
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Change carries text; a binary fixture is rare in a source or tests folder.
                print(f"  {commit.short}: {path} is not UTF-8 text, not replayed", flush=True)
                continue
        changes.append(Change("commit", path, path, text))
    return changes


def commit_where(repo: Repository, commit: Commit, changes: list[Change]) -> str:
    """`sha file:function,... (+n files)` for the table: the first source file the commit
    changed and the functions of it that differ (as real changes name them)."""
    code = [c for c in changes if c.path.startswith(f"{repo.source}/") and c.path.endswith(".py")]
    shown = code[0] if code else changes[0]
    names = source_touched(repo, commit, shown)
    more = f" (+{len(changes) - 1} files)" if len(changes) > 1 else ""
    return f"{commit.short} {shown.path}:{','.join(names) or '-'}{more}"


def source_touched(repo: Repository, commit: Commit, change: Change) -> list[str]:
    """The functions of the parent's version of the file whose AST the commit changed."""
    if change.text is None or not change.path.endswith(".py"):
        return []
    try:
        old = output(repo.path, "show", f"{commit.parent}:{change.path}")
    except subprocess.CalledProcessError:
        return []  # a file the commit added: no old functions to compare
    return touched(old, change.text)


def mutable(repo: Repository, root: Path, changes: list[Change]) -> list[Change]:
    """The changes mutations() may read: package .py files that exist in the base tree
    (an added file has no older version to mutate, a removed one no newer to compare);
    test files are left out: a mutant of a test checks nothing about the selection."""
    return [
        c
        for c in changes
        if c.text is not None
        and c.path.startswith(f"{repo.source}/")
        and c.path.endswith(".py")
        and (root / c.path).is_file()
    ]


def scratch_clone(repo: Repository, into: Path, parent: str) -> Path:
    """A clone of the repository (local objects, no network) with the parent of the first
    replayed commit checked out on a branch `bench`: adopt() commits on it."""
    root = fresh_dir(into) / repo.name
    git(into, "clone", "-q", "--no-checkout", str(repo.path.resolve()), str(root))
    git(root, "checkout", "-q", "-B", "bench", parent)
    return root


def commit_on_base(root: Path, changes: list[Change], message: str) -> None:
    """The replayed commit's files written and committed on `bench`: the next base."""
    for change in changes:
        target = root / change.path
        if change.text is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.text, encoding="utf-8")
    git(root, "add", "-A")
    # --allow-empty: a commit may only touch files already equal here (a revert's revert).
    git(root, "commit", "-q", "--allow-empty", "--no-verify", "-m", message)
