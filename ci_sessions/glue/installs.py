"""Whether a reused venv must run an install again: keys for what an install put there.

A venv that nox reuses (`-r`) would otherwise rebuild and reinstall the project
on every run (uv rebuilds a directory given on the command line, always). The
key of an install is its arguments and, when the project is among them, the
content of every file git tracks or would track (path and a hash). The venv also
records each file's size and modification time with its hash, so a file is read
and hashed again only when those changed: a test that rewrites a file with the same
content (touching it) does not make the next `nox -r` reinstall. The venv records
the key of the last install of each kind (the project with its tools; each set of
tools alone): the same key again, and the sessions skip the install; a changed
file, a new pin or another extra gives a new key, and the install runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

# Inside the venv: nox deletes it with the venv, so a new venv installs afresh.
MARKER_DIR = "ci-sessions-installs"

# (path, size, modification time in ns, content hash); a deleted file: (path, -1, -1, "").
FileState = tuple[str, int, int, str]
Known = dict[str, tuple[int, int, str]]  # path -> (size, mtime, hash) as last recorded


def marker_text(key: str, written: Iterable[str] = (), states: Iterable[FileState] = ()) -> str:
    """What a venv records of an install: its key, the project files it wrote, and each
    file's size, time and hash (so that the next run hashes only what was touched)."""
    known = {path: [size, mtime, digest] for path, size, mtime, digest in states}
    return json.dumps({"key": key, "written": sorted(set(written)), "states": known})


def read_known(text: str | None) -> Known:
    """The file states a marker recorded ({} when none, or a marker of another shape)."""
    try:
        states = json.loads(text or "{}").get("states", {})
        return {path: (int(s), int(m), str(d)) for path, (s, m, d) in states.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def read_marker(text: str | None) -> tuple[str | None, list[str]]:
    """(key, files the install wrote) from a marker; (None, []) when there is none."""
    if not text:
        return None, []
    try:
        data = json.loads(text)
        return str(data["key"]), [str(path) for path in data.get("written", [])]
    except (ValueError, KeyError, TypeError):
        return None, []  # an older or damaged marker: install again


def changed(before: Sequence[FileState], after: Sequence[FileState]) -> list[str]:
    """Paths that an install added or modified: its own output (build/, *.egg-info,
    an extension built in place), which must not count as a change next time."""
    earlier = set(before)
    return sorted({state[0] for state in after if state not in earlier})


def install_key(args: Sequence[str], root: str = "", project: Sequence[FileState] = ()) -> str:
    """One install's key: its arguments, and the project's folder and files' contents."""
    payload = json.dumps([list(args), root, [[path, digest] for path, _, _, digest in project]])
    return hashlib.sha256(payload.encode()).hexdigest()


def outside(paths: Iterable[str], skipped: Sequence[str]) -> list[str]:
    """The paths not under any of `skipped` (folders relative to the project), nor bytecode.

    Bytecode because running the tests writes it next to the sources, and a
    project need not tell git to ignore it.
    """
    prefixes = tuple(folder.strip("/") + "/" for folder in skipped)
    return sorted(
        path
        for path in paths
        if not path.startswith(prefixes)
        and "__pycache__/" not in path
        and not path.endswith(".pyc")
    )


def file_states(root: Path, paths: Iterable[str], known: Known | None = None) -> list[FileState]:
    """Each file's state; its content hashed only when its size or time is not the one
    `known` recorded."""
    states: list[FileState] = []
    for path in paths:
        try:
            info = os.stat(root / path)
            size, mtime = info.st_size, info.st_mtime_ns
            recorded = (known or {}).get(path)
            if recorded is not None and recorded[:2] == (size, mtime):
                digest = recorded[2]
            else:
                digest = hashlib.blake2b((root / path).read_bytes(), digest_size=12).hexdigest()
        # Tracked and deleted in the work tree, or a folder git lists (a submodule).
        except (FileNotFoundError, IsADirectoryError):
            states.append((path, -1, -1, ""))
        else:
            states.append((path, size, mtime, digest))
    return states


def compile_at_install(backend: str, kept: bool, environ: Mapping[str, str]) -> bool:
    """Whether uv should write bytecode at install time, as pip always does.

    uv leaves it to Python's first import; with PYTHONDONTWRITEBYTECODE set
    (many container images set it) that never happens, and a venv kept for
    reuse (-r, -R) compiles every module it imports again on every run: a
    second and more per session. A venv made for one run (CI) does not pay
    for compiling modules it never imports.
    """
    return backend == "uv" and kept and bool(environ.get("PYTHONDONTWRITEBYTECODE"))


def slot(requirements: Sequence[str]) -> str:
    """The marker file's name for an install of these tools alone (pins are not file names)."""
    names = "\n".join(sorted(requirements))
    return "tools-" + hashlib.sha256(names.encode()).hexdigest()[:16]
