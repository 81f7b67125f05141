"""What a project's tests need, found where projects declare it (plain functions).

A project whose own CI is green already says what its tests install: an extra
or a PEP 735 group named for tests, a requirements file, a Poetry group. The
test-extras, test-groups and test-requirements defaults come from here, so
that a first `nox` needs no hand-written line; and the lint tool versions a
.pre-commit-config.yaml pins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TEST_NAMES = ("test", "tests", "testing")
# What the type checkers need (stubs, plugins), by the names projects give it:
# Flask's `typing` group, or its older requirements/typing.txt.
LINT_NAMES = ("typing", "types", "lint", "mypy")
LINT_REQUIREMENT_GLOBS = (
    "requirements/typing*.txt",
    "requirements/lint*.txt",
    "requirements-typing*.txt",
    "requirements-lint*.txt",
)
REQUIREMENT_GLOBS = (
    "requirements-test*.txt",
    "test-requirements*.txt",
    "requirements/test*.txt",
    "tests/requirements*.txt",
)


def _named_for_tests(names: list[str]) -> tuple[str, ...]:
    """The names meant for tests; `dev` when it is the only one there is."""
    found = tuple(name for name in names if name in TEST_NAMES)
    if not found and names == ["dev"]:
        return ("dev",)
    return found


def test_extras(document: Mapping[str, Any]) -> tuple[str, ...]:
    extras = document.get("project", {}).get("optional-dependencies", {})
    return _named_for_tests(list(extras)) if isinstance(extras, dict) else ()


def test_groups(document: Mapping[str, Any]) -> tuple[str, ...]:
    groups = document.get("dependency-groups", {})
    return _named_for_tests(list(groups)) if isinstance(groups, dict) else ()


def lint_groups(document: Mapping[str, Any]) -> tuple[str, ...]:
    groups = document.get("dependency-groups", {})
    return tuple(name for name in groups if name in LINT_NAMES) if isinstance(groups, dict) else ()


def test_paths(root: Path, pytest_ini: Mapping[str, Any]) -> tuple[str, ...]:
    """Where the tests are: pytest's own `testpaths`, else a tests/ or test/ folder, else
    the project root (pytest's own default: it collects test_*.py wherever they are)."""
    configured = pytest_ini.get("testpaths")
    if isinstance(configured, str):
        configured = configured.split()
    if isinstance(configured, list) and configured:
        found = tuple(str(path) for path in configured if (root / str(path)).exists())
        if found:
            return found
    for folder in ("tests", "test"):
        if (root / folder).is_dir():
            return (folder,)
    return (".",)


# The names of a project's test requirements file proper. Beside it, files such
# as tests-min.txt (the oldest versions) or tests-dev.txt (unreleased
# dependencies, from git) are alternatives to it, not additions (Flask has all three).
def _plain_stems(names: tuple[str, ...]) -> set[str]:
    return {
        "requirements",  # tests/requirements.txt
        *names,
        *(f"requirements-{name}" for name in names),
        *(f"{name}-requirements" for name in names),
    }


def _requirement_candidates(root: Path, globs: tuple[str, ...]) -> list[str]:
    return sorted({p.relative_to(root).as_posix() for g in globs for p in root.glob(g)})


def requirement_files(
    root: Path, globs: tuple[str, ...] = REQUIREMENT_GLOBS, names: tuple[str, ...] = TEST_NAMES
) -> tuple[str, ...]:
    """Requirements files for the tests (or, given LINT_*, the type checkers),
    project-relative, in a stable order: the plain ones when there are any, else a
    single variant; several variants alone are a choice left to the user (see
    requirement_variants)."""
    found = _requirement_candidates(root, globs)
    plain = [path for path in found if Path(path).stem in _plain_stems(names)]
    if plain:
        return tuple(plain)
    return tuple(found) if len(found) == 1 else ()


def requirement_variants(root: Path) -> tuple[str, ...]:
    """The test requirements files requirement_files leaves out, to be named in a note."""
    chosen = set(requirement_files(root))
    return tuple(
        path for path in _requirement_candidates(root, REQUIREMENT_GLOBS) if path not in chosen
    )


def lint_requirement_files(root: Path) -> tuple[str, ...]:
    return requirement_files(root, LINT_REQUIREMENT_GLOBS, LINT_NAMES)


def poetry_groups(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Poetry's dependency groups ([tool.poetry.group.<name>.dependencies]), and its
    older dev-dependencies table as the group `dev`."""
    poetry = document.get("tool", {}).get("poetry", {})
    if not isinstance(poetry, dict):
        return {}
    groups = {
        name: table.get("dependencies", {})
        for name, table in poetry.get("group", {}).items()
        if isinstance(table, dict)
    }
    if isinstance(poetry.get("dev-dependencies"), dict):
        groups.setdefault("dev", poetry["dev-dependencies"])
    return groups


def poetry_test_requirements(document: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(PEP 508 requirements of the Poetry groups meant for tests, what was left out)."""
    groups = poetry_groups(document)
    requirements: list[str] = []
    skipped: list[str] = []
    for group in _named_for_tests(list(groups)):
        for name, spec in groups[group].items():
            converted = poetry_requirement(name, spec)
            (requirements if converted else skipped).append(converted or f"{group}: {name}")
    return requirements, skipped


def poetry_requirement(name: str, spec: Any) -> str | None:
    """Poetry's `pytest = "^7.2"` as PEP 508 (`pytest>=7.2,<8.0`); None for a git or path
    dependency, which a requirement string cannot name portably."""
    extras = ""
    if isinstance(spec, dict):
        if not {"git", "path", "url"}.isdisjoint(spec):
            return None
        if spec.get("extras"):
            extras = "[" + ",".join(spec["extras"]) + "]"
        spec = spec.get("version", "*")
    if not isinstance(spec, str):
        return None
    constraint = ",".join(filter(None, (poetry_constraint(part) for part in spec.split(","))))
    return f"{name}{extras}{constraint}"


def poetry_constraint(text: str) -> str:
    """One Poetry constraint as PEP 440: ^1.2.3 -> >=1.2.3,<2.0.0; ~1.2 -> >=1.2,<1.3."""
    text = text.strip()
    if text in ("", "*"):
        return ""
    if text[0] in "^~" and not text.startswith("~="):
        release = [int(part) for part in re.findall(r"\d+", text)]
        if text[0] == "^":
            # The first non-zero component may not change (^0.2.3 -> <0.3.0).
            index = next((i for i, part in enumerate(release) if part), len(release) - 1)
        else:
            index = min(1, len(release) - 1) if len(release) > 1 else 0
        upper = release[: index + 1]
        upper[-1] += 1
        upper += [0] * (len(release) - len(upper))
        lower = ".".join(map(str, release))
        return f">={lower},<{'.'.join(map(str, upper))}"
    if re.fullmatch(r"\d+(\.\d+)*(\.\*)?", text):
        return f"=={text}"
    return text.replace(" ", "")


def poetry_python(document: Mapping[str, Any]) -> str | None:
    """Poetry's own Python constraint ([tool.poetry.dependencies] python), as PEP 440."""
    python = document.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    if not isinstance(python, str):
        return None
    return ",".join(filter(None, (poetry_constraint(part) for part in python.split(","))))


# pre-commit hook repositories whose `rev` is the version of a tool ci-sessions runs.
PRE_COMMIT_TOOLS: dict[str, str] = {
    "astral-sh/ruff-pre-commit": "ruff",
    "charliermarsh/ruff-pre-commit": "ruff",
    "psf/black": "black",
    "psf/black-pre-commit-mirror": "black",
    "pre-commit/mirrors-mypy": "mypy",
    "RobertCraigie/pyright-python": "pyright",
}


def pre_commit(root: Path) -> tuple[dict[str, str], set[str]]:
    """(tool -> the version the project's .pre-commit-config.yaml pins, the hook ids it runs).

    The project's CI runs those very versions; ci-sessions' lint must too, or a
    newer ruff's wider defaults make a first run red on clean code.
    """
    path = root / ".pre-commit-config.yaml"
    try:
        found = path.stat()
    except OSError:
        return {}, set()
    versions, hooks = _pre_commit(str(path), found.st_mtime_ns, found.st_size)
    return dict(versions), set(hooks)


@functools.lru_cache(maxsize=8)
def _pre_commit(path: str, mtime_ns: int, size: int) -> tuple[dict[str, str], frozenset[str]]:
    """The file read once per process and version of it (the configuration and lint's
    choice ask four times; parsing YAML is a twentieth of a second on a real project)."""
    import yaml

    try:
        # libyaml's loader where PyYAML has it: the same document, several times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        text = Path(path).read_text(encoding="utf-8")
        document = yaml.load(text, Loader=loader) or {}  # nosec B506: a safe loader, above
    except yaml.YAMLError:
        return {}, frozenset()
    versions: dict[str, str] = {}
    hooks: set[str] = set()
    for repo in document.get("repos", []) if isinstance(document, dict) else []:
        if not isinstance(repo, dict):
            continue
        hooks.update(str(h.get("id")) for h in repo.get("hooks", []) if isinstance(h, dict))
        url = str(repo.get("repo", "")).removesuffix(".git")
        tool = next((t for name, t in PRE_COMMIT_TOOLS.items() if url.endswith(name)), None)
        if tool and repo.get("rev"):
            versions[tool] = "==" + str(repo["rev"]).removeprefix("v")
    return versions, frozenset(hooks)
