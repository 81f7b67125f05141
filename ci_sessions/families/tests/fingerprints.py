"""What a Python source file is made of, for affected-test selection: its functions one by
one, and the rest (the module-level code that runs at import).

A function's fingerprint is its AST without positions (decorators, arguments, body), so a
change of comments, blank lines or of its place in the file is no change, and any edit of
what it runs is. Docstrings are kept apart (a change of one alone runs nothing, unless the
project runs doctests or reads `__doc__`). The skeleton is the module with every function
and method taken out: imports, constants, class bodies. Pure: source text in, plain data
out.
"""

from __future__ import annotations

import ast
import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Function:
    digest: str  # its code, docstring left out
    first: int  # the lines its body spans: the lines a test that ran it executed
    last: int
    doc: str = ""  # its docstring's digest ("" without one)
    reads: frozenset[str] = frozenset()  # names and attributes its body reads


@dataclass(frozen=True)
class FileFingerprint:
    skeleton: str
    functions: dict[str, Function] = field(default_factory=dict)  # qualified name ->
    # Names the module level binds (imports, assignments, classes): a new function
    # with one of these names replaces what was there.
    bound: frozenset[str] = frozenset()
    # Whether the module star-imports: a new function may then replace a name it brought.
    star: bool = False
    docs: str = ""  # the module's and its classes' docstrings, one digest
    # Module-level constants (`NAME = value`), each its own digest, outside the skeleton:
    # a changed one runs the tests of the functions that read it.
    constants: dict[str, str] = field(default_factory=dict)
    # Names read at import (module-level statements, class bodies, a constant's value,
    # decorators and default arguments): a constant read there runs the whole suite.
    module_reads: frozenset[str] = frozenset()


def _digest(node: ast.AST) -> str:
    return hashlib.blake2b(
        ast.dump(node, include_attributes=False).encode(), digest_size=8
    ).hexdigest()


def _without_docstring(body: list[ast.stmt]) -> tuple[str, list[ast.stmt]]:
    """(the docstring, the body without it)."""
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first.value.value, body[1:]
    return "", body


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest() if text else ""


def names_read(nodes: list[ast.AST]) -> frozenset[str]:
    """The names and attribute names these nodes read (`LIMIT`, `shapes.LIMIT`)."""
    found: set[str] = set()
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                found.add(inner.id)
            elif isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Load):
                found.add(inner.attr)
    return frozenset(found)


def _at_definition(node: FunctionNode) -> list[ast.AST]:
    """What a `def` evaluates at import: decorators, defaults, annotations."""
    arguments = node.args
    everything = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    everything += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return [
        *node.decorator_list,
        *arguments.defaults,
        *[d for d in arguments.kw_defaults if d is not None],
        *[a.annotation for a in everything if a.annotation is not None],
        *([node.returns] if node.returns is not None else []),
    ]


def _split(
    body: list[ast.stmt],
    prefix: str,
    functions: dict[str, Function],
    docs: list[str],
    at_import: list[ast.AST],
) -> list[ast.stmt]:
    """The statements of a module or class body without its functions (collected into
    `functions`) and docstrings (into `docs`), classes kept with their own bodies split the
    same way."""
    doc, body = _without_docstring(body)
    docs.append(doc)
    kept: list[ast.stmt] = []
    for node in body:
        if isinstance(node, FunctionNode):
            text, code = _without_docstring(node.body)
            bare = copy.copy(node)
            bare.body = code or [ast.Pass()]
            functions[_key(prefix + node.name, functions)] = Function(
                _digest(bare),
                node.body[0].lineno,
                node.end_lineno or node.body[-1].lineno,
                _text_digest(text),
                names_read(list(code)),
            )
            at_import += _at_definition(node)
            # Its place stays in the skeleton: a function that moves is the same, one
            # that is added or removed is seen by name (new_functions, removed).
            continue
        if isinstance(node, ast.ClassDef):
            node = ast.ClassDef(
                name=node.name,
                bases=node.bases,
                keywords=node.keywords,
                body=_split(node.body, f"{prefix}{node.name}.", functions, docs, at_import)
                or [ast.Pass()],
                decorator_list=node.decorator_list,
                type_params=getattr(node, "type_params", []),
            )
        kept.append(node)
    return kept


def _key(name: str, functions: dict[str, Function]) -> str:
    """A name defined again in the same scope (a property's setter, a singledispatch `_`)
    is an entry of its own, `name#2`: the map keeps each definition's lines and tests."""
    if name not in functions:
        return name
    count = 2
    while f"{name}#{count}" in functions:
        count += 1
    return f"{name}#{count}"


def _bound_names(body: list[ast.stmt]) -> frozenset[str]:
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        else:
            for target in ast.walk(node):
                if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store):
                    names.add(target.id)
    return frozenset(names)


def fingerprint(source: str) -> FileFingerprint | None:
    """The file's functions and skeleton; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    functions: dict[str, Function] = {}
    docs: list[str] = []
    at_import: list[ast.AST] = []
    kept = _split(tree.body, "", functions, docs, at_import)
    constants: dict[str, str] = {}
    rest: list[ast.stmt] = []
    for node in kept:
        found = _constant(node)
        if found is None:
            rest.append(node)
            continue
        names, value = found
        constants.update((name, _digest(node)) for name in names)
        at_import.append(value)  # its value is computed at import
    skeleton = _digest(ast.Module(body=rest, type_ignores=[]))
    star = any(
        isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
        for node in kept
    )
    return FileFingerprint(
        skeleton,
        functions,
        _bound_names(kept),
        star,
        _text_digest("\0".join(docs)),
        constants,
        names_read([*rest, *at_import]),
    )


def _constant(node: ast.stmt) -> tuple[list[str], ast.expr] | None:
    """(the names, the value) of a module-level `NAME = value` or `NAME: T = value`; None
    for any other statement (a tuple target, an augmented assignment, an import...)."""
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return [node.target.id], node.value
    return None


def star_imports(source: str) -> frozenset[str]:
    """The modules a file star-imports (`from x import *`, relative ones with their dots)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return frozenset()
    return frozenset(
        "." * node.level + (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    )


def to_document(found: FileFingerprint) -> dict[str, object]:
    return {
        "skeleton": found.skeleton,
        "bound": sorted(found.bound),
        "star": found.star,
        "docs": found.docs,
        "constants": dict(sorted(found.constants.items())),
        "module_reads": sorted(found.module_reads),
        "functions": {
            name: [f.digest, f.first, f.last, f.doc, sorted(f.reads)]
            for name, f in sorted(found.functions.items())
        },
    }


def from_document(document: dict[str, Any]) -> FileFingerprint:
    functions = document.get("functions", {})
    if not isinstance(functions, dict):
        raise ValueError("functions: expected a table")
    bound = document.get("bound", [])
    constants = document.get("constants", {})
    reads = document.get("module_reads", [])
    return FileFingerprint(
        str(document["skeleton"]),
        {
            name: Function(str(d), int(a), int(b), str(doc), frozenset(reads))
            for name, (d, a, b, doc, reads) in functions.items()
        },
        frozenset(bound if isinstance(bound, list) else ()),
        bool(document.get("star", False)),
        str(document.get("docs", "")),
        {str(k): str(v) for k, v in constants.items()} if isinstance(constants, dict) else {},
        frozenset(str(name) for name in reads) if isinstance(reads, list) else frozenset(),
    )
