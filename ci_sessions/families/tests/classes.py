"""A method added to a class, for affected-test selection: which tests it can reach.

A new method changes what an instance of its class, or of a class deriving from it, does
when that name is looked up. So it runs the tests that ran any method of the class or of a
class deriving from it (those are the tests that make and use its instances), and the tests
that ran a method of the same name on any class those classes inherit from (the new method
can override that one, also from a mixin placed before another base). Everything this
cannot see runs the whole suite instead:
- a dunder (`__eq__`, `__getattr__`, ...): Python calls it implicitly, from anywhere;
- a decorated class, or one deriving from a decorated class (a dataclass, `total_ordering`:
  the decorator reads the methods);
- a base that is not a class of the project's measured code (`dict`, a library's class), or
  a class or base that cannot be found by name;
- a class none of whose methods any test ran (its instances may be made and used through
  inherited or generated code the map does not key to it).
Pure: source texts in, a set of tests or the reason for the whole suite out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassInfo:
    path: str
    qualname: str  # "Outer.Inner"
    bases: tuple[str, ...]  # the last name of each base expression ("mod.Base" -> "Base")
    decorated: bool
    resolvable: bool  # every base a plain name or attribute (not a call, a subscript)


def classes_of(path: str, source: str) -> list[ClassInfo]:
    """The classes a module defines at module level and inside classes."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[ClassInfo] = []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                names = [_last_name(base) for base in node.bases]
                found.append(
                    ClassInfo(
                        path,
                        prefix + node.name,
                        tuple(name for name in names if name),
                        bool(node.decorator_list) or bool(node.keywords),
                        all(names),
                    )
                )
                walk(node.body, f"{prefix}{node.name}.")

    walk(tree.body, "")
    return found


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def added_method(
    path: str,
    key: str,
    sources: Iterable[str],
    read: Callable[[str], str],
    runs: Mapping[str, Mapping[str, frozenset[int]]],
) -> frozenset[int] | str:
    """The tests a method added to a class (`key`: "Class.method") can reach, or why the
    whole suite runs. `sources`: the measured code's files; `read`: a file's text now;
    `runs`: file -> function key -> the tests that ran it, from the map."""
    qualname, _, method = key.split("#")[0].rpartition(".")
    if method.startswith("__") and method.endswith("__"):
        return f"{path}: method {qualname}.{method} added, which Python may call implicitly"
    index = [info for source in sources for info in classes_of(source, read(source))]
    by_name: dict[str, list[ClassInfo]] = {}
    for info in index:
        by_name.setdefault(info.qualname.rpartition(".")[2], []).append(info)
    owner = next((i for i in index if i.path == path and i.qualname == qualname), None)
    if owner is None:
        return f"{path}: method {qualname}.{method} added, in a class not found"
    family = [owner, *_descendants(owner, index, by_name)]
    # What the new method may override: the same name on any class a class of the family
    # inherits from (a mixin's new method comes before another base's in a subclass's MRO).
    bases: list[ClassInfo] = []
    for member in family:
        found, problem = _ancestors(member, by_name)
        if problem:
            return f"{path}: method {qualname}.{method} added, and {problem}"
        bases += [base for base in found if base not in bases and base not in family]
    reached: set[int] = set()
    for info in family:
        for name, tests in runs.get(info.path, {}).items():
            if name.split("#")[0].rpartition(".")[0] == info.qualname:
                reached |= tests
    if not reached:
        return (
            f"{path}: method {qualname}.{method} added to a class none of whose methods a "
            "test ran"
        )
    for base in bases:
        for name, tests in runs.get(base.path, {}).items():
            if name.split("#")[0] == f"{base.qualname}.{method}":
                reached |= tests
    return frozenset(reached)


def _ancestors(
    owner: ClassInfo, by_name: Mapping[str, list[ClassInfo]]
) -> tuple[list[ClassInfo], str]:
    """Every class it inherits from, in the project; or what keeps them from being known."""
    found: list[ClassInfo] = []
    pending = [owner]
    while pending:
        current = pending.pop()
        if current.decorated:
            return [], f"{current.qualname} is decorated (the decorator may read its methods)"
        if not current.resolvable:
            return [], f"{current.qualname} has a base that is not a plain name"
        for name in current.bases:
            if name == "object":
                continue
            matches = by_name.get(name, [])
            if len(matches) != 1:
                where = "outside the measured code" if not matches else "defined twice"
                return [], f"its base {name} is {where}"
            if matches[0] not in found:
                found.append(matches[0])
                pending.append(matches[0])
    return found, ""


def _descendants(
    owner: ClassInfo, index: Iterable[ClassInfo], by_name: Mapping[str, list[ClassInfo]]
) -> list[ClassInfo]:
    """Every class of the project deriving from it, directly or not (by base name)."""
    name = owner.qualname.rpartition(".")[2]
    found: list[ClassInfo] = []
    pending = [name]
    candidates = list(index)
    while pending:
        current = pending.pop()
        for info in candidates:
            if current in info.bases and info not in found and info != owner:
                found.append(info)
                pending.append(info.qualname.rpartition(".")[2])
    return found
