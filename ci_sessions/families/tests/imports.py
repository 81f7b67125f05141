"""Who imports a project module by name (`from pk.shapes import LIMIT`, `from . import *`),
for affected-test selection: a new or changed module-level name reaches the modules that
import it that way. Pure: file names and a reader in, the imports out."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath


def _module(path: str) -> tuple[str, str]:
    """(its dotted name without a `src/` folder, its last part) for a module's path."""
    parts = [p for p in PurePosixPath(path).with_suffix("").parts if p != "src"]
    dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return dotted, parts[-1]


def imports_of(
    path: str, files: Iterable[str], read: Callable[[str], str]
) -> Iterator[tuple[str, str, str]]:
    """(file, name, alias) for each `from <the module at path> import name [as alias]` in
    the other Python files (`*` for a star import); relative imports of a sibling count."""
    dotted, last = _module(path)
    for other in files:
        if not other.endswith(".py") or other == path:
            continue
        try:
            tree = ast.parse(read(other))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            package = last == "__init__" and not module  # `from . import *` of a package
            if (node.level == 0 and module == dotted) or (
                node.level > 0 and (module == last or package)
            ):
                for alias in node.names:
                    yield other, alias.name, alias.asname or alias.name
