"""The changes bench/affected.py replays: real ones (a file of the next release) and
mutations injected into the functions they touched. Plain source text in, Changes out.

Mutations, in each function a real change touched, injected into the older release's
version: the first comparison flipped (< to >=, == to !=, in to not in, ...), the first
integer constant plus one, or the first expression statement that is a call replaced by
`pass`; located with `ast`, edited by line and column so that the rest of the file is
byte-identical; a mutant that does not parse, or parses to the same AST, is skipped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Change:
    kind: str  # real | flip | off-by-one | no-call
    path: str  # relative to the project root
    where: str  # file:function (real: the file and the functions it changed)
    text: str | None  # the file's new text; None: the file is removed


def functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and methods (of classes at any depth), by qualified name:
    the units ci-sessions' map is made of."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[prefix + node.name] = node
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def touched(old: str, new: str) -> list[str]:
    """The functions of `old` whose AST differs in `new` (positions ignored)."""
    try:
        before, after = functions(ast.parse(old)), functions(ast.parse(new))
    except SyntaxError:
        return []
    return [
        name
        for name, node in before.items()
        if name in after
        and ast.dump(node, include_attributes=False)
        != ast.dump(after[name], include_attributes=False)
    ]


def real_changes(a: Path, b: Path, source: str, versions: tuple[str, str]) -> list[Change]:
    """One change per .py file of the package that B changed, added or removed."""
    old_files = {p.relative_to(a).as_posix() for p in (a / source).rglob("*.py")}
    new_files = {p.relative_to(b).as_posix() for p in (b / source).rglob("*.py")}
    changes = []
    for path in sorted(old_files | new_files):
        old = (a / path).read_text(encoding="utf-8") if path in old_files else None
        new = (b / path).read_text(encoding="utf-8") if path in new_files else None
        if old == new:
            continue
        if old is not None and new is not None and new.replace(versions[1], versions[0]) == old:
            continue  # only __version__ moved
        names = touched(old, new) if old is not None and new is not None else []
        where = f"{path}:{','.join(names) or '-'}"
        changes.append(Change("real", path, where, new))
    return changes


FLIPS = {
    ast.Lt: ">=", ast.LtE: ">", ast.Gt: "<=", ast.GtE: "<", ast.Eq: "!=", ast.NotEq: "==",
    ast.Is: "is not", ast.IsNot: "is", ast.In: "not in", ast.NotIn: "in",
}  # fmt: skip
OPERATOR = re.compile(rb"not\s+in|is\s+not|==|!=|<=|>=|<|>|\bin\b|\bis\b")


class Text:
    """A source file as bytes (ast's columns are UTF-8 byte offsets), edited by position."""

    def __init__(self, source: str) -> None:
        self.data = source.encode("utf-8")
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def replace(self, start: int, end: int, new: bytes) -> str:
        return (self.data[:start] + new + self.data[end:]).decode("utf-8")


def in_order(node: ast.AST) -> list[ast.expr | ast.stmt]:
    """Every node below `node`, in source order (ast.walk is breadth-first)."""
    nodes = [n for n in ast.walk(node) if isinstance(n, (ast.expr, ast.stmt)) and n is not node]
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))


def flip(text: Text, function: ast.AST) -> str | None:
    for node in in_order(function):
        if isinstance(node, ast.Compare):
            left, right = node.left, node.comparators[0]
            start = text.offset(left.end_lineno or left.lineno, left.end_col_offset or 0)
            end = text.offset(right.lineno, right.col_offset)
            found = OPERATOR.search(text.data, start, end)
            if found is None:
                return None
            return text.replace(found.start(), found.end(), FLIPS[type(node.ops[0])].encode())
    return None


def off_by_one(text: Text, function: ast.AST) -> str | None:
    for node in in_order(function):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            start = text.offset(node.lineno, node.col_offset)
            end = text.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
            return text.replace(start, end, str(node.value + 1).encode())
    return None


def no_call(text: Text, function: ast.AST) -> str | None:
    for node in in_order(function):
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
            # The whole statement's span becomes `pass`: the body keeps a statement.
            start = text.offset(node.lineno, node.col_offset)
            end = text.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
            return text.replace(start, end, b"pass")
    return None


MUTATORS = {"flip": flip, "off-by-one": off_by_one, "no-call": no_call}


def mutations(root: Path, real: list[Change]) -> list[Change]:
    """The mutants of release A's version of every function a real change touched, in a
    round-robin over the functions (one kind each, then the next kind)."""
    per_function: list[list[Change]] = []
    for change in real:
        source = (root / change.path).read_text(encoding="utf-8")
        if change.text is None:
            continue
        tree = ast.parse(source)
        found = functions(tree)
        for name in touched(source, change.text):
            mutants = []
            for kind, mutate in MUTATORS.items():
                mutant = mutate(Text(source), found[name])
                if mutant is None or not _differs(tree, mutant):
                    continue
                mutants.append(Change(kind, change.path, f"{change.path}:{name}", mutant))
            per_function.append(mutants)
    return [m for round_ in _rounds(per_function) for m in round_]


def _differs(tree: ast.Module, mutant: str) -> bool:
    """The mutant parses and is another program."""
    try:
        other = ast.parse(mutant)
    except SyntaxError:
        return False
    return ast.dump(other, include_attributes=False) != ast.dump(tree, include_attributes=False)


def _rounds(lists: list[list[Change]]) -> Iterator[list[Change]]:
    for index in range(max((len(x) for x in lists), default=0)):
        yield [x[index] for x in lists if index < len(x)]


def pick(real: list[Change], mutants: list[Change], cap: int) -> list[Change]:
    """Real changes first, at most half the cap; mutations fill the rest."""
    chosen = real[: max(1, cap // 2)]
    return chosen + mutants[: cap - len(chosen)]
