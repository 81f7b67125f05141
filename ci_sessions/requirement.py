"""The requirement a project's noxfile should name so that CI installs this very ci-sessions.

Read off the installed distribution's PEP 610 ``direct_url.json``: a VCS URL
with its commit, an archive URL, or none (installed from an index: its
version). A local folder cannot serve CI; the caller is told so. Also reads a
noxfile's PEP 723 script block, which ``uvx nox`` installs from.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import nox.project

DISTRIBUTION = "ci-sessions"
# PEP 723's reference regular expression for an inline script metadata block.
SCRIPT_BLOCK = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)


def requirement_for(version: str, direct_url: str | None) -> tuple[str, str | None]:
    """(the requirement CI should install, why it cannot, or None when it can)."""
    if direct_url is None:
        return f"{DISTRIBUTION}=={version}", None  # from an index: pin what is installed
    data = json.loads(direct_url)
    url = str(data.get("url", ""))
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        return f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}", None
    if "archive_info" in data and url.startswith(("https://", "http://")):
        return f"{DISTRIBUTION} @ {url}", None
    where = url.removeprefix("file://")
    return DISTRIBUTION, (
        f"ci-sessions is installed from {where}, which a CI runner cannot reach: install it "
        "from its git URL (pip install 'ci-sessions @ git+https://...@<commit>') or from an "
        "index, then run init again, or edit the noxfile's `dependencies` by hand"
    )


def installed_requirement() -> tuple[str, str | None]:
    """What requirement_for() says of the ci-sessions running now."""
    try:
        found = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return DISTRIBUTION, (
            "ci-sessions runs from a source tree, not an installed distribution: CI cannot "
            "install it that way; install it (from git or an index) and run init again"
        )
    return requirement_for(found.version, found.read_text("direct_url.json"))


def script_dependencies(noxfile: Path) -> list[str] | None:
    """The dependencies of a noxfile's PEP 723 `script` block (nox's own reader); None when
    it has none."""
    if not noxfile.is_file():
        return None
    try:
        found = nox.project.load_toml(noxfile)
    except (ValueError, OSError, tomllib.TOMLDecodeError):
        return None  # no script block, or one nox cannot read
    dependencies = found.get("dependencies", [])
    return [str(item) for item in dependencies] if isinstance(dependencies, list) else []


def local_source() -> str | None:
    """`ci-sessions @ file:///...` when the running ci-sessions was installed from a local
    folder (a checkout, editable or not); None otherwise (an index, a VCS URL, a tree that
    is not installed)."""
    try:
        found = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    direct = found.read_text("direct_url.json")
    if direct is None:
        return None
    url = str(json.loads(direct).get("url", ""))
    return f"{DISTRIBUTION} @ {url}" if url.startswith("file://") else None
