"""GitHub expressions evaluated as a runner evaluates them (docs.github.com, "Evaluate
expressions in workflows and actions"): each case is a documented rule."""

from __future__ import annotations

from typing import Any

import pytest

from ci_sessions.workflow.expressions import (
    ExpressionError,
    Status,
    condition,
    evaluate,
    render,
    value,
)

CONTEXT: dict[str, Any] = {
    "github": {"event_name": "push", "ref": "refs/heads/main", "event": {"before": "abc"}},
    "matrix": {"python": "3.12"},
    "needs": {
        "lint": {"result": "success", "outputs": {}},
        "tests": {"result": "failure", "outputs": {"code": "true"}},
    },
    "inputs": {"tier": None},
    "strategy": {"job-index": 2},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("github.event_name == 'push'", True),
        ("github.event_name == 'PUSH'", True),  # strings compare without case
        ("github.event_name != 'push'", False),
        ("'it''s'", "it's"),
        ("github.event.before || github.event.merge_group.base_sha", "abc"),
        ("inputs.tier || 'none'", "none"),
        ("github.event_name == 'push' && 'yes' || 'no'", "yes"),  # && and || return operands
        ("github.event_name == 'pull_request' && 'yes' || 'no'", "no"),
        ("contains(needs.*.result, 'failure')", True),
        ("contains(needs.*.result, 'cancelled')", False),
        ('fromJSON(\'["3.12", "3.13"]\')', ["3.12", "3.13"]),
        ("startsWith(github.ref, 'refs/heads/')", True),
        ("format('{0}-{1}', matrix.python, strategy.job-index)", "3.12-2"),
        ("github['event_name']", "push"),
        ("github.nothing.here", None),  # an absent member is null
        ("1 == '1'", True),  # a number and a numeric string are equal
        ("null == 0", True),
        ("!github.nothing", True),
        ("strategy.job-index >= 2", True),
    ],
)
def test_expressions_give_what_github_gives(text: str, expected: Any) -> None:
    assert evaluate(text, CONTEXT) == expected


def test_an_if_without_a_status_function_implies_success() -> None:
    failed = Status(failed=True)
    assert condition("github.event_name == 'push'", CONTEXT)
    assert not condition("github.event_name == 'push'", CONTEXT, failed)
    assert condition("always() && github.event_name == 'push'", CONTEXT, failed)
    assert condition("${{ failure() }}", CONTEXT, failed)
    assert condition(None, CONTEXT) and not condition(None, CONTEXT, failed)


def test_templates_and_whole_values() -> None:
    assert render("tests-${{ matrix.python }}", CONTEXT) == "tests-3.12"
    assert render("${{ github.nothing }}x", CONTEXT) == "x"
    assert value("${{ fromJSON('[1, 2]') }}", CONTEXT) == [1, 2]
    assert value(["3.12"], CONTEXT) == ["3.12"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("runner.os == 'Linux'", "the context 'runner'"),
        ("hashFiles('uv.lock')", "the function hashfiles()"),
        ("github.event_name ==", "cannot read"),
        ("(github.event_name == 'push'", "expected ')'"),
        ("github.event_name 'push'", "left over"),
    ],
)
def test_what_cannot_be_evaluated_says_so(text: str, said: str) -> None:
    with pytest.raises(ExpressionError, match=said.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text, CONTEXT)
