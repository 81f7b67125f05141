"""pytest's -m grammar, checked when the configuration loads (pytest is not installed
beside nox, and its parser is private): a bad expression is one error naming its key,
not a usage error from pytest after every install. No nox here.

    expression: expr? EOF
    expr:       and_expr ('or' and_expr)*
    and_expr:   not_expr ('and' not_expr)*
    not_expr:   'not' not_expr | '(' expr ')' | ident kwargs?
    kwargs:     '(' name '=' value (',' name '=' value)* ')'
    value:      a quoted string, an integer, True, False or None

as pytest 8.2+ reads it (``_pytest/mark/expression.py``).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"\s*(?:(?P<paren>[(),=])|(?P<string>'[^']*'|\"[^\"]*\")|(?P<ident>(?:\w|[:+\-.\[\]\\/])+))"
)
_KEYWORDS = ("and", "or", "not")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None:
                column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
                raise ValueError(f"at column {column}: unexpected character {text[column - 1]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match[kind], match.start(kind) + 1))
            position = match.end()
        self.index = 0
        self.end = len(text) + 1

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("eof", "", self.end)

    def take(self, value: str) -> bool:
        if self.peek()[1] == value and self.peek()[0] != "string":
            self.index += 1
            return True
        return False

    def fail(self, expected: str) -> ValueError:
        kind, value, column = self.peek()
        got = "end of input" if kind == "eof" else repr(value)
        return ValueError(f"at column {column}: expected {expected}; got {got}")

    def expr(self) -> None:
        self.and_expr()
        while self.take("or"):
            self.and_expr()

    def and_expr(self) -> None:
        self.not_expr()
        while self.take("and"):
            self.not_expr()

    def not_expr(self) -> None:
        if self.take("not"):
            self.not_expr()
        elif self.take("("):
            self.expr()
            if not self.take(")"):
                raise self.fail("')'")
        elif self.peek()[0] == "ident" and self.peek()[1] not in _KEYWORDS:
            self.index += 1
            if self.take("("):
                self.kwargs()
        else:
            raise self.fail("not, '(' or a marker name")

    def kwargs(self) -> None:
        while True:
            kind, value, _ = self.peek()
            if kind != "ident" or value in _KEYWORDS or not value.isidentifier():
                raise self.fail("a keyword name")
            self.index += 1
            if not self.take("="):
                raise self.fail("'='")
            kind, value, _ = self.peek()
            if not (kind == "string" or re.fullmatch(r"-?\d+|True|False|None", value)):
                raise self.fail("a string, an integer, True, False or None")
            self.index += 1
            if self.take(")"):
                return
            if not self.take(","):
                raise self.fail("',' or ')'")


def problem(expression: str) -> str | None:
    """What is wrong with a -m expression as pytest would parse it, or None."""
    try:
        parser = _Parser(expression)
        if parser.tokens:
            parser.expr()
            if parser.peek()[0] != "eof":
                raise parser.fail("and, or, or the end")
    except ValueError as exc:
        return str(exc)
    return None
