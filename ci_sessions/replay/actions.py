"""The actions the generated workflow uses, done here as a runner's would do them: checkout
(the job already runs in a clean clone), setup-python (this machine's interpreters, never a
download), setup-uv (`uvx --from nox nox` runs this Python's nox), artifacts and caches (a
folder shared by the jobs of one replay). Code scanning and publishing reach GitHub: they
are checked for what they would read and said to be not replayed. An action this module
does not know is not run, and the replay names it."""

from __future__ import annotations

import glob
import os
import shutil
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ci_sessions import interpreters


@dataclass
class ActionResult:
    ok: bool
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    not_replayed: bool = False  # reaches GitHub, or unknown: named in the results


@dataclass(frozen=True)
class Place:
    """Where one job entry runs: its clone, its runner folder (shims, command files), and
    the store the jobs of one replay share (artifacts, caches)."""

    work: Path
    runner: Path
    store: Path
    envdir: Path | None  # --envdir given to every nox run (venvs shared between jobs)

    @property
    def shims(self) -> Path:
        return self.runner / "bin"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _setup_python(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    missing = []
    for version in _lines(inputs.get("python-version", "")):
        found = interpreters.find(version)
        if found is None:
            missing.append(version)
        elif str(Path(found).parent) not in path:
            path.insert(0, str(Path(found).parent))
    if missing:
        return ActionResult(
            False,
            f"Python {', '.join(missing)} is not on this machine (setup-python would download"
            " it; the replay never does): install it, or put its folder on PATH",
        )
    return ActionResult(True)


def uvx_shim(python: str, envdir: Path | None, uvx: str) -> str:
    """`uvx --from 'nox...' nox ARGS` as this Python's nox (the one ci_sessions runs under,
    so the replay tests this checkout, not a release); any other uvx call goes to uv."""
    shared = f'--envdir "{envdir}" -r ' if envdir else ""
    return (
        "#!/bin/sh\n"
        'if [ "$1" = "--from" ] && [ "$3" = "nox" ]; then\n'
        f'  shift 3; exec "{python}" -m nox {shared}"$@"\n'
        "fi\n"
        f'exec "{uvx}" "$@"\n'
    )


# Held while an executable is written and while a step's process starts. Jobs replay in
# threads: a process another thread forks while a shim is open for writing holds that file
# open until its exec, and the shim's own exec then fails with "Text file busy" (ETXTBSY;
# seen in CI: a changes job's `uvx` exited 126). Go's ForkLock does the same.
WRITE_OR_START = threading.Lock()


def _setup_uv(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).is_file():
        return ActionResult(False, "uv is not on this machine: pip install uv")
    place.shims.mkdir(parents=True, exist_ok=True)
    shim = place.shims / "uvx"
    with WRITE_OR_START:
        shim.write_text(uvx_shim(sys.executable, place.envdir, str(Path(uv).parent / "uvx")))
        shim.chmod(0o755)
    if str(place.shims) not in path:
        path.insert(0, str(place.shims))
    return ActionResult(True)


def _root(pattern: str) -> str:
    """The part of an upload pattern before its first wildcard: files keep their paths
    below the common root of the patterns, as upload-artifact keeps them."""
    parts = []
    for part in pattern.split("/"):
        if any(char in part for char in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def upload_files(work: Path, patterns: list[str], hidden: bool) -> tuple[Path, list[Path]]:
    """The files an upload takes, and the folder their stored paths start from."""
    files: list[Path] = []
    roots = []
    for pattern in patterns:
        found = [
            Path(p) for p in glob.glob(str(work / pattern), recursive=True, include_hidden=True)
        ]
        whole = work / pattern
        roots.append(_root(pattern) if any(c in pattern for c in "*?[") else pattern.rstrip("/"))
        if whole.is_file():
            roots[-1] = str(Path(pattern).parent)
        for path in found:
            files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    if not hidden:
        files = [
            f for f in files if not any(part.startswith(".") for part in f.relative_to(work).parts)
        ]
    root = work / os.path.commonpath(roots) if roots else work
    return (root if root.is_dir() else root.parent), sorted(set(files))


def _upload(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    name = inputs.get("name", "artifact")
    target = place.store / "artifacts" / name
    if target.exists():
        return ActionResult(False, f"an artifact named {name!r} was uploaded already")
    hidden = str(inputs.get("include-hidden-files", "false")).lower() == "true"
    root, files = upload_files(place.work, _lines(inputs.get("path", "")), hidden)
    if not files:
        behaviour = inputs.get("if-no-files-found", "warn")
        text = f"no files match {inputs.get('path')!r} for the artifact {name!r}"
        return ActionResult(behaviour != "error", text if behaviour != "ignore" else "")
    for file in files:
        stored = target / file.relative_to(root)
        stored.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, stored)
    return ActionResult(True, f"{len(files)} file(s) stored as {name!r}")


def _download(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    stored = place.store / "artifacts"
    into = place.work / inputs.get("path", ".")
    if inputs.get("name"):
        chosen = [stored / inputs["name"]]
        if not chosen[0].is_dir():
            return ActionResult(False, f"no artifact named {inputs['name']!r} was uploaded")
    else:
        pattern = inputs.get("pattern", "*")
        chosen = sorted(Path(p) for p in glob.glob(str(stored / pattern)))
    merged = str(inputs.get("merge-multiple", "false")).lower() == "true" or bool(
        inputs.get("name")
    )
    for artifact in chosen:
        shutil.copytree(artifact, into if merged else into / artifact.name, dirs_exist_ok=True)
    return ActionResult(True, f"{len(chosen)} artifact(s) into {inputs.get('path', '.')}")


def _cache_restore(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    caches = place.store / "caches"
    key = inputs.get("key", "")
    candidates = [key, *_lines(inputs.get("restore-keys", ""))]
    kept = (
        sorted(caches.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        if caches.is_dir()
        else []
    )
    for wanted in candidates:
        for entry in kept:
            if entry.name == wanted or (wanted != key and entry.name.startswith(wanted)):
                shutil.copytree(entry, place.work / inputs.get("path", "."), dirs_exist_ok=True)
                hit = "true" if entry.name == key else "false"
                return ActionResult(
                    True,
                    f"restored {entry.name}",
                    {"cache-hit": hit, "cache-matched-key": entry.name},
                )
    return ActionResult(True, f"no cache entry for {key!r}", {"cache-hit": "false"})


def _cache_save(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    key = inputs.get("key", "")
    entry = place.store / "caches" / key
    source = place.work / inputs.get("path", ".")
    if entry.exists():
        return ActionResult(
            True, f"a cache entry {key!r} exists already (kept, as GitHub keeps it)"
        )
    if not source.exists():
        return ActionResult(True, f"nothing to save at {inputs.get('path')!r}")
    shutil.copytree(source, entry)
    return ActionResult(True, f"saved {key!r}")


def _sarif(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    sarif = place.work / inputs.get("sarif_file", "")
    if not sarif.is_file():
        return ActionResult(False, f"no SARIF file at {inputs.get('sarif_file')!r} to upload")
    return ActionResult(
        True, "code scanning is on GitHub: the SARIF file exists, not uploaded", not_replayed=True
    )


def _not_replayed(place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    return ActionResult(True, "publishing reaches PyPI: not replayed", not_replayed=True)


Action = Callable[[Place, Mapping[str, str], list[str]], ActionResult]
ACTIONS: dict[str, Action] = {
    "actions/checkout": lambda place, inputs, path: ActionResult(True),
    "actions/setup-python": _setup_python,
    "astral-sh/setup-uv": _setup_uv,
    "actions/upload-artifact": _upload,
    "actions/download-artifact": _download,
    "actions/cache/restore": _cache_restore,
    "actions/cache/save": _cache_save,
    "github/codeql-action/upload-sarif": _sarif,
    "pypa/gh-action-pypi-publish": _not_replayed,
}


def perform(uses: str, place: Place, inputs: Mapping[str, str], path: list[str]) -> ActionResult:
    """Do what the action `uses` (owner/name@ref) would do; `path` is the job's PATH,
    which setup actions extend."""
    name = uses.split("@", 1)[0]
    action = ACTIONS.get(name)
    if action is None:
        return ActionResult(
            True, f"{name} is not an action the replay knows: not run", not_replayed=True
        )
    return action(place, inputs, path)
