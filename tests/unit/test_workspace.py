"""uv workspaces: members, their dependencies on each other, what a change reaches."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from ci_sessions import workspace
from ci_sessions.workspace import Member

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "workspace"


def fixture_members(tmp_path: Path) -> tuple[Member, ...]:
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURE, root)
    return workspace.members(root, tomllib.loads((root / "pyproject.toml").read_text()))


def test_the_fixture_s_members_and_their_dependencies(tmp_path: Path) -> None:
    assert fixture_members(tmp_path) == (
        Member("ws-app", "packages/app", ("ws-core",)),
        Member("ws-cli", "packages/cli", ()),
        Member("ws-core", "packages/core", ()),
    )


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def test_dependencies_come_from_every_list_and_excluded_members_are_left_out(
    tmp_path: Path,
) -> None:
    write(tmp_path, "libs/a/pyproject.toml", '[project]\nname = "A_Lib"\n')
    write(
        tmp_path,
        "libs/b/pyproject.toml",
        '[project]\nname = "b"\noptional-dependencies = {x = ["a-lib[fast]>=1"]}\n',
    )
    write(tmp_path, "libs/c/pyproject.toml", '[project]\nname = "c"\n[dependency-groups]\n'
          'test = ["b", {include-group = "x"}, "not a valid requirement!"]\n')  # fmt: skip
    write(tmp_path, "libs/old/pyproject.toml", '[project]\nname = "old"\n')
    write(tmp_path, "libs/notes/README", "no pyproject: not a member\n")
    document = {"tool": {"uv": {"workspace": {"members": ["libs/*"], "exclude": ["libs/old"]}}}}
    found = workspace.members(tmp_path, document)
    assert [(m.name, m.depends_on) for m in found] == [
        ("a-lib", ()),
        ("b", ("a-lib",)),
        ("c", ("b",)),
    ]
    assert workspace.closure(found, "c") == ("a-lib", "b")
    assert workspace.closure(found, "a-lib") == ()


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"tool": {"uv": {"workspace": {"members": ["nothing/*"]}}}}, "match no folder"),
        ({"tool": {"uv": {"workspace": {"members": "packages/*"}}}}, "must be a list of glob"),
        ({"tool": {"uv": {"workspace": []}}}, "must be a table"),
    ],
)
def test_a_workspace_that_cannot_be_read_says_why(
    tmp_path: Path, document: dict[str, object], expected: str
) -> None:
    with pytest.raises(workspace.WorkspaceError, match=expected):
        workspace.members(tmp_path, document)


def test_a_member_without_a_name_is_named(tmp_path: Path) -> None:
    write(tmp_path, "packages/x/pyproject.toml", "[project]\n")
    document = {"tool": {"uv": {"workspace": {"members": ["packages/*"]}}}}
    with pytest.raises(workspace.WorkspaceError, match=r"packages/x/pyproject.toml: \[project\]"):
        workspace.members(tmp_path, document)


CHAIN = (
    Member("core", "packages/core", ()),
    Member("mid", "packages/mid", ("core",)),
    Member("top", "packages/top", ("mid",)),
    Member("alone", "packages/alone", ()),
)


def test_a_change_reaches_the_member_and_what_depends_on_it() -> None:
    reasons = workspace.affected(CHAIN, ["packages/core/src/core/x.py", "packages/core/README"])
    assert reasons == {
        "core": "its files changed (packages/core/src/core/x.py and 1 more)",
        "mid": "it depends on core, which changed",
        "top": "it depends on core, which changed (indirectly)",
    }
    assert workspace.affected(CHAIN, ["packages/alone/a.py"]) == {
        "alone": "its files changed (packages/alone/a.py)"
    }
    assert workspace.affected(CHAIN, ["packages/top/t.py"]) == {
        "top": "its files changed (packages/top/t.py)"
    }


def test_files_outside_the_members_are_named() -> None:
    changed = ["uv.lock", "packages/core/x.py", "packages/cored/y.py"]
    assert workspace.outside_members(CHAIN, changed) == ["uv.lock", "packages/cored/y.py"]


def test_a_member_s_table_takes_the_root_s_shared_keys_under_its_own() -> None:
    root = {
        "python": ["3.12", "3.13"],
        "package": "root_pkg",
        "workflow": {"release": True},
        "coverage": {"fail-under": 80, "warn-under": 90},
    }
    own = {"coverage": {"fail-under": 50}, "test-paths": ["t"]}
    assert workspace.member_table(root, own) == {
        "python": ["3.12", "3.13"],
        "workflow": {"release": True},  # shared: the generator builds every member's jobs
        "coverage": {"fail-under": 50, "warn-under": 90},
        "test-paths": ["t"],
    }


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"CI_SESSIONS_MEMBERS": ""}, ()),
        ({"CI_SESSIONS_MEMBERS": "WS_Core, ws-app"}, ("ws-core", "ws-app")),
    ],
)
def test_chosen_members(environ: dict[str, str], expected: tuple[str, ...] | None) -> None:
    assert workspace.chosen_members(environ) == expected


def report(lines: int, covered: int, branches: int = 0, partial: int = 0) -> dict[str, object]:
    return {
        "totals": {
            "num_statements": lines,
            "covered_lines": covered,
            "num_branches": branches,
            "covered_branches": partial,
        }
    }


def test_the_whole_total_sums_lines_and_branches() -> None:
    whole = workspace.whole_coverage({"a": report(10, 10), "b": report(6, 3, 4, 1)})
    assert (whole.covered, whole.measured) == (14, 20)
    assert whole.percent == pytest.approx(70.0)
    assert whole.problems == ()


def test_the_whole_names_missing_and_stale_reports() -> None:
    whole = workspace.whole_coverage({"a": None, "b": report(4, 4)}, stale=["b"])
    assert whole.problems == (
        "a: no coverage report; run `nox -s coverage-a` (after its tests)",
        "b: its coverage report is older than its tests' data; run `nox -s coverage-b` again",
    )
    assert workspace.whole_coverage({"a": report(0, 0)}).problems == (
        "the members' reports measured no line: nothing to gate",
    )


def test_at_root_reads_a_workspace_once_and_nothing_else(tmp_path: Path) -> None:
    from ci_sessions.families.workspace import at_root
    from ci_sessions.registry import load_config

    root = tmp_path / "workspace"
    shutil.copytree(FIXTURE, root)
    found = at_root(root / "pyproject.toml", None, (), load_config)
    assert found is not None
    assert [m.name for m in found.members] == [c.member for c in found.configs]
    plain = tmp_path / "plain.toml"
    plain.write_text('[project]\nname = "x"\n')
    assert at_root(plain, None, (), load_config) is None
    # The word alone is not a workspace: the table decides.
    plain.write_text('[project]\nname = "x"  # a workspace of one\n')
    assert at_root(plain, None, (), load_config) is None
    assert at_root(tmp_path / "missing.toml", None, (), load_config) is None
