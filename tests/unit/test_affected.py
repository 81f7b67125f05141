"""Affected-test selection's decisions: fingerprints, the map, the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.config import ConfigError
from ci_sessions.families.tests import affected
from ci_sessions.families.tests.affected_run import occasion, source_path
from ci_sessions.families.tests.fingerprints import fingerprint
from ci_sessions.families.tests.settings import MatrixConfig
from tests.unit.test_workflow import config_of

SHAPES = """import sys

LIMIT = 3


def area(width, height):
    if width < 0:
        raise ValueError("negative")
    return width * height


class Box:
    size = 2

    def volume(self):
        return self.size ** 3
"""
TESTS = ("tests/test_a.py::test_area", "tests/test_a.py::test_box", "tests/test_b.py::test_other")
# area's body is lines 7-9, volume's is line 16 (1-based), as coverage counts them.
EXECUTED = {
    "src/pk/shapes.py": {
        1: [""],
        7: ["tests/test_a.py::test_area|run"],
        9: ["tests/test_a.py::test_area|run"],
        16: ["tests/test_a.py::test_box|run"],
    }
}
MANIFEST = {
    "src/pk/shapes.py": "s1",
    "tests/test_a.py": "t1",
    "tests/test_b.py": "t2",
    "pyproject.toml": "p1",
    "README.md": "r1",
}


def mapped(**overrides: object) -> affected.TestMap:
    values: dict[str, object] = dict(
        python="3.13.0",
        packages="deps",
        tests=TESTS,
        failed=(),
        manifest=MANIFEST,
        texts={"src/pk/shapes.py": SHAPES},
        executed=EXECUTED,
    )
    values.update(overrides)
    return affected.build(**values)  # type: ignore[arg-type]


def now(files: dict[str, str], **overrides: object) -> affected.Now:
    """The working tree: MANIFEST with these files' new texts (hash = the text)."""
    texts = {"src/pk/shapes.py": SHAPES, **files}
    manifest = {**MANIFEST, **{path: text for path, text in files.items()}}
    values: dict[str, object] = dict(
        python="3.13.0",
        packages="deps",
        manifest={k: v for k, v in manifest.items() if v != "<gone>"},
        read=lambda path: texts.get(path, ""),
        test_paths=("tests",),
        ignore=affected.DEFAULT_IGNORE,
    )
    values.update(overrides)
    return affected.Now(**values)  # type: ignore[arg-type]


def test_a_changed_function_runs_only_the_tests_that_executed_it() -> None:
    changed = SHAPES.replace("width < 0", "width <= 0")
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": changed}))
    assert not plan.whole
    assert plan.deselect == {"tests/test_a.py::test_box", "tests/test_b.py::test_other"}
    assert plan.changed == ("src/pk/shapes.py",)


def test_comments_blank_lines_and_moves_change_nothing() -> None:
    moved = SHAPES.replace("LIMIT = 3\n", "LIMIT = 3  # the limit\n\n\n")
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": moved}))
    assert not plan.whole and plan.deselect == set(TESTS)


def test_a_method_change_reaches_its_tests() -> None:
    changed = SHAPES.replace("** 3", "** 2")
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": changed}))
    assert set(TESTS) - plan.deselect == {"tests/test_a.py::test_box"}


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (("import sys", "import os"), "module-level code changed"),
        (("size = 2", "size = 5"), "module-level code changed"),
        (("def volume", "def volume("), "does not parse"),
        (
            ("    def volume", "    def __eq__(self, o):\n        return 1\n\n    def volume"),
            "Python may call implicitly",
        ),
        (("\ndef area", "\ndef sys():\n    pass\n\n\ndef area"), "replacing a name"),
    ],
)
def test_what_the_map_cannot_see_in_a_module_runs_all(edit: tuple[str, str], why: str) -> None:
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": SHAPES.replace(*edit)}))
    assert plan.whole and why in plan.why


def test_a_new_function_with_a_fresh_name_changes_nothing_run() -> None:
    added = SHAPES + "\n\ndef perimeter(a, b):\n    return 2 * (a + b)\n"
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": added}))
    assert not plan.whole and plan.deselect == set(TESTS)


