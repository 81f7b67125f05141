"""Finding what a project's tests need where projects declare it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.config import discover


def test_extras_and_groups_named_for_tests() -> None:
    document = {
        "project": {"optional-dependencies": {"docs": [], "testing": ["pytest"]}},
        "dependency-groups": {"lint": [], "test": ["pytest"]},
    }
    assert discover.test_extras(document) == ("testing",)
    assert discover.test_groups(document) == ("test",)
    assert discover.test_groups({"dependency-groups": {"dev": ["pytest"]}}) == ("dev",)
    assert discover.test_groups({"dependency-groups": {"dev": [], "docs": []}}) == ()


def test_requirements_files(tmp_path: Path) -> None:
    for name in ("requirements-tests.txt", "requirements/testing.txt", "tests/requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("pytest\n")
    (tmp_path / "requirements.txt").write_text("requests\n")  # the runtime's, not the tests'
    assert discover.requirement_files(tmp_path) == (
        "requirements-tests.txt",
        "requirements/testing.txt",
        "tests/requirements.txt",
    )
    assert discover.requirement_variants(tmp_path) == ()


def test_variants_of_the_test_requirements_are_alternatives_not_additions(
    tmp_path: Path,
) -> None:
    # Flask 3.1.0: tests-dev.txt pins werkzeug from git, tests-min.txt the oldest versions.
    (tmp_path / "requirements").mkdir()
    for name in ("tests.txt", "tests-dev.txt", "tests-min.txt", "tests.in"):
        (tmp_path / "requirements" / name).write_text("pytest\n")
    assert discover.requirement_files(tmp_path) == ("requirements/tests.txt",)
    assert discover.requirement_variants(tmp_path) == (
        "requirements/tests-dev.txt",
        "requirements/tests-min.txt",
    )
    (tmp_path / "requirements" / "tests.txt").unlink()
    assert discover.requirement_files(tmp_path) == ()  # which one is the user's choice
    (tmp_path / "requirements" / "tests-dev.txt").unlink()
    assert discover.requirement_files(tmp_path) == ("requirements/tests-min.txt",)
    (tmp_path / "test-requirements.txt").write_text("pytest\n")  # sniffio's name
    assert discover.requirement_files(tmp_path) == ("test-requirements.txt",)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("^7.2", "pytest>=7.2,<8.0"),
        ("^0.2.3", "pytest>=0.2.3,<0.3.0"),
        ("~1.2", "pytest>=1.2,<1.3"),
        ("~1.2.3", "pytest>=1.2.3,<1.3.0"),
        (">=7,<9", "pytest>=7,<9"),
        ("7.4.0", "pytest==7.4.0"),
        ("*", "pytest"),
        ({"version": "^2.0", "extras": ["toml"]}, "pytest[toml]>=2.0,<3.0"),
        ({"git": "https://example.invalid/x.git"}, None),
    ],
)
def test_poetry_requirements_as_pep_508(spec: object, expected: str | None) -> None:
    assert discover.poetry_requirement("pytest", spec) == expected


def test_poetry_groups_for_tests_and_its_python() -> None:
    document = {
        "tool": {
            "poetry": {
                "dependencies": {"python": "^3.10"},
                "group": {
                    "test": {"dependencies": {"pytest": "^8.0", "local": {"path": "../x"}}},
                    "docs": {"dependencies": {"sphinx": "*"}},
                },
            }
        }
    }
    requirements, skipped = discover.poetry_test_requirements(document)
    assert requirements == ["pytest>=8.0,<9.0"]
    assert skipped == ["test: local"]
    assert discover.poetry_python(document) == ">=3.10,<4.0"


def test_test_paths_follow_pytest_then_the_usual_folders(tmp_path: Path) -> None:
    (tmp_path / "testing").mkdir()
    assert discover.test_paths(tmp_path, {"testpaths": ["testing"]}) == ("testing",)
    assert discover.test_paths(tmp_path, {"testpaths": "testing"}) == ("testing",)
    assert discover.test_paths(tmp_path, {}) == (".",)  # pytest's own default: the root
    (tmp_path / "test").mkdir()
    assert discover.test_paths(tmp_path, {}) == ("test",)


def test_what_the_type_checkers_need_is_found_where_projects_keep_it(tmp_path: Path) -> None:
    document = {"dependency-groups": {"typing": ["mypy"], "tests": [], "docs": []}}
    assert discover.lint_groups(document) == ("typing",)
    assert discover.lint_groups({}) == ()
    assert discover.lint_requirement_files(tmp_path) == ()
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "typing.txt").write_text("mypy==1.13.0\n")  # Flask 3.1.0
    (tmp_path / "requirements" / "tests.txt").write_text("pytest\n")
    assert discover.lint_requirement_files(tmp_path) == ("requirements/typing.txt",)
    assert discover.requirement_files(tmp_path) == ("requirements/tests.txt",)
