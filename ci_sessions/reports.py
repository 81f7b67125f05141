"""Where reports go, and GitHub's step summary."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def append_step_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Append to $GITHUB_STEP_SUMMARY when set; say whether it was."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as summary:
        summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True
