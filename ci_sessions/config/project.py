"""Defaults read off the project itself: its Pythons, package and source layout."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import nox.project

# CPython feature releases: when each came out, and its end of life (PEP 602:
# one release a year, in October, and five years of support).
RELEASES: tuple[tuple[str, date, date], ...] = (
    ("3.10", date(2021, 10, 4), date(2026, 10, 31)),
    ("3.11", date(2022, 10, 24), date(2027, 10, 31)),
    ("3.12", date(2023, 10, 2), date(2028, 10, 31)),
    ("3.13", date(2024, 10, 7), date(2029, 10, 31)),
    ("3.14", date(2025, 10, 7), date(2030, 10, 31)),
    ("3.15", date(2026, 10, 1), date(2031, 10, 31)),
)


def released(today: date) -> tuple[str, ...]:
    return tuple(version for version, out, _ in RELEASES if out <= today)


def supported(today: date) -> tuple[str, ...]:
    """The releases out by `today` and not yet at their end of life."""
    return tuple(version for version, out, end in RELEASES if out <= today < end)


def default_pythons(document: Mapping[str, Any], today: date | None = None) -> tuple[str, ...]:
    """The project's classifiers first, then requires-python up to the newest CPython
    released by `today`, else every CPython still supported then.

    nox's reader decides the free-threaded entries: with a "Programming Language :: Python ::
    Free Threading" classifier, `3.14t` and on for every version from 3.14 (3.13t was
    experimental); never without one.
    """
    today = today or date.today()
    for max_version in (None, released(today)[-1]):
        try:
            versions = nox.project.python_versions(dict(document), max_version=max_version)
        except ValueError:
            continue
        if versions:
            return tuple(versions)
    return supported(today)


def past_end_of_life(versions: tuple[str, ...], today: date) -> tuple[tuple[str, date], ...]:
    """The versions of a matrix (3.13t counts as 3.13) whose end of life is before `today`."""
    ends = {version: end for version, _, end in RELEASES}
    language = [(v, v.rstrip("t")) for v in versions]
    return tuple((v, ends[base]) for v, base in language if base in ends and ends[base] < today)


def default_paths(
    root: Path, packages: tuple[str, ...], tests: tuple[str, ...] = ("tests",)
) -> tuple[str, ...]:
    """The packages' source folders (src/ or flat layout) and the test folders (not the
    project root, when that is where the tests are: lint would check everything)."""
    found = [source_dir(root, package) for package in packages]
    paths = [p for p in found if p is not None]
    paths += [test for test in tests if test != "." and (root / test).exists()]
    # Nothing found: fall back to the package names so that lint reports the
    # missing folder by name instead of checking nothing.
    return tuple(paths) if paths else packages


# The reports folder where setuptools would take `reports/` for a package of the project.
FLAT_REPORTS_DIR = "ci-reports"
# Top-level folder names setuptools' flat-layout discovery leaves out (its
# FlatLayoutPackageFinder._EXCLUDE), and any name that is not an identifier.
SETUPTOOLS_EXCLUDED = (
    "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news",
    "newsfragments", "changelog", "test", "tests", "unit_test", "unit_tests", "example",
    "examples", "scripts", "tools", "util", "utils", "python", "build", "dist", "venv",
    "env", "requirements", "tasks", "fabfile", "site_scons", "benchmark", "benchmarks",
    "exercise", "exercises", "htmlcov",
)  # fmt: skip


def setuptools_discovers(root: Path, document: Mapping[str, Any]) -> bool:
    """Whether setuptools finds the packages itself in a flat layout, so that any new
    top-level folder with a package-like name (reports/) becomes a package of the build
    (and two of them fail it: "Multiple top-level packages discovered in a flat-layout").

    True for a setuptools project (its build backend, or a setup.py without a
    build-system) with no src/ folder and no package list of its own ([tool.setuptools]
    packages or py-modules, setup.cfg's, setup.py's packages= or py_modules=).
    """
    backend = str(document.get("build-system", {}).get("build-backend", ""))
    setup_py = root / "setup.py"
    legacy = "build-system" not in document and setup_py.is_file()
    if not (backend.startswith("setuptools") or legacy) or (root / "src").is_dir():
        return False
    tool = document.get("tool", {}).get("setuptools", {})
    if isinstance(tool, Mapping) and ("packages" in tool or "py-modules" in tool):
        return False
    setup_cfg = (
        _ini_section(root / "setup.cfg", "options") if (root / "setup.cfg").is_file() else None
    )
    if setup_cfg and ("packages" in setup_cfg or "py_modules" in setup_cfg):
        return False
    if setup_py.is_file():
        text = setup_py.read_text(encoding="utf-8", errors="replace")
        return re.search(r"\b(packages|py_modules)\s*=", text) is None
    return True


def discovered_as_package(folder: str) -> bool:
    """Whether setuptools' flat-layout discovery would take this top-level folder."""
    top = Path(folder).parts[0] if Path(folder).parts else ""
    return top.isidentifier() and top not in SETUPTOOLS_EXCLUDED and not top.startswith("_")


def source_dir(root: Path, package: str) -> str | None:
    """Where a package's source lives, relative to root (src/ layout first)."""
    relative = package.replace(".", "/")
    for candidate in (f"src/{relative}", relative, f"{relative}.py", f"src/{relative}.py"):
        if (root / candidate).exists():
            return candidate
    return None


def pytest_ini(root: Path, document: Mapping[str, Any]) -> dict[str, Any]:
    """The pytest settings of the file pytest itself would read in the project root.

    pytest takes the first of these that holds its section: pytest.toml,
    .pytest.toml, pytest.ini, .pytest.ini (always, even empty), pyproject.toml
    ([tool.pytest] or [tool.pytest.ini_options]), tox.ini ([pytest]),
    setup.cfg ([tool:pytest]).
    """
    for name in ("pytest.toml", ".pytest.toml"):
        path = root / name
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("pytest", {})
            return dict(data) if isinstance(data, dict) else {}
    for name in ("pytest.ini", ".pytest.ini"):
        path = root / name
        if path.is_file():
            return _ini_section(path, "pytest") or {}
    pytest_table = document.get("tool", {}).get("pytest", {})
    if isinstance(pytest_table, dict) and pytest_table:
        legacy = pytest_table.get("ini_options")
        native = {k: v for k, v in pytest_table.items() if k != "ini_options"}
        return dict(native or (legacy if isinstance(legacy, dict) else {}))
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        if path.is_file():
            found = _ini_section(path, section)
            if found is not None:
                return found
    return {}


def _ini_section(path: Path, section: str) -> dict[str, Any] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None  # pytest will say what is wrong with it
    return dict(parser[section]) if parser.has_section(section) else None
