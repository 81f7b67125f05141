"""GitHub's branch and path filters, as `on:` applies them: `*` within a segment, `**`
across segments, `?` and `+` for the character before, `[...]` a set, and patterns that
start with `!` excluding what the ones before them included. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence


def _regex(pattern: str) -> re.Pattern[str]:
    out, at = [], 0
    while at < len(pattern):
        char = pattern[at]
        if pattern.startswith("**", at):
            out.append(".*")
            at += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char in "?+" and out:
            out.append(char)
        elif char == "[":
            end = pattern.find("]", at)
            out.append(pattern[at : end + 1] if end > at else re.escape(char))
            at = end if end > at else at
        else:
            out.append(re.escape(char))
        at += 1
    return re.compile("".join(out))


def matches(name: str, patterns: Sequence[str]) -> bool:
    """Whether name passes the filter: the last pattern that matches decides."""
    matched = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _regex(pattern[1:] if negated else pattern).fullmatch(name):
            matched = not negated
    return matched
