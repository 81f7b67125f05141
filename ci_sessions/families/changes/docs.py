"""Does a change touch code, or only documentation? For skipping heavy CI jobs."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence

DEFAULT_DOCS = ("*.md", "*.rst", "*.txt", "docs/**", "LICENSE*", ".github/ISSUE_TEMPLATE/**")


def docs_only(paths: Sequence[str], patterns: Sequence[str]) -> bool:
    """True when every changed path is documentation; an empty change is not."""
    return bool(paths) and all(
        any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns) for path in paths
    )


def base_ref(environ: Mapping[str, str]) -> str | None:
    """What to diff against on GitHub: the PR's base branch or the push's previous
    commit. None (a schedule, a new branch, a dispatch): treat as code."""
    if environ.get("GITHUB_BASE_REF"):
        return f"origin/{environ['GITHUB_BASE_REF']}"
    before = environ.get("CI_SESSIONS_BEFORE", "")
    if before and set(before) != {"0"}:
        return before
    return None
