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
    """The dependencies of a noxfile's PEP 723 `script` block; None when it has none."""
    if not noxfile.is_file():
        return None
    text = noxfile.read_text(encoding="utf-8")
    for match in SCRIPT_BLOCK.finditer(text):
        if match["type"] != "script":
            continue
        body = "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in match["content"].splitlines(keepends=True)
        )
        dependencies = tomllib.loads(body).get("dependencies", [])
        return [str(item) for item in dependencies]
    return None
