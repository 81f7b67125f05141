"""Coverage data files: names, run records and whether old data may count."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.coverage_data import (
    RunRecord,
    code_fingerprint,
    data_name,
    freshness,
    measures_package,
    missing_pythons,
    new_record,
    python_of,
    read_record,
    record_path,
    unmeasured_packages,
    write_record,
)


@pytest.mark.parametrize(
    ("name", "python"),
    [
        (".coverage.py3.12", "3.12"),
        (".coverage.py3.13t", "3.13t"),
        (".coverage.py3.11.shard2", "3.11"),
        (".coverage.py3.12.run.json", None),  # a run record, not data
        (".coverage", None),
        (".coverage.host.1.2", None),
        ("coverage.py3.12", None),
    ],
)
def test_python_of(name: str, python: str | None) -> None:
    assert python_of(name) == python


def test_names() -> None:
    assert data_name("3.12") == ".coverage.py3.12"
    assert data_name("3.12", "shard2") == ".coverage.py3.12.shard2"
    assert record_path(Path("d/.coverage.py3.12")) == Path("d/.coverage.py3.12.run.json")


def test_missing_pythons_names_each_absent_version() -> None:
    names = [".coverage.py3.11", ".coverage.py3.13.shard2"]
    assert missing_pythons(["3.11", "3.12", "3.13"], names) == ["3.12"]
    assert missing_pythons(["3.11"], names) == []


def test_a_record_round_trips_and_a_broken_one_reads_as_none(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    data = tmp_path / ".coverage.py3.12"
    record = new_record("tests-3.12", "1-abc", tmp_path, ["src"])
    write_record(data, record)
    assert read_record(data) == record
    record_path(data).write_text("{not json")
    assert read_record(data) is None


def test_the_fingerprint_follows_content_not_time(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "m.py"
    module.write_text("x = 1\n")
    (tmp_path / "README.md").write_text("docs")
    before = code_fingerprint(tmp_path, ["pkg", "tests"])
    module.touch()
    (tmp_path / "README.md").write_text("other docs")  # not measured code
    assert code_fingerprint(tmp_path, ["pkg", "tests"]) == before
    module.write_text("x = 2\n")
    assert code_fingerprint(tmp_path, ["pkg", "tests"]) != before


RECORD = RunRecord("tests-3.12", "11-old", "2026-12-01T10:00:00+00:00", "code-a", ("src",))


@pytest.mark.parametrize(
    ("record", "code", "usable", "note"),
    [
        (None, "code-a", False, "has no record of the run that wrote it"),
        (RunRecord("tests-3.12", "22-now", "t", "x", ()), "code-b", True, "this run"),
        (RECORD, "code-a", True, "an earlier run on the same code"),
        (RECORD, "code-b", False, "is from an earlier run (tests-3.12 at 2026-12-01T10:00"),
    ],
)
def test_freshness(record: RunRecord | None, code: str, usable: bool, note: str) -> None:
    verdict = freshness(".coverage.py3.12", record, invocation="22-now", code=code)
    assert verdict.usable is usable
    assert note in verdict.note


def test_tests_at_the_root_do_not_fingerprint_the_venvs(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("x = 1\n")
    venv = tmp_path / ".nox" / "tests-3-13" / "lib"
    venv.mkdir(parents=True)
    before = code_fingerprint(tmp_path, ["."])
    (venv / "site.py").write_text("a new venv\n")
    assert code_fingerprint(tmp_path, ["."]) == before
    assert code_fingerprint(tmp_path, ["."], listed=["mod.py"]) == before
    (tmp_path / "mod.py").write_text("x = 2\n")
    assert code_fingerprint(tmp_path, ["."]) != before


def test_a_data_file_measures_its_package_wherever_it_was_installed() -> None:
    assert measures_package(["src/sample/shapes.py"], ["sample"])
    assert measures_package([".nox/t/lib/python3.13/site-packages/sample/a.py"], ["sample"])
    assert measures_package(["C:\\a\\Lib\\site-packages\\sample\\a.py"], ["sample"])
    assert measures_package(["typing_extensions.py"], ["typing_extensions"])
    assert measures_package(["src/attr/_make.py"], ["attrs", "attr"])
    assert measures_package(["src/ns/inner/m.py"], ["ns.inner"])
    # Nothing measured (an empty file, rows deleted), or another project's package.
    assert not measures_package([], ["sample"])
    assert not measures_package(["src/sample_other/a.py"], ["sample"])


def test_each_of_several_packages_must_be_measured() -> None:
    measured = ["src/attr/_make.py", "src/attr/validators.py"]
    assert unmeasured_packages(measured, ["attr", "attrs"]) == ["attrs"]
    assert unmeasured_packages([*measured, "src/attrs/__init__.py"], ["attr", "attrs"]) == []
    assert unmeasured_packages([], ["sample"]) == []  # one package: each file's check says it
