"""The rule for a changed file that is not code: the tests that read it (#30 2)."""

from __future__ import annotations

from ci_sessions.families.tests.reads import Reads, data_change, from_document, reach, to_document

TESTS = {"t.py::a": 0, "t.py::b": 1, "t.py::c": 2}


def test_reads_in_a_call_reach_that_test_and_in_a_set_up_every_test_sharing_its_fixture() -> None:
    fixtures = {"t.py::a": ["t.py::db"], "t.py::b": ["t.py::db"], "t.py::c": []}
    found = reach(
        {"t.py::a": ["data/one.json"], "t.py::b (set-up)": ["data/db.sql"], "": ["cfg.ini"]},
        {"t.py::c": ["data"]},
        TESTS,
        fixtures,
    )
    assert found.opened == {"data/one.json": {0}, "data/db.sql": {0, 1}}
    assert found.listed == {"data": {2}}
    assert found.outside == {"cfg.ini"}


def test_a_set_up_read_counts_as_outside_when_the_fixtures_are_unknown() -> None:
    found = reach({"t.py::b (set-up)": ["data/db.sql"]}, {}, TESTS, None)
    assert found.opened == {} and found.outside == {"data/db.sql"}


def reads() -> Reads:
    return Reads(
        {"data/one.json": frozenset({0})},
        {"data/cases": frozenset({2})},
        frozenset({"cfg.ini", "fixtures"}),
    )


def test_a_changed_data_file_reaches_its_readers_and_an_unread_one_none() -> None:
    both = {"data/one.json": "1", "CHANGES.txt": "1"}
    reached: set[int] = set()
    assert data_change("data/one.json", reads(), both, both, reached) == ""
    assert reached == {0}
    reached.clear()
    assert data_change("CHANGES.txt", reads(), both, both, reached) == ""
    assert reached == set()


def test_an_added_file_reaches_the_tests_that_listed_a_folder_above_it() -> None:
    reached: set[int] = set()
    added = {"data/cases/deep/new.txt": "1"}
    assert data_change("data/cases/deep/new.txt", reads(), {}, added, reached) == ""
    assert reached == {2}


def test_the_whole_suite_runs_for_what_was_read_or_listed_outside_any_test() -> None:
    reached: set[int] = set()
    assert "outside any test" in data_change("cfg.ini", reads(), {}, {}, reached)
    added = data_change("fixtures/new.json", reads(), {}, {"fixtures/new.json": "1"}, reached)
    assert "fixtures/ was listed at import or collection" in added
    # Changed in place, a file in a folder listed outside any test reaches its readers only.
    same = {"fixtures/old.json": "1"}
    assert data_change("fixtures/old.json", reads(), same, same, reached) == ""


def test_a_map_without_recorded_reads_runs_the_whole_suite() -> None:
    assert "recorded no file reads" in data_change("data/one.json", None, {}, {}, set())


def test_the_reads_survive_the_map_document() -> None:
    assert from_document(to_document(reads())) == reads()
    assert from_document(to_document(None)) is None
