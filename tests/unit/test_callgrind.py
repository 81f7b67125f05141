"""callgrind: instruction counts read from real dumps pytest-codspeed made under valgrind."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.families.benchmark import callgrind

DUMPS = Path(__file__).parents[1] / "fixtures" / "callgrind"


def test_a_benchmark_dump_gives_its_uri_and_total() -> None:
    text = (DUMPS / "benchmark.out").read_text()
    [total_line] = [line for line in text.splitlines() if line.startswith("totals:")]
    assert callgrind.dump_count(text) == ("/tmp/cg/test_c.py::test_small", int(total_line[7:]))


def test_metadata_and_unrelated_dumps_are_skipped() -> None:
    assert callgrind.dump_count((DUMPS / "metadata.out").read_text()) is None
    assert callgrind.dump_count("desc: Trigger: Program termination\ntotals: 5\n") is None


def test_counts_names_benchmarks_relative_to_the_project() -> None:
    texts = [(DUMPS / name).read_text() for name in ("metadata.out", "benchmark.out")]
    found = callgrind.counts(texts, Path("/tmp/cg"))
    assert list(found) == ["test_c.py::test_small"]
    assert found["test_c.py::test_small"] > 1000


def test_a_benchmark_outside_the_project_keeps_its_uri() -> None:
    assert callgrind.relative_name("/elsewhere/t.py::test_x[1]", Path("/proj")) == (
        "/elsewhere/t.py::test_x[1]"
    )
    assert callgrind.relative_name("/proj/b/t.py::test_x[1]", Path("/proj")) == "b/t.py::test_x[1]"


def test_the_command_fixes_the_address_layout_and_counts_only_benchmarks() -> None:
    command = callgrind.command("x86_64", "/out/cg.%p")
    assert command[:3] == ["setarch", "x86_64", "-R"]
    assert "--instr-atstart=no" in command and "--callgrind-out-file=/out/cg.%p" in command
    assert callgrind.ENVIRONMENT["PYTHONHASHSEED"] == "0"


def test_the_environment_is_small_and_fixed() -> None:
    env = callgrind.environment({"PATH": "/bin", "TERM": "xterm", "COLUMNS": "80", "HOME": "/h"})
    assert env == {"PATH": "/bin", "HOME": "/h", "LANG": "C.UTF-8", **callgrind.ENVIRONMENT}