def test_a_function_run_at_import_or_in_a_set_up_runs_all() -> None:
    executed = {"src/pk/shapes.py": {**EXECUTED["src/pk/shapes.py"], 8: ["t|setup"]}}
    changed = SHAPES.replace("width < 0", "width <= 0")
    plan = affected.plan(mapped(executed=executed), now({"src/pk/shapes.py": changed}))
    assert plan.whole and "area changed and ran at import, outside any test" in plan.why


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("tests/conftest.py", "a conftest.py reaches every test"),
        ("pyproject.toml", "build settings"),
        ("uv.lock", "dependencies"),
        ("requirements-dev.txt", "dependencies"),
        ("src/pk/_speedups.c", "C (or Rust) extension"),
        ("tests/data/input.json", "tests may read it"),
        ("tests/helpers.py", "a test helper"),
    ],
)
def test_a_file_the_map_cannot_see_runs_the_whole_suite(path: str, why: str) -> None:
    plan = affected.plan(mapped(), now({path: "new"}))
    assert plan.whole and why in plan.why and path in plan.why


def test_ignored_files_and_new_modules_run_nothing() -> None:
    plan = affected.plan(
        mapped(), now({"README.md": "r2", "docs/index.rst": "x", "src/pk/new.py": "y"})
    )
    assert not plan.whole and plan.deselect == set(TESTS)


def test_documentation_counts_when_pytest_runs_doctests_in_it() -> None:
    ignore = affected.default_ignore("--doctest-glob=*.md")
    plan = affected.plan(mapped(), now({"README.md": "r2"}, ignore=ignore))
    assert plan.whole and "README.md" in plan.why


def test_a_changed_test_module_runs_its_tests_and_one_imported_by_others_runs_all() -> None:
    files = {"tests/test_b.py": "def test_other(): assert False\n"}
    plan = affected.plan(mapped(), now(files))
    assert set(TESTS) - plan.deselect == {"tests/test_b.py::test_other"}
    shared = {**files, "tests/test_a.py": "from tests.test_b import helper\n"}
    plan = affected.plan(mapped(), now(shared))
    assert plan.whole and "other test modules import it" in plan.why


def test_failed_tests_of_the_mapped_run_always_run() -> None:
    plan = affected.plan(mapped(failed=["tests/test_b.py::test_other"]), now({}))
    assert not plan.whole and "tests/test_b.py::test_other" not in plan.deselect


@pytest.mark.parametrize(
    ("old", "kwargs", "why"),
    [
        (None, {}, "no map of an earlier full run"),
        (mapped(), {"python": "3.13.1"}, "from Python 3.13.0"),
        (mapped(), {"packages": "other"}, "a dependency changed"),
    ],
)
def test_a_missing_or_stale_map_runs_the_whole_suite(
    old: affected.TestMap | None, kwargs: dict[str, str], why: str
) -> None:
    plan = affected.plan(old, now({}, **kwargs))
    assert plan.whole and why in plan.why


