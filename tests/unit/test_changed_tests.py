"""A changed test module runs the tests whose own code changed (#30 2), and all of its
tests when what they share changed: its module-level code, a fixture, a helper, a class's
set-up."""

from __future__ import annotations

import pytest

from ci_sessions.families.tests import affected
from ci_sessions.families.tests.changed_tests import changed_tests, fingerprints_of, node_key
from ci_sessions.families.tests.fingerprints import fingerprint
from tests.unit.test_affected import MANIFEST, mapped, now

MODULE = """import pytest

LIMIT = 3


@pytest.fixture
def box():
    return 2


def helper():
    return 1


def test_area():
    assert 1 + 1 == 2


@pytest.mark.parametrize("n", [1, 2])
def test_many(n):
    assert n


class TestBox:
    def setup_method(self):
        self.size = 2

    def test_size(self, box):
        assert box == 2
"""
PATH = "tests/test_a.py"


def test_node_keys_name_the_tests_function() -> None:
    assert node_key("tests/a.py::TestBox::test_size[2-x]") == "tests/a.py::TestBox.test_size"
    assert node_key("tests/a.py::test_area") == "tests/a.py::test_area"


@pytest.mark.parametrize(
    ("old", "new", "keys"),
    [
        ("assert 1 + 1 == 2", "assert 1 + 1 == 3", {f"{PATH}::test_area"}),
        ("assert n\n", "assert n > 0\n", {f"{PATH}::test_many"}),
        ("assert box == 2", "assert box == 3", {f"{PATH}::TestBox.test_size"}),
        ("assert 1 + 1 == 2", '"""Adds."""\n    assert 1 + 1 == 2', set()),  # a docstring
        ("return 2\n", "return 3\n", None),  # a fixture: every test may use it
        ("return 1\n", "return 0\n", None),  # a helper
        ("self.size = 2", "self.size = 3", None),  # a class's set-up
        ("LIMIT = 3", "LIMIT = 4", set()),  # a constant no test reads
        ("LIMIT = 3", "LIMIT = 4\nimport os", None),  # module-level code
        ("assert 1 + 1 == 2", "assert LIMIT == 3", {f"{PATH}::test_area"}),
    ],
)
def test_what_changed_in_a_test_module(old: str, new: str, keys: set[str] | None) -> None:
    assert changed_tests(PATH, fingerprint(MODULE), MODULE.replace(old, new)) == keys


def test_without_the_modules_fingerprint_every_test_of_it_runs() -> None:
    assert changed_tests(PATH, None, MODULE) is None
    assert changed_tests(PATH, fingerprint(MODULE), "def (") is None


def test_the_plan_runs_only_the_changed_test_of_a_changed_module() -> None:
    tests = (
        f"{PATH}::test_area",
        f"{PATH}::test_many[1]",
        f"{PATH}::test_many[2]",
        "tests/test_b.py::test_other",
    )
    made = mapped(
        tests=tests,
        manifest={**MANIFEST, PATH: "m"},
        test_modules=fingerprints_of(tests, lambda path: MODULE),
    )
    changed = MODULE.replace("assert n\n", "assert n > 0\n")
    texts = {PATH: changed}
    plan = affected.plan(made, now(texts, read=lambda path: texts.get(path, "")))
    assert not plan.whole and set(tests) - plan.deselect == {
        f"{PATH}::test_many[1]",
        f"{PATH}::test_many[2]",
    }
    fixture = MODULE.replace("return 2\n", "return 3\n")
    whole_module = affected.plan(made, now({PATH: fixture}, read=lambda path: fixture))
    assert set(tests) - whole_module.deselect == set(tests[:3])
    back = affected.from_document(affected.to_document(made))
    assert back.test_modules == made.test_modules


def test_a_test_reading_a_changed_constant_of_its_module_runs() -> None:
    module = (
        "LIMIT = 3\n\n\ndef test_limit():\n    assert LIMIT == 3\n\n\ndef test_other():\n    pass\n"
    )
    changed = module.replace("LIMIT = 3", "LIMIT = 4")
    assert changed_tests(PATH, fingerprint(module), changed) == {f"{PATH}::test_limit"}
    read_at_import = module + "\n\nTWICE = LIMIT * 2\n"
    assert (
        changed_tests(
            PATH, fingerprint(read_at_import), read_at_import.replace("LIMIT = 3", "LIMIT = 4")
        )
        is None
    )
