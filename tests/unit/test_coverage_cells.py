"""The cells of the matrix (system x Python x shard) the coverage gate requires."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions import coverage_data
from ci_sessions.families.coverage.cells import Cell, cell_of, check, expected_systems
from ci_sessions.platforms import system_of_runner, this_system
from ci_sessions.workflow.options import JobOptions


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".coverage.py3.12", ("3.12", 0, "")),
        (".coverage.py3.12.shard2", ("3.12", 2, "")),
        (".coverage.py3.12.windows", ("3.12", 0, "windows")),
        (".coverage.py3.13t.shard3.macos", ("3.13t", 3, "macos")),
        (".coverage.pypypy3.11.linux", ("pypy3.11", 0, "linux")),
        (".coverage.py3.12.run.json", None),
        (".coverage.py3.12.freebsd", None),
        ("coverage.xml", None),
    ],
)
def test_a_data_file_name_says_its_python_shard_and_system(
    name: str, expected: tuple[str, int, str] | None
) -> None:
    assert coverage_data.name_parts(name) == expected


def test_data_names_round_trip() -> None:
    name = coverage_data.data_name("3.12", "shard2", "windows")
    assert name == ".coverage.py3.12.shard2.windows"
    assert coverage_data.name_parts(name) == ("3.12", 2, "windows")
    assert coverage_data.data_name("3.12") == ".coverage.py3.12"


@pytest.mark.parametrize(
    ("platform", "system"),
    [("linux", "linux"), ("darwin", "macos"), ("win32", "windows"), ("freebsd14", "freebsd14")],
)
def test_this_system(platform: str, system: str) -> None:
    assert this_system(platform) == system


@pytest.mark.parametrize(
    ("label", "system"),
    [
        ("ubuntu-latest", "linux"),
        ("ubuntu-24.04-arm", "linux"),
        ("macos-15", "macos"),
        ("windows-2025", "windows"),
        ("self-hosted-gpu", None),
        ("ubuntuish", None),
    ],
)
def test_runner_labels_name_systems(label: str, system: str | None) -> None:
    assert system_of_runner(label) == system


def test_a_name_without_system_takes_the_record_s() -> None:
    assert cell_of(".coverage.py3.12", "linux") == Cell("linux", "3.12")
    assert cell_of(".coverage.py3.12.windows", "linux") == Cell("windows", "3.12")


def test_on_ci_every_system_of_the_axis_is_required() -> None:
    systems, unknown = expected_systems(
        ["ubuntu-latest", "windows-latest", "my-runner"], ["linux"], on_ci=True
    )
    assert systems == ["linux", "windows"]
    assert unknown == ["my-runner"]


def test_locally_this_system_and_any_other_whose_data_is_here() -> None:
    systems, unknown = expected_systems(["ubuntu-latest", "windows-latest"], ["macos"], on_ci=False)
    assert systems == sorted({this_system(), "macos"})
    assert unknown == []


def test_the_pull_request_runners_are_the_narrower_list() -> None:
    options = JobOptions(os=("ubuntu-latest", "windows-latest"), pr_os=("ubuntu-latest",))
    assert options.os_axis
    assert options.runners(pull_request=True) == ("ubuntu-latest",)
    assert options.runners(pull_request=False) == ("ubuntu-latest", "windows-latest")
    assert not JobOptions().os_axis
    assert JobOptions().runners(pull_request=False) == ("ubuntu-latest",)


def test_check_names_each_missing_cell() -> None:
    files = {
        ".coverage.py3.12.linux": Cell("linux", "3.12"),
        ".coverage.py3.13.linux": Cell("linux", "3.13"),
        ".coverage.py3.12.windows": Cell("windows", "3.12"),
    }
    missing, duplicated = check(files, ["linux", "windows"], ["3.12", "3.13"], 1)
    assert missing == [Cell("windows", "3.13")]
    assert duplicated == []
    assert missing[0].describe() == "Python 3.13 on windows"


def test_check_with_shards_takes_a_whole_run_for_every_shard() -> None:
    files = {
        ".coverage.py3.12.shard1.macos": Cell("macos", "3.12", 1),
        ".coverage.py3.12.linux": Cell("linux", "3.12"),
    }
    missing, _ = check(files, ["linux", "macos"], ["3.12"], 2)
    assert missing == [Cell("macos", "3.12", 2)]
    assert missing[0].describe(2) == "Python 3.12 shard 2/2 on macos"


def test_check_names_a_cell_filled_twice() -> None:
    files = {
        ".coverage.py3.12": Cell("linux", "3.12"),  # left from before the OS axis
        ".coverage.py3.12.linux": Cell("linux", "3.12"),
    }
    missing, duplicated = check(files, ["linux"], ["3.12"], 1)
    assert missing == []
    assert duplicated == [
        "Python 3.12 on linux has 2 data files (.coverage.py3.12, .coverage.py3.12.linux): one "
        "is left over from another run or uploaded twice; delete the extra one"
    ]


def test_line_endings_do_not_change_the_code_fingerprint(tmp_path: Path) -> None:
    unix, windows = tmp_path / "unix", tmp_path / "windows"
    for root, ending in ((unix, b"\n"), (windows, b"\r\n")):
        (root / "pkg").mkdir(parents=True)
        (root / "pkg" / "mod.py").write_bytes(b"a = 1" + ending + b"b = 2" + ending)
    assert coverage_data.code_fingerprint(unix, ["pkg"]) == coverage_data.code_fingerprint(
        windows, ["pkg"]
    )
    (windows / "pkg" / "mod.py").write_bytes(b"a = 1\r\nb = 3\r\n")
    assert coverage_data.code_fingerprint(unix, ["pkg"]) != coverage_data.code_fingerprint(
        windows, ["pkg"]
    )
