"""End-to-end: a suite's leak check (pytest-memray's limit_leaks on every test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import RunNox, add_config

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

CACHE = '''"""A cache of rendered pages."""

_PAGES: list[bytearray] = []


def render(name: str) -> int:
    page = bytearray(10_000)
    _PAGES.append(page)  # kept for ever: the leak
    return len(page) + len(name)
'''
TESTS = """import re

from sample.pages import render


def test_render() -> None:
    assert render("home") == 10_004


def test_first_calls_are_no_leak() -> None:
    assert re.compile(r"[a-z]+ \\d{2,}").match("abc 12")
"""
SUITE = '[tool.ci_sessions.suites.memory]\npaths = ["memory_tests"]\nleak-limit = "4 KB"\n'


def with_leak_check(project: Path, cache: str) -> Path:
    (project / "src" / "sample" / "pages.py").write_text(cache)
    (project / "memory_tests").mkdir()
    (project / "memory_tests" / "test_pages.py").write_text(TESTS)
    add_config(project, SUITE)
    return project


def test_a_cache_that_leaks_fails_with_its_allocating_stack(sample: Path, run_nox: RunNox) -> None:
    with_leak_check(sample, CACHE)
    result = run_nox(sample, "-s", "memory")
    assert result.returncode != 0, result
    assert "Test was allowed to leak 4.0KiB per location" in result.output
    assert "render:" in result.output and "pages.py:7" in result.output  # the stack, by line
    summary = (sample / "reports" / "summary-memory.md").read_text()
    assert "1 passed, 1 failed." in summary and "test_render" in summary


def test_the_same_code_without_the_leak_passes(sample: Path, run_nox: RunNox) -> None:
    with_leak_check(
        sample, CACHE.replace("    _PAGES.append(page)  # kept for ever: the leak\n", "")
    )
    result = run_nox(sample, "-s", "memory")
    assert result.returncode == 0, result
    assert "2 passed." in (sample / "reports" / "summary-memory.md").read_text()
