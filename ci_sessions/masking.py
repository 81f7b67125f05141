"""Secrets ci-sessions knows of, kept out of everything it prints or writes.

A secret is registered the moment ci-sessions learns it (a password it
generated, one inside a service URL it was given, the value of a secret-looking
environment variable when the noxfile loads); from then on every summary,
annotation, report, console line of ci-sessions and of the tools it runs goes
through :func:`redact`. Under GitHub Actions each secret is also announced with
``::add-mask::``, so the runner masks it in everything else the job prints (the
runner masks only the secrets it was given, never in the artifacts uploaded).
Passwords inside any address in the text are masked too, whoever's they are.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ci_sessions.addresses import mask

# Shorter secrets are masked where they appear inside an address only:
# replacing every "ab" of a log would make it unreadable and hide nothing.
MIN_LENGTH = 4
# Addresses inside free text: URLs, and libpq's key/value passwords.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_KEY_VALUE = re.compile(r"\b(password|pass|passwd|pwd)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"<>]+)")

# An environment variable holds a secret when a part of its name (split at "_") is one
# of these, or ends with one (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, MY_API_KEY, DB_PASSWD),
# and its value is long enough to be one: "true", "1" or "dev" are settings, not secrets.
SECRET_NAME_PARTS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "CREDENTIALS")
ENV_SECRET_MIN_LENGTH = 8
# Names with such a part that hold no secret: paths and sockets.
NOT_SECRET_NAMES = ("SSH_AUTH_SOCK", "GPG_KEY_PATH", "KEYCHAIN")

_known: set[str] = set()


def register(secret: str, environ: Mapping[str, str] = os.environ) -> None:
    """Remember a secret; on GitHub Actions, ask the runner to mask it as well."""
    if not secret or secret in _known:
        return
    _known.add(secret)
    if environ.get("GITHUB_ACTIONS") == "true":
        print(f"::add-mask::{secret}", flush=True)


def secret_variable(name: str, value: str) -> bool:
    """Whether an environment variable looks like it holds a secret (see SECRET_NAME_PARTS)."""
    if len(value) < ENV_SECRET_MIN_LENGTH or name.upper() in NOT_SECRET_NAMES:
        return False
    parts = name.upper().split("_")
    return any(part.endswith(SECRET_NAME_PARTS) for part in parts)


def register_environment(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Register the values of the secret-looking variables; their names, for a message."""
    names = sorted(name for name, value in environ.items() if secret_variable(name, value))
    for name in names:
        register(environ[name], environ)
    return names


def known() -> tuple[str, ...]:
    """The registered secrets long enough to mask anywhere, longest first."""
    return tuple(sorted((s for s in _known if len(s) >= MIN_LENGTH), key=len, reverse=True))


def redact(text: str) -> str:
    """The text without any known secret (nor its start cut short with "...", as pytest
    shortens a failure's line), nor any password inside an address."""
    for secret in known():
        text = text.replace(secret, "***")
        if len(secret) > TRUNCATED_MIN:
            text = _truncated(secret).sub("***...", text)
    text = _URL.sub(lambda match: mask(match.group(0)), text)
    return _KEY_VALUE.sub(lambda match: f"{match.group(1)}{match.group(2)}***", text)


def redact_file(path: Path) -> bool:
    """Mask secrets in a text file ci-sessions or a tool wrote (a JUnit report); whether it
    changed. A missing or binary file is left alone."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    masked = redact(text)
    if masked == text:
        return False
    path.write_text(masked, encoding="utf-8")
    return True


# A secret's start, this long or longer, followed by "..." is that secret cut short.
TRUNCATED_MIN = 6


@functools.lru_cache(maxsize=256)
def _truncated(secret: str) -> re.Pattern[str]:
    starts = (re.escape(secret[:size]) for size in range(len(secret) - 1, TRUNCATED_MIN - 1, -1))
    return re.compile(f"(?:{'|'.join(starts)})(?:\\.\\.\\.|\u2026)")


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
