"""Known secrets and passwords in addresses are masked in everything written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("GITHUB_TOKEN", "ghp_0123456789abcdef", True),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG", True),
        ("MY_API_KEY", "sk-live-0123456789", True),
        ("DB_PASSWD", "correct-horse", True),
        ("PGPASSWORD", "correct-horse", True),
        ("SERVICE_CREDENTIALS", "user:correct-horse", True),
        ("DEBUG_TOKEN", "true", False),  # too short to be a secret
        ("TOKENIZERS_PARALLELISM", "false-everywhere", False),  # TOKEN is not a part
        ("SSH_AUTH_SOCK", "/tmp/ssh-XXXX/agent.1", False),
        ("HOME", "/home/somebody-long", False),
    ],
)
def test_secret_looking_variables(name: str, value: str, secret: bool) -> None:
    assert masking.secret_variable(name, value) is secret


def test_the_environment_s_secrets_are_masked_once_registered() -> None:
    environ = {"GITHUB_TOKEN": "ghp_0123456789abcdef", "HOME": "/root"}
    assert masking.register_environment(environ) == ["GITHUB_TOKEN"]
    assert masking.redact("token ghp_0123456789abcdef in /root") == "token *** in /root"


def test_a_secret_cut_short_by_pytest_is_masked_too() -> None:
    masking.register("sk-live-0123456789", environ={})
    # pytest's short summary cuts a long line: "AssertionError: sk-live-01234..."
    assert masking.redact("AssertionError: sk-live-01234...") == "AssertionError: ***..."
    assert (
        masking.redact("sk-live is a prefix, not a secret") == "sk-live is a prefix, not a secret"
    )


def test_a_written_report_is_masked_in_place(tmp_path: Path) -> None:
    masking.register("hunter2-generated", environ={})
    report = tmp_path / "junit.xml"
    report.write_text("<failure>hunter2-generated</failure>")
    assert masking.redact_file(report)
    assert report.read_text() == "<failure>***</failure>"
    assert not masking.redact_file(report)  # nothing left to mask
    assert not masking.redact_file(tmp_path / "missing.xml")