def test_ci_runs_the_whole_suite_on_main_and_on_schedules() -> None:
    assert "scheduled" in occasion({"GITHUB_EVENT_NAME": "schedule"}, "main")
    assert "on main" in occasion(
        {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}, "main"
    )
    assert not occasion(
        {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge"}, "main"
    )
    assert not occasion({}, "main")
    plan = affected.plan(mapped(), now({}), "a scheduled run runs the whole suite")
    assert plan.whole and plan.why.startswith("a scheduled run")


def test_the_map_reads_back_as_written_and_a_damaged_one_is_refused() -> None:
    made = mapped()
    assert affected.from_document(affected.to_document(made)) == made
    with pytest.raises(ValueError, match="format"):
        affected.from_document({"format": 0})
    broken = {**affected.to_document(made), "sources": {"x.py": {}}}
    with pytest.raises(ValueError, match="damaged"):
        affected.from_document(broken)


def test_installed_copies_map_back_to_their_sources() -> None:
    sources = {"pk": "src/pk", "single": "single.py"}
    root = Path("/work/p")
    venv = ".nox/tests-3-13/lib/python3.13/site-packages"
    assert source_path(f"{venv}/pk/sub/m.py", root, sources) == "src/pk/sub/m.py"
    assert source_path(f"/abs/{venv}/single.py", root, sources) == "single.py"
    assert source_path(f"{venv}/other/m.py", root, sources) is None
    assert source_path("/work/p/src/pk/m.py", root, sources) == "src/pk/m.py"
    assert source_path("/elsewhere/m.py", root, sources) is None


def test_fingerprints_ignore_positions_and_see_decorators() -> None:
    plain = fingerprint("def f(x):\n    return x\n")
    moved = fingerprint("\n\n# moved\ndef f(x):\n    return x  # same\n")
    decorated = fingerprint("import functools\n@functools.cache\ndef f(x):\n    return x\n")
    assert plain and moved and decorated
    assert plain.functions["f"].digest == moved.functions["f"].digest
    assert plain.functions["f"].digest != decorated.functions["f"].digest
    assert fingerprint("def f(:\n") is None


def test_take_option_and_the_tier_key(tmp_path: Path) -> None:
    assert affected.take_option(["--affected", "-k", "x"]) == (True, ["-k", "x"])
    assert affected.take_option(["-x"]) == (False, ["-x"])
    config = config_of(tmp_path / "a", "[tool.ci_sessions.narrow.pr]\naffected = true\n")
    [(tier, narrowing)] = config.of(MatrixConfig).narrow
    assert tier == "pr" and narrowing.affected
    assert "the affected tests" in narrowing.label("pr", "slow")
    with pytest.raises(
        ConfigError, match=r"\[tool.ci_sessions.narrow.pr\] affected: expected true or false"
    ):
        config_of(tmp_path / "b", '[tool.ci_sessions.narrow.pr]\naffected = "yes"\n')


def test_code_a_wider_fixture_runs_reaches_every_test_sharing_that_fixture() -> None:
    # area ran in test_area's set-up (a module fixture of test_a.py that test_box uses too).
    lines = {**EXECUTED["src/pk/shapes.py"], 8: ["tests/test_a.py::test_area|setup"]}
    fixtures = {
        "tests/test_a.py::test_area": ["tests/test_a.py::db"],
        "tests/test_a.py::test_box": ["tests/test_a.py::db"],
        "tests/test_b.py::test_other": [],
    }
    made = mapped(executed={"src/pk/shapes.py": lines}, fixtures=fixtures)
    changed = SHAPES.replace("width < 0", "width <= 0")
    plan = affected.plan(made, now({"src/pk/shapes.py": changed}))
    assert not plan.whole and plan.deselect == {"tests/test_b.py::test_other"}
    # Code run at import or collection, in no test's context, reaches every test.
    lines[8] = [""]
    made = mapped(executed={"src/pk/shapes.py": lines}, fixtures=fixtures)
    plan = affected.plan(made, now({"src/pk/shapes.py": changed}))
    assert plan.whole and "ran at import" in plan.why


def test_tests_that_started_a_process_run_whenever_the_measured_code_changed() -> None:
    spawner = "tests/test_b.py::test_other"
    made = mapped(spawners=[spawner, "tests/gone.py::test_not_in_the_run"])
    assert made.spawners == {spawner}
    changed = SHAPES.replace("width < 0", "width <= 0")
    plan = affected.plan(made, now({"src/pk/shapes.py": changed}))
    assert set(TESTS) - plan.deselect == {"tests/test_a.py::test_area", spawner}
    # A change outside the measured code (a test module) does not reach them.
    plan = affected.plan(made, now({"tests/test_a.py": "def test_area(): pass\n"}))
    assert spawner in plan.deselect


def test_a_process_a_wider_fixture_started_makes_spawners_of_all_who_share_it() -> None:
    fixtures = {
        "tests/test_a.py::test_area": ["conftest::server"],
        "tests/test_b.py::test_other": ["conftest::server"],
    }
    made = mapped(spawners=["tests/test_a.py::test_area"], fixtures=fixtures)
    assert made.spawners == {"tests/test_a.py::test_area", "tests/test_b.py::test_other"}


def test_a_map_is_made_locally_and_on_main_never_for_a_pull_request() -> None:
    from ci_sessions.families.tests.affected_run import keeps_map

    assert keeps_map({}, "main")
    assert keeps_map({"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}, "main")
    assert not keeps_map({"GITHUB_EVENT_NAME": "pull_request"}, "main")
    assert not keeps_map({"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/dev"}, "main")
    assert not keeps_map({"GITHUB_EVENT_NAME": "schedule"}, "main")


PROPERTY = """class Renderer:
    def __init__(self):
        self._keys = True

    @property
    def sort_keys(self):
        return self._keys

    @sort_keys.setter
    def sort_keys(self, value):
        self._keys = value
"""


def test_a_getter_and_its_setter_are_two_entries_so_a_getter_change_reaches_its_tests() -> None:
    """#30: keyed by name, the setter replaced the getter and a negated getter selected 0
    of 920 tests while 1 failed."""
    tests = ("tests/test_r.py::test_reads", "tests/test_r.py::test_writes")
    executed = {
        "src/pk/render.py": {
            7: ["tests/test_r.py::test_reads|run"],
            11: ["tests/test_r.py::test_writes|run"],
        }
    }
    made = mapped(
        tests=tests,
        texts={"src/pk/render.py": PROPERTY},
        executed=executed,
        manifest={**MANIFEST, "src/pk/render.py": "r"},
    )
    assert set(made.sources["src/pk/render.py"].runs) == {
        "Renderer.__init__",
        "Renderer.sort_keys",
        "Renderer.sort_keys#2",
    }
    negated = PROPERTY.replace("return self._keys", "return not self._keys")
    plan = affected.plan(made, now({"src/pk/render.py": negated}, read=lambda p: negated))
    assert not plan.whole and set(tests) - plan.deselect == {"tests/test_r.py::test_reads"}


DISPATCH = """import functools


@functools.singledispatch
def show(value):
    return str(value)


@show.register
def _(value: int):
    return f"int {value}"


@show.register
def _(value: list):
    return f"list {value}"
"""


def test_singledispatch_implementations_named_alike_each_reach_their_own_tests() -> None:
    tests = ("tests/test_s.py::test_int", "tests/test_s.py::test_list")
    executed = {
        "src/pk/show.py": {
            11: ["tests/test_s.py::test_int|run"],
            16: ["tests/test_s.py::test_list|run"],
        }
    }
    made = mapped(
        tests=tests,
        texts={"src/pk/show.py": DISPATCH},
        executed=executed,
        manifest={**MANIFEST, "src/pk/show.py": "d"},
    )
    changed = DISPATCH.replace('f"int {value}"', 'f"integer {value}"')
    plan = affected.plan(made, now({"src/pk/show.py": changed}, read=lambda p: changed))
    assert not plan.whole and set(tests) - plan.deselect == {"tests/test_s.py::test_int"}


@pytest.mark.parametrize(
    ("added", "why"),
    [
        ("\n\ndef len(obj):\n    return 0\n", "replacing the builtin"),
        ("\n\ndef area(a, b):\n    return 0\n", "defined once more"),
    ],
)
def test_a_new_function_that_replaces_a_builtin_or_a_definition_runs_all(
    added: str, why: str
) -> None:
    """#30: a `def len` added to a module selected 0 tests while 67 failed."""
    plan = affected.plan(mapped(), now({"src/pk/shapes.py": SHAPES + added}))
    assert plan.whole and why in plan.why


def test_a_new_function_in_a_star_imported_module_runs_all() -> None:
    star = "from pk.shapes import *\n\n\ndef helper():\n    return area(1, 2)\n"
    files = {"src/pk/api.py": star}
    added = SHAPES + "\n\ndef helper2():\n    return 1\n"
    texts = {"src/pk/shapes.py": added, **files}
    tree = now({"src/pk/shapes.py": added, **files}, read=lambda p: texts.get(p, ""))
    plan = affected.plan(mapped(), tree)
    assert plan.whole and "src/pk/api.py star-imports the module" in plan.why
    starred = "from os.path import *\n" + SHAPES
    made = mapped(texts={"src/pk/shapes.py": starred})
    again = starred + "\n\ndef join(a, b):\n    return a\n"
    plan = affected.plan(made, now({"src/pk/shapes.py": again}, read=lambda p: again))
    assert plan.whole and "a star import gave" in plan.why


DOCUMENTED = '''"""Shapes."""


class Box:
    """A box."""

    def volume(self):
        """Its volume."""
        return 8


def area(width, height):
    """The area."""
    return width * height
'''


def documented_map() -> affected.TestMap:
    executed = {
        "src/pk/shapes.py": {
            9: ["tests/test_a.py::test_box|run"],
            14: ["tests/test_a.py::test_area|run"],
        }
    }
    return mapped(texts={"src/pk/shapes.py": DOCUMENTED}, executed=executed)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"""The area."""', '"""The area, in square units."""'),
        ('"""A box."""', '"""A cube."""'),
        ('"""Shapes."""', '"""Shapes!"""'),
    ],
)
def test_a_docstring_alone_runs_nothing_unless_docstrings_are_run(old: str, new: str) -> None:
    """#30: a docstring-only change selected 135 of 155 tests; a class's ran them all."""
    changed = DOCUMENTED.replace(old, new)
    files = {"src/pk/shapes.py": changed}
    quiet = affected.plan(documented_map(), now(files, read=lambda p: changed))
    assert not quiet.whole and quiet.deselect == set(TESTS)
    read = affected.plan(documented_map(), now(files, read=lambda p: changed, docstrings=True))
    if old == '"""The area."""':
        assert not read.whole and set(TESTS) - read.deselect == {"tests/test_a.py::test_area"}
    else:
        assert read.whole and "docstring changed, and doctests or __doc__" in read.why


def test_code_with_its_docstring_changed_still_runs_its_tests() -> None:
    changed = DOCUMENTED.replace("return width * height", "return width + height")
    plan = affected.plan(
        documented_map(), now({"src/pk/shapes.py": changed}, read=lambda p: changed)
    )
    assert set(TESTS) - plan.deselect == {"tests/test_a.py::test_area"}


def test_docstrings_matter_where_doctests_run_or_the_code_reads_them(tmp_path: Path) -> None:
    from ci_sessions.families.tests.affected_run import docstrings_matter
    from tests.unit.fake_nox import project

    config = project(tmp_path)
    (config.root / "src" / "demo" / "a.py").write_text("x = 1\n")
    manifest = {"src/demo/a.py": "h", "tests/test_demo.py": "t"}
    assert not docstrings_matter(config, manifest)
    (config.root / "src" / "demo" / "a.py").write_text("def f():\n    return f.__doc__\n")
    assert docstrings_matter(config, manifest)
    doctests = project(tmp_path / "b", 'pytest-args = ["--doctest-modules"]\n')
    assert docstrings_matter(doctests, {})


CONSTANTS = """LIMIT = 3
TWICE_HELD = 1


def area(width, height):
    if width > LIMIT:
        raise ValueError("too wide")
    return width * height


class Box:
    def volume(self):
        return 8
"""


def constants_map(**overrides: object) -> affected.TestMap:
    executed = {
        "src/pk/shapes.py": {
            6: ["tests/test_a.py::test_area|run"],
            13: ["tests/test_a.py::test_box|run"],
        }
    }
    values: dict[str, object] = dict(texts={"src/pk/shapes.py": CONSTANTS}, executed=executed)
    values.update(overrides)
    return mapped(**values)


def test_a_changed_constant_runs_the_tests_of_the_functions_that_read_it() -> None:
    """#30: any module-level change ran the whole suite."""
    changed = CONSTANTS.replace("LIMIT = 3", "LIMIT = 5")
    plan = affected.plan(
        constants_map(), now({"src/pk/shapes.py": changed}, read=lambda p: changed)
    )
    assert not plan.whole and set(TESTS) - plan.deselect == {"tests/test_a.py::test_area"}
    unread = CONSTANTS.replace("TWICE_HELD = 1", "TWICE_HELD = 2")
    quiet = affected.plan(constants_map(), now({"src/pk/shapes.py": unread}, read=lambda p: unread))
    assert not quiet.whole and quiet.deselect == set(TESTS)


@pytest.mark.parametrize(
    ("text", "other", "why"),
    [
        (CONSTANTS + "\nDOUBLE = LIMIT * 2\n", {}, "the module reads it at import"),
        (
            CONSTANTS,
            {"src/pk/api.py": "from pk.shapes import LIMIT\n\nSIZE = LIMIT\n"},
            "imports it at import time",
        ),
        (CONSTANTS, {"src/pk/api.py": "from pk.shapes import *\n"}, "star-imports it"),
    ],
)
def test_a_changed_constant_read_at_import_runs_the_whole_suite(
    text: str, other: dict[str, str], why: str
) -> None:
    made = constants_map(texts={"src/pk/shapes.py": text}, manifest={**MANIFEST, **other})
    changed = text.replace("LIMIT = 3", "LIMIT = 5")
    files = {"src/pk/shapes.py": changed, **other}
    plan = affected.plan(made, now(files, read=lambda p: files.get(p, "")))
    assert plan.whole and why in plan.why


def test_a_test_that_imports_a_changed_constant_runs() -> None:
    test_module = "from pk.shapes import LIMIT as L\n\n\ndef test_limit():\n    assert L == 3\n"
    tests = (*TESTS, "tests/test_c.py::test_limit")
    made = constants_map(
        tests=tests,
        manifest={**MANIFEST, "tests/test_c.py": "c"},
        test_modules={"tests/test_c.py": fingerprint(test_module)},
    )
    changed = CONSTANTS.replace("LIMIT = 3", "LIMIT = 5")
    files = {"src/pk/shapes.py": changed, "tests/test_c.py": test_module}
    tree = now(files, read=lambda p: files.get(p, ""))
    plan = affected.plan(
        made,
        affected.Now(**{**tree.__dict__, "manifest": {**tree.manifest, "tests/test_c.py": "c"}}),
    )
    assert set(tests) - plan.deselect == {
        "tests/test_a.py::test_area",
        "tests/test_c.py::test_limit",
    }


def test_a_new_constant_named_like_a_builtin_runs_the_whole_suite() -> None:
    added = CONSTANTS + "\nlen = 3\n"
    plan = affected.plan(constants_map(), now({"src/pk/shapes.py": added}, read=lambda p: added))
    assert plan.whole and "len bound anew at module level" in plan.why


def test_a_whole_run_counts_the_failing_tests_selection_would_have_left_out(
    tmp_path: Path,
) -> None:
    """#30 3: the miss rate, measured on every whole-suite run that has a map."""
    from ci_sessions.families.tests.affected_run import Selection
    from ci_sessions.test_outcomes import Case, Outcomes
    from tests.unit.fake_nox import make_session, project

    config = project(tmp_path)
    shadow = affected.Plan(False, "1 changed file(s)", frozenset({"t2", "t3"}), ("src/a.py",))
    selection = Selection(records=False, shadow=shadow)
    outcomes = Outcomes(
        1, (Case("t1", "failed", 0.1), Case("t2", "failed", 0.1), Case("t3", "passed", 0.1))
    )
    selection.after_run(make_session(tmp_path / "s"), config, tmp_path / "data", outcomes)
    assert selection.misses() == ["t2"]
    assert "left out 2 test(s) and missed 1 failing one(s): t2" in selection.summary()
    same_code = Selection(
        records=False, shadow=affected.Plan(False, "no change", frozenset({"t2"}))
    )
    same_code.after_run(make_session(tmp_path / "s2"), config, tmp_path / "data", outcomes)
    assert same_code.misses() == []  # nothing changed: nothing to select against


HIERARCHY = """class Base:
    def greet(self):
        return "base"


class Box(Base):
    def volume(self):
        return 1


class Crate(Box):
    def weight(self):
        return 2


class Plain:
    size = 1


@decorate
class Marked:
    def mark(self):
        return 3


class Mine(dict):
    def keys_of(self):
        return 4


class Mixin:
    def mixed(self):
        return 5


class Both(Mixin, Base):
    pass
"""
# The bodies: Base.greet line 3, Box.volume 8, Crate.weight 13, Marked.mark 23,
# Mine.keys_of 28, Mixin.mixed 33.
HIERARCHY_TESTS = (
    "t.py::t_mixed",
    "t.py::t_greet",
    "t.py::t_box",
    "t.py::t_crate",
    "t.py::t_mark",
    "t.py::t_mine",
    "t.py::t_none",
)
HIERARCHY_RUNS = {
    "src/pk/h.py": {
        3: ["t.py::t_greet|run"],
        8: ["t.py::t_box|run"],
        13: ["t.py::t_crate|run"],
        23: ["t.py::t_mark|run"],
        28: ["t.py::t_mine|run"],
        33: ["t.py::t_mixed|run"],
    }
}


def hierarchy_plan(edit: tuple[str, str]) -> affected.Plan:
    manifest = {"src/pk/h.py": "h1", "t.py": "t1"}
    made = affected.build(
        python="3.13.0",
        packages="deps",
        tests=HIERARCHY_TESTS,
        failed=(),
        manifest=manifest,
        texts={"src/pk/h.py": HIERARCHY},
        executed=HIERARCHY_RUNS,
    )
    text = HIERARCHY.replace(*edit)
    assert text != HIERARCHY
    current = affected.Now(
        python="3.13.0",
        packages="deps",
        manifest={**manifest, "src/pk/h.py": text},
        read=lambda path: text if path == "src/pk/h.py" else "",
        test_paths=("t.py",),
        ignore=(),
    )
    return affected.plan(made, current)


def selected(plan: affected.Plan) -> set[str]:
    assert not plan.whole, plan.why
    return set(HIERARCHY_TESTS) - plan.deselect


METHOD = "\n\n    def {name}(self):\n        return 9\n"


@pytest.mark.parametrize(
    ("after", "name", "expected"),
    [
        # Box's instances are made by the tests that ran Box's or Crate's methods; a new
        # greet on Box overrides Base.greet, whose tests run too.
        ("return 1\n", "greet", {"t.py::t_box", "t.py::t_crate", "t.py::t_greet"}),
        ("return 1\n", "fresh", {"t.py::t_box", "t.py::t_crate"}),
        ("return 2\n", "fresh", {"t.py::t_crate"}),
        ('return "base"\n', "fresh", {"t.py::t_greet", "t.py::t_box", "t.py::t_crate"}),
        # Both(Mixin, Base): a greet added to Mixin comes before Base.greet for Both.
        ("return 5\n", "greet", {"t.py::t_mixed", "t.py::t_greet"}),
    ],
)
def test_a_method_added_runs_the_tests_of_its_class_its_subclasses_and_what_it_overrides(
    after: str, name: str, expected: set[str]
) -> None:
    plan = hierarchy_plan((after, after.rstrip("\n") + METHOD.format(name=name)))
    assert selected(plan) == expected


@pytest.mark.parametrize(
    ("after", "name", "why"),
    [
        ("return 1\n", "__eq__", "Python may call implicitly"),
        ("return 3\n", "other", "Marked is decorated"),
        ("return 4\n", "other", "its base dict is outside the measured code"),
        ("size = 1\n", "other", "none of whose methods a test ran"),
    ],
)
def test_a_method_added_where_the_map_cannot_follow_runs_all(
    after: str, name: str, why: str
) -> None:
    plan = hierarchy_plan((after, after.rstrip("\n") + METHOD.format(name=name)))
    assert plan.whole and why in plan.why
