"""Known secrets and passwords in addresses are masked in everything written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ci_sessions import masking


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    masking.forget_all()
    yield
    masking.forget_all()


def test_a_known_secret_is_masked_wherever_it_appears() -> None:
    masking.register("hunter2-generated", environ={})
    text = "cannot reach hunter2-generated (it said hunter2-generated)"
    assert masking.redact(text) == "cannot reach *** (it said ***)"


def test_passwords_inside_addresses_are_masked_even_unknown_ones() -> None:
    text = (
        "assert reachable('postgresql://app:pw@127.0.0.1:5/db'), "
        "dsn host=h password=S port=1, redis://h/0?password=q&db=1"
    )
    assert masking.redact(text) == (
        "assert reachable('postgresql://app:***@127.0.0.1:5/db'), "
        "dsn host=h password=*** port=1, redis://h/0?password=***&db=1"
    )


def test_on_github_each_secret_is_announced_once(capsys: pytest.CaptureFixture[str]) -> None:
    masking.register("s3cret-value", environ={"GITHUB_ACTIONS": "true"})
    masking.register("s3cret-value", environ={"GITHUB_ACTIONS": "true"})
    assert capsys.readouterr().out == "::add-mask::s3cret-value\n"


def test_a_stream_holds_back_what_might_start_a_secret() -> None:
    masking.register("abcdef", environ={})
    assert masking.held_back("log line abc") == 3
    assert masking.held_back("log line ..") == 0
    assert masking.held_back("xyzabcde") == 5
