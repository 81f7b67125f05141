"""GitHub Actions expressions, evaluated as a runner evaluates them: the `if:` of jobs and
steps, `${{ ... }}` in values, and matrix axes written as expressions.

Pure: an expression and a context (github, inputs, needs, matrix, steps, ...) in, a value
out. The operators, literals, property access (`a.b`, `a['b']`, `needs.*.result`) and the
functions GitHub documents are understood: `&&` and `||` return an operand as GitHub's do
(`cond && 'x' || 'y'`), `==` compares strings without case and coerces the rest to
numbers. `hashFiles` reads files and is not here: an expression naming it, or a function
or context this module does not know, is an ExpressionError saying so, never a guess.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|\[|\]|,|\.|\*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class ExpressionError(ValueError):
    """An expression this evaluator cannot read or does not support; the message says which."""


@dataclass(frozen=True)
class Status:
    """What the status functions see: whether a dependency (or an earlier step) failed,
    whether the run was cancelled, and whether a job needed was skipped (success() is then
    false: a job after a skipped one is skipped unless its `if:` says otherwise)."""

    failed: bool = False
    cancelled: bool = False
    skipped: bool = False

    @property
    def succeeded(self) -> bool:
        return not (self.failed or self.cancelled or self.skipped)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"cannot read {text!r} at column {position + 1}")
        kind = match.lastgroup or ""
        found.append((kind, match[kind]))
        position = match.end()
    return found


def to_text(value: Any) -> str:
    """A value as GitHub puts it into a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "", 0.0)


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    return _number(left) == _number(right)


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(item, needle) for item in haystack)
    return to_text(needle).casefold() in to_text(haystack).casefold()


def _format(template: Any, *args: Any) -> str:
    def substitute(match: re.Match[str]) -> str:
        return to_text(args[int(match[1])])

    return re.sub(r"\{(\d+)\}", substitute, to_text(template)).replace("{{", "{").replace("}}", "}")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda a, b: to_text(a).casefold().startswith(to_text(b).casefold()),
    "endswith": lambda a, b: to_text(a).casefold().endswith(to_text(b).casefold()),
    "format": _format,
    "join": lambda items, sep=",": (
        to_text(sep).join(to_text(i) for i in items) if isinstance(items, list) else to_text(items)
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(to_text(text)),
}


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: Status) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.context = context
        self.status = status

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, value: str) -> bool:
        if self.peek() == ("op", value):
            self.at += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.take(value):
            raise ExpressionError(f"expected {value!r} in {self.text!r}, got {self.peek()[1]!r}")

    def either(self) -> Any:
        left = self.both()
        while self.take("||"):
            right = self.both()
            left = left if truthy(left) else right
        return left

    def both(self) -> Any:
        left = self.compared()
        while self.take("&&"):
            right = self.compared()
            left = right if truthy(left) else left
        return left

    def compared(self) -> Any:
        left = self.unary()
        for operator in ("==", "!=", "<=", ">=", "<", ">"):
            if self.take(operator):
                right = self.unary()
                if operator == "==":
                    return _equal(left, right)
                if operator == "!=":
                    return not _equal(left, right)
                a, b = _number(left), _number(right)
                return {"<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b}[operator]
        return left

    def unary(self) -> Any:
        if self.take("!"):
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, value = self.peek()
        self.at += 1
        if kind == "number":
            return _number(value)
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "op" and value == "(":
            inner = self.either()
            self.expect(")")
            return inner
        if kind == "name":
            lowered = value.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            if lowered == "null":
                return None
            if self.take("("):
                return self.call(lowered)
            if value not in self.context:
                raise ExpressionError(f"the context {value!r} of {self.text!r} is not known here")
            return self.context[value]
        raise ExpressionError(f"cannot read {self.text!r} at {value!r}")

    def call(self, name: str) -> Any:
        args: list[Any] = []
        if not self.take(")"):
            args.append(self.either())
            while self.take(","):
                args.append(self.either())
            self.expect(")")
        statuses = {
            "always": True,
            "success": self.status.succeeded,
            "failure": self.status.failed,
            "cancelled": self.status.cancelled,
        }
        if name in statuses:
            return statuses[name]
        if name not in FUNCTIONS:
            raise ExpressionError(f"the function {name}() of {self.text!r} is not evaluated here")
        return FUNCTIONS[name](*args)

    def postfix(self, value: Any) -> Any:
        while True:
            if self.take("."):
                kind, name = self.peek()
                self.at += 1
                if (kind, name) == ("op", "*"):
                    value = list(value.values()) if isinstance(value, dict) else list(value or [])
                    value = _Filtered(value)
                elif kind == "name":
                    value = _member(value, name)
                else:
                    raise ExpressionError(f"cannot read {self.text!r} after '.'")
            elif self.take("["):
                key = self.either()
                self.expect("]")
                value = _member(value, to_text(key))
            else:
                return value.items if isinstance(value, _Filtered) else value


class _Filtered:
    """`a.*`: each item, whose next member is taken from every one of them."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _member(value: Any, name: str) -> Any:
    if isinstance(value, _Filtered):
        return _Filtered([_member(item, name) for item in value.items])
    if isinstance(value, dict):
        # Context keys are matched without case, as GitHub matches them.
        for key, item in value.items():
            if key.casefold() == name.casefold():
                return item
        return None
    return None


def evaluate(text: str, context: Mapping[str, Any], status: Status = Status()) -> Any:
    """An expression's value (without its `${{ }}`)."""
    parser = _Parser(text, context, status)
    value = parser.either()
    if parser.at != len(parser.tokens):
        raise ExpressionError(f"cannot read {text!r}: {parser.peek()[1]!r} left over")
    return value


def condition(text: str | None, context: Mapping[str, Any], status: Status = Status()) -> bool:
    """An `if:` as GitHub reads it: `${{ }}` optional; with no status function in it, an
    implied `success() && (...)`."""
    if text is None:
        return status.succeeded
    inner = text.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    uses_status = re.search(r"\b(always|success|failure|cancelled)\s*\(", inner) is not None
    value = truthy(evaluate(inner, context, status))
    return value if uses_status else value and status.succeeded


def render(text: str, context: Mapping[str, Any], status: Status = Status()) -> str:
    """A value with each `${{ ... }}` replaced by what it evaluates to."""
    return _TEMPLATE.sub(lambda m: to_text(evaluate(m[1], context, status)), text)


def value(text: Any, context: Mapping[str, Any]) -> Any:
    """A YAML value that may be a whole expression (`${{ fromJSON(...) }}`): its value;
    any other value as it is (strings rendered)."""
    if not isinstance(text, str):
        return text
    whole = text.strip()
    if whole.startswith("${{") and whole.endswith("}}") and whole.count("${{") == 1:
        return evaluate(whole[3:-2], context)
    return render(text, context)
