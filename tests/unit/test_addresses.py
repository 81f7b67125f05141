"""Service addresses in every form: where to probe, which secrets to mask."""

from __future__ import annotations

import pytest

from ci_sessions.addresses import Address, mask, parse, secrets_in


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("postgresql://app:s3cret@db:5433/app", Address("db", 5433, ("s3cret",))),
        ("postgresql://app@127.0.0.1:9/db?password=S", Address("127.0.0.1", 9, ("S",))),
        (
            "host=127.0.0.1 port=9 dbname=db user=app password=S",
            Address("127.0.0.1", 9, ("S",)),
        ),
        ("host=db password='a b\\'c'", Address("db", 5432, ("a b'c",))),
        ("redis://:pw@127.0.0.1:6379/0", Address("127.0.0.1", 6379, ("pw",))),
        ("rediss://user:p%40ss@cache/1", Address("cache", 5432, ("p%40ss", "p@ss"))),
        ("redis://cache:6380/0?password=q", Address("cache", 6380, ("q",))),
        ("postgresql://[::1]:5440/db", Address("::1", 5440, ())),
        ("postgresql://h1:5001,h2:5002/db", Address("h1", 5001, ())),
    ],
)
def test_parse(text: str, address: Address) -> None:
    assert parse(text, 5432) == address


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postgresql://app:pw@db:abc/app", "port 'abc' is not a port number"),
        ("host=db port=99999", "port '99999' is not a port number"),
        ("just words", "is neither a URL"),
    ],
)
def test_parse_refuses_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text, 5432)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"),
        (
            "postgresql://app@h:9/db?password=S&sslmode=off",
            "postgresql://app@h:9/db?password=***&sslmode=off",
        ),
        ("host=h port=9 user=app password=S", "host=h port=9 user=app password=***"),
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        # Unparsable: none of what may be its userinfo is shown, the user name included.
        ("postgresql://app:pw@db:abc/x", "postgresql://***@db:abc/x"),
        # A password with unencoded @ : / runs further than a URL parser thinks.
        ("postgresql://bob:we@ird:pa/ss%q@127.0.0.1:1/db", "postgresql://***@127.0.0.1:1/db"),
        # A parsable address keeps an @ of its query.
        ("redis://h:6379/0?client_name=a@b", "redis://h:6379/0?client_name=a@b"),
    ],
)
def test_mask_hides_every_form(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_secrets_of_an_unparsable_key_value_string_are_still_found() -> None:
    assert secrets_in("host=h port=x password=S") == ("S",)


def test_a_malformed_password_is_registered_whole() -> None:
    assert "we@ird:pa/ss%q" in secrets_in("postgresql://bob:we@ird:pa/ss%q@127.0.0.1:1/db")
