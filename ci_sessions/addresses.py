"""Service addresses in every form PostgreSQL and Redis accept: where to probe, what to hide.

- URLs: ``postgresql://user:pw@host:5432/db?sslmode=require&password=pw``,
  ``redis://:pw@host:6379/0``, ``rediss://user:pw@host``, ``redis://host?password=pw``;
- libpq key/value strings: ``host=127.0.0.1 port=5433 dbname=db password='p w'``.

A password can sit in the userinfo, in the query string or in a key/value pair;
every one of them is a secret to mask. Plain functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

# Query and key/value names that carry a password in libpq and redis-py.
SECRET_KEYS = ("password", "pass", "passwd", "pwd")
# libpq's key/value form: key = value, the value bare or single-quoted ('\' escapes).
KEY_VALUE = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    secrets: tuple[str, ...]


def is_key_value(text: str) -> bool:
    """libpq's `host=... port=...` form rather than a URL."""
    return "://" not in text and KEY_VALUE.search(text) is not None


def _key_values(text: str) -> dict[str, str]:
    pairs = {}
    for key, raw in KEY_VALUE.findall(text):
        value = raw[1:-1] if raw.startswith("'") else raw
        pairs[key.lower()] = re.sub(r"\\(.)", r"\1", value)
    return pairs


def parse(text: str, default_port: int) -> Address:
    """Where a service address points, and its secrets; ValueError says what is wrong."""
    host, port = _locate(text, default_port)
    return Address(host, port, secrets_in(text))


def _locate(text: str, default_port: int) -> tuple[str, int]:
    if is_key_value(text):
        pairs = _key_values(text)
        host = pairs.get("host") or pairs.get("hostaddr") or "127.0.0.1"
        return host.split(",")[0], _port(pairs.get("port"), default_port)
    parts = urlsplit(text)
    if not parts.scheme or (not parts.netloc and not parts.path):
        raise ValueError("is neither a URL (scheme://...) nor key=value pairs")
    hostport = parts.netloc.rpartition("@")[2]
    first = hostport.split(",")[0]  # libpq accepts several hosts; probe the first
    if first.startswith("["):  # [::1]:5432
        host, _, rest = first[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = first.partition(":")
    return host or "127.0.0.1", _port(port_text or None, default_port)


def well_formed(text: str) -> bool:
    """Whether an address parses: where it does not, its userinfo may run further than a
    URL parser thinks (a password with an unencoded @, : or /)."""
    try:
        _locate(text, 1)
    except ValueError:
        return False
    return True


def _wide_userinfo(text: str) -> str:
    """What may be a malformed URL's userinfo: from :// to its last @."""
    _, separator, rest = text.partition("://")
    return rest.rpartition("@")[0] if separator else ""


def secrets_in(text: str) -> tuple[str, ...]:
    """Every password an address carries, even when the rest of it is malformed."""
    if is_key_value(text):
        pairs = _key_values(text)
        return tuple(pairs[key] for key in SECRET_KEYS if pairs.get(key))
    parts = urlsplit(text)
    userinfo = parts.netloc.rpartition("@")[0]
    found = []
    if ":" in userinfo:
        password = userinfo.split(":", 1)[1]
        # Both spellings: the URL's percent-encoded one and what a client prints.
        found += [password, unquote(password)]
    found += [value for key, value in parse_qsl(parts.query) if key.lower() in SECRET_KEYS]
    wide = _wide_userinfo(text)
    if ":" in wide and not well_formed(text):
        password = wide.split(":", 1)[1]
        found += [password, unquote(password)]
    return tuple(dict.fromkeys(secret for secret in found if secret))


def _port(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} is not a port number (1-65535)")
    return int(text)


def mask(text: str) -> str:
    """The address with each of its passwords replaced by ***, for logs and messages; of an
    address that does not parse, none of what may be its userinfo is shown."""
    wide = _wide_userinfo(text)
    if wide and not is_key_value(text) and not well_formed(text):
        scheme, _, rest = text.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    masked = text
    for secret in sorted(set(secrets_in(text)), key=len, reverse=True):
        masked = masked.replace(secret, "***")
        quoted = secret.replace("'", "\\'")
        masked = masked.replace(quoted, "***")
    return masked
