"""The project-wide keys' computed defaults: each a function of the project, named by the
key that declares it (``setting(computed=...)``) and run only when the key is not given.

A ValueError says why no default could be found; the loader names the key and the file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ci_sessions.config import backends, discover, own_ci, values
from ci_sessions.config.project import (
    FLAT_REPORTS_DIR,
    default_paths,
    default_pythons,
    past_end_of_life,
    pytest_ini,
    setuptools_discovers,
)
from ci_sessions.config.schema import Project


def python(project: Project) -> tuple[str, ...]:
    """The Pythons the project's own CI tests (tox envs, workflow matrices), else its
    classifiers, else requires-python (or Poetry's python) up to the newest CPython
    released; versions older than 3.10 left out, with a note."""
    own = own_ci.read(project.root, project.document).pythons()
    if own is not None:
        project.note(f"python = {values.toml(list(own[0]))}: what {own[1]} tests")
    found = own[0] if own is not None else default_pythons(_with_poetry_python(project.document))
    threaded = [version for version in found if version.endswith("t")]
    if own is None and threaded:
        project.note(
            f"python: {', '.join(threaded)} (free-threaded) too, as the classifiers declare "
            "free-threading support; each runs with python<version>t (locally: uv python "
            f"install {threaded[-1]})"
        )
    kept = tuple(version for version in found if not values.too_old_python(version))
    if len(kept) < len(found):
        dropped = ", ".join(v for v in found if v not in kept)
        project.note(
            f"the project supports {dropped} too: left out of the matrix, as the sessions' "
            "tools (pytest 9) need Python 3.10 or newer"
        )
    if not kept:
        raise ValueError(
            f"the project supports only {', '.join(found)}, older than 3.10, which pytest 9 "
            "needs; test it with another tool"
        )
    for version, end in past_end_of_life(kept, date.today()):
        project.note(
            f"python: {version} reached its end of life on {end.isoformat()}; it stays in "
            "the matrix while the project declares it (requires-python, classifiers)"
        )
    return kept


def _with_poetry_python(document: Any) -> Any:
    """A Poetry project's Python constraint stands for requires-python where that is missing."""
    project = document.get("project", {})
    constraint = discover.poetry_python(document)
    if constraint is None or project.get("requires-python"):
        return document
    return {**document, "project": {**project, "requires-python": constraint}}


def packages(project: Project) -> tuple[str, ...]:
    """What the build backend ships (hatch, setuptools, flit, Poetry, coverage's
    source_pkgs), else the project's name as an import name."""
    found = backends.import_packages(project.document)
    if found is None:
        raise ValueError(
            "not set, and neither the build backend's table nor [project].name or "
            '[tool.poetry] name names one; set package = "your_import_name"'
        )
    names, source = found
    if source not in ("[project].name",):
        project.note(f"package = {values.toml(list(names))}: from {source}")
    return names


def test_paths(project: Project) -> tuple[str, ...]:
    return discover.test_paths(project.root, pytest_ini(project.root, project.document))


def paths(project: Project) -> tuple[str, ...]:
    return default_paths(project.root, project.value("packages"), project.value("test_paths"))


def test_extras(project: Project) -> tuple[str, ...]:
    return discover.test_extras(project.document)


def test_groups(project: Project) -> tuple[str, ...]:
    return discover.test_groups(project.document)


def test_requirements(project: Project) -> tuple[str, ...]:
    chosen = discover.requirement_files(project.root)
    variants = discover.requirement_variants(project.root)
    if variants:
        project.note(
            f"test requirements: {', '.join(chosen) or 'none of them'} installed; "
            f"{', '.join(variants)} left out as alternatives (set test-requirements to choose)"
        )
    return chosen


def reports_dir(project: Project) -> str:
    """reports, except where setuptools would take that folder for a package of the build."""
    if setuptools_discovers(project.root, project.document):
        return FLAT_REPORTS_DIR
    return "reports"
