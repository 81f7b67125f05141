"""What pytest leaves out of a unittest suite: `load_tests()`, the unittest protocol that
adds tests at load time (doctests, generated cases), is never called by pytest. The tests
session says so, loudly, rather than passing on fewer tests than the project runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

LOAD_TESTS = re.compile(r"^def load_tests\(", re.MULTILINE)


def load_tests_modules(root: Path, test_paths: Sequence[str]) -> list[str]:
    """The test modules under test_paths that define a module-level `load_tests()`."""
    found: set[str] = set()
    for base in test_paths:
        start = root / base
        files = (
            [start] if start.is_file() else sorted(start.rglob("*.py")) if start.is_dir() else []
        )
        for path in files:
            if ".nox" in path.parts or "site-packages" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if LOAD_TESTS.search(text):
                found.add(path.relative_to(root).as_posix())
    return sorted(found)


def warning(modules: Sequence[str]) -> str:
    return (
        f"{', '.join(modules)} define load_tests(), which pytest never calls: the tests it "
        "adds (doctests, generated cases) do not run here; run them under pytest "
        '(`pytest-args = ["--doctest-modules"]`, parametrize) or with `python -m unittest`'
    )
