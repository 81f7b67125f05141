"""Secrets ci-sessions knows of, kept out of everything it prints or writes.

A secret is registered the moment ci-sessions learns it (a password it
generated, one inside a service URL it was given); from then on every summary,
annotation, report and console line that ci-sessions writes goes through
:func:`redact`. Under GitHub Actions each secret is also announced with
``::add-mask::``, so the runner masks it in everything else the job prints.
Passwords inside any address in the text are masked too, whoever's they are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ci_sessions.addresses import mask

# Shorter secrets are masked where they appear inside an address only:
# replacing every "ab" of a log would make it unreadable and hide nothing.
MIN_LENGTH = 4
# Addresses inside free text: URLs, and libpq's key/value passwords.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_KEY_VALUE = re.compile(r"\b(password|pass|passwd|pwd)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"<>]+)")

_known: set[str] = set()


def register(secret: str, environ: Mapping[str, str] = os.environ) -> None:
    """Remember a secret; on GitHub Actions, ask the runner to mask it as well."""
    if not secret or secret in _known:
        return
    _known.add(secret)
    if environ.get("GITHUB_ACTIONS") == "true":
        print(f"::add-mask::{secret}", flush=True)


def known() -> tuple[str, ...]:
    """The registered secrets long enough to mask anywhere, longest first."""
    return tuple(sorted((s for s in _known if len(s) >= MIN_LENGTH), key=len, reverse=True))


def redact(text: str) -> str:
    """The text without any known secret, nor any password inside an address."""
    for secret in known():
        text = text.replace(secret, "***")
    text = _URL.sub(lambda match: mask(match.group(0)), text)
    return _KEY_VALUE.sub(lambda match: f"{match.group(1)}{match.group(2)}***", text)


def held_back(text: str) -> int:
    """How many characters at the end of a stream chunk might start a secret.

    A stream is redacted piece by piece; those characters wait for the next
    piece, so that a secret split across two reads is still masked.
    """
    longest = 0
    for secret in known():
        for size in range(min(len(secret) - 1, len(text)), longest, -1):
            if text.endswith(secret[:size]):
                longest = size
                break
    return longest


def forget_all() -> None:
    """For tests: a clean registry."""
    _known.clear()
