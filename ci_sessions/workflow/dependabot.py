"""`.github/dependabot.yml`: the pinned actions and the project's packages kept current.

Written only when the project has none of its own (a file without ci-sessions'
header is the project's, and left alone). Updates come grouped, one pull request
per ecosystem, and only for releases a week old (`cooldown`), so that a broken or
malicious release has time to be yanked before it is proposed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEPENDABOT_PATH = ".github/dependabot.yml"
COOLDOWN_DAYS = 7


def python_ecosystem(root: Path) -> str:
    """uv's ecosystem when the project locks with uv (it updates uv.lock), pip otherwise."""
    return "uv" if (root / "uv.lock").is_file() else "pip"


def _update(ecosystem: str, group: str) -> dict[str, Any]:
    return {
        "package-ecosystem": ecosystem,
        "directory": "/",
        "schedule": {"interval": "weekly"},
        "groups": {group: {"patterns": ["*"]}},
        "cooldown": {"default-days": COOLDOWN_DAYS},
    }


def dependabot(root: Path) -> dict[str, Any]:
    return {
        "version": 2,
        "updates": [
            _update("github-actions", "actions"),
            _update(python_ecosystem(root), "python-packages"),
        ],
    }
