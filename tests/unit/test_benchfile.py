"""benchfile: the stored baseline written by one run and read back by another."""

from __future__ import annotations

import json

import pytest

from ci_sessions.families.benchmark import stored as benchfile

NAN = float("nan")

ROUNDS = [{"b.py::test_a": 0.002, "c.py::test_ci_sessions_control": 0.01}, {"b.py::test_a": 0.004}]


def test_a_written_file_reads_back_and_looks_like_pytest_benchmark() -> None:
    document = json.loads(json.dumps(benchfile.to_document("walltime", "3.13.0", ROUNDS, {})))
    [first, _] = document["benchmarks"]
    assert first["fullname"] == "b.py::test_a" and first["name"] == "test_a"
    assert first["stats"]["median"] == pytest.approx(0.003)
    assert first["stats"]["data"] == [0.002, 0.004]
    stored = benchfile.from_document(document, "kept.json")
    assert (stored.mode, stored.python, stored.rounds) == ("walltime", "3.13.0", tuple(ROUNDS))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"benchmarks": []}, "kept.json was not written by benchmark-compare"),
        ([], "kept.json was not written by benchmark-compare"),
        ({"ci_sessions": {"format": benchfile.FORMAT, "mode": "walltime"}}, "rounds or the mode"),
        (
            {"ci_sessions": {"format": benchfile.FORMAT, "mode": "x", "rounds": [{"a": "1"}]}},
            "rounds or the mode",
        ),
        (
            {"ci_sessions": {"format": benchfile.FORMAT, "mode": "x", "rounds": [{"a": NAN}]}},
            "every figure must be a finite number above 0",
        ),
        (
            {"ci_sessions": {"format": benchfile.FORMAT, "mode": "x", "rounds": [{"a": 0}]}},
            "every figure must be a finite number above 0",
        ),
        (
            {"ci_sessions": {"format": benchfile.FORMAT, "mode": "x", "rounds": [{}]}},
            "every round hold one",
        ),
    ],
)
def test_files_it_did_not_write_are_refused_with_the_reason(document: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        benchfile.from_document(document, "kept.json")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--baseline-file", "a.json", "-k", "x"], ("a.json", ["-k", "x"])),
        (["--baseline-file=a.json"], ("a.json", [])),
        (["-k", "x"], (None, ["-k", "x"])),
    ],
)
def test_the_option_is_taken_out_of_the_pytest_arguments(
    args: list[str], expected: tuple[str | None, list[str]]
) -> None:
    assert benchfile.take_option(args) == expected


def test_the_option_without_a_path_is_an_error() -> None:
    with pytest.raises(ValueError, match="--baseline-file needs a file path"):
        benchfile.take_option(["--baseline-file"])
