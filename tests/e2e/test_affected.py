"""End-to-end: affected-test selection on the sample project, real nox and pytest."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import NoxRun, RunNox, add_config

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

SESSION = "tests-3.13"


def committed(project: Path) -> Path:
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "start"],
    ):
        subprocess.run(command, cwd=project, check=True)
    return project


def ran(project: Path) -> set[str]:
    """The tests the last run's JUnit report holds."""
    junit = (project / "reports" / f"junit-{SESSION}.xml").read_text()
    import xml.etree.ElementTree as ElementTree

    return {
        f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
        for case in ElementTree.fromstring(junit).iter("testcase")
    }


def summary(project: Path) -> str:
    return (project / "reports" / f"summary-{SESSION}.md").read_text()


def changed_after_a_map(project: Path, run_nox: RunNox, old: str, new: str) -> NoxRun:
    """A first --affected run (the map), then report.py's `old` made `new` and --affected
    again: that run."""
    committed(project)
    first = run_nox(project, "-s", SESSION, "--", "--affected")
    assert first.returncode == 0, first
    report = project / "src" / "sample" / "report.py"
    report.write_text(report.read_text().replace(old, new))
    return run_nox(project, "-s", SESSION, "--", "--affected")


def mapped(project: Path, run_nox: RunNox) -> None:
    """The first --affected run: no map yet, so the whole suite, and the map written."""
    first = run_nox(project, "-s", SESSION, "--", "--affected")
    assert first.returncode == 0, first
    assert "whole suite: no map of an earlier full run" in summary(project)
    assert len(ran(project)) == 4
    written = json.loads((project / "reports/affected-map/py3.13/map.json").read_text())
    assert len(written["tests"]) == 4 and "src/sample/shapes.py" in written["sources"]


def test_a_missing_map_runs_all_then_a_changed_function_runs_only_its_tests(
    sample: Path, run_nox: RunNox
) -> None:
    committed(sample)
    mapped(sample, run_nox)
    report = sample / "src" / "sample" / "report.py"
    report.write_text(report.read_text().replace("mean {sum", "mean {1 + sum"))
    selected = run_nox(sample, "-s", SESSION, "--", "--affected")
    # Only the test that executes describe() runs, and it fails as the whole suite would.
    assert selected.returncode != 0, selected
    assert ran(sample) == {"tests/test_report.py::test_describe_many"}
    assert "1 of 4 tests selected" in summary(sample) and "`src/sample/report.py`" in summary(
        sample
    )
    assert "partial" in selected.output
    whole = run_nox(sample, "-s", SESSION)
    assert whole.returncode != 0 and len(ran(sample)) == 4


def test_a_changed_conftest_runs_every_test(sample: Path, run_nox: RunNox) -> None:
    committed(sample)
    mapped(sample, run_nox)
    (sample / "tests" / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef everywhere():\n    yield\n"
    )
    result = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert result.returncode == 0, result
    assert len(ran(sample)) == 4
    assert "whole suite: tests/conftest.py changed" in summary(sample)


def test_a_tier_selects_in_ci_and_its_coverage_gate_takes_the_partial_figure(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(
        sample,
        '[tool.ci_sessions]\npython = ["3.13"]\n\n[tool.ci_sessions.narrow.pr]\naffected = true\n',
    )
    committed(sample)
    full = run_nox(sample, "-s", SESSION)  # a full run of a project that selects keeps a map
    assert full.returncode == 0, full
    assert (sample / "reports/affected-map/py3.13/map.json").is_file()
    shapes = sample / "src" / "sample" / "shapes.py"
    shapes.write_text(shapes.read_text().replace('"older than 3.13"', '"before 3.13"'))
    tier = {"CI_SESSIONS_TIER": "pr"}
    result = run_nox(sample, "-s", SESSION, "coverage", env=tier)
    assert result.returncode == 0, result
    assert ran(sample) == {"tests/test_shapes.py::test_python_line"}
    gate = (sample / "reports" / "coverage-summary.md").read_text()
    assert "Partial figure: tier pr: the affected tests" in gate
    # On main, CI runs the whole suite whatever the tier says.
    main = {**tier, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}
    whole = run_nox(sample, "-s", SESSION, env=main)
    assert whole.returncode == 0 and len(ran(sample)) == 4
    assert "whole suite: on main the whole suite runs" in summary(sample)


def test_code_a_session_fixture_runs_reaches_every_test_that_shares_it(
    sample: Path, run_nox: RunNox
) -> None:
    (sample / "tests" / "conftest.py").write_text(
        "import pytest\n\nfrom sample.report import describe\n\n\n"
        '@pytest.fixture(scope="session")\ndef described() -> str:\n'
        "    return describe([1.0])\n"
    )
    (sample / "tests" / "test_described.py").write_text(
        "def test_first(described: str) -> None:\n    assert described.startswith('one')\n\n\n"
        "def test_second(described: str) -> None:\n    assert described.endswith('1.0')\n"
    )
    result = changed_after_a_map(sample, run_nox, 'f"one value: {values[0]}"', '"one"')
    # test_second never ran describe() itself: the fixture did, once, in test_first's set-up.
    assert ran(sample) == {
        "tests/test_report.py::test_describe_many",
        "tests/test_described.py::test_first",
        "tests/test_described.py::test_second",
    }
    assert result.returncode != 0, result  # test_second fails, as in the whole suite


def test_a_test_that_runs_the_code_in_a_child_process_runs_when_the_code_changes(
    sample: Path, run_nox: RunNox
) -> None:
    # Two ways a child starts: os.posix_spawn (3.13, no cwd), and fork_exec (a cwd given).
    (sample / "tests" / "test_child.py").write_text(
        "import subprocess\nimport sys\n\nimport pytest\n\n\n"
        "@pytest.mark.parametrize('cwd', [None, '.'])\n"
        "def test_in_a_child(cwd: str | None) -> None:\n"
        "    code = 'from sample.report import describe; print(describe([1.0, 3.0]))'\n"
        "    args = [sys.executable, '-c', code]\n"
        "    done = subprocess.run(args, capture_output=True, text=True, cwd=cwd)\n"
        "    assert done.stdout.strip() == '2 values, mean 2.0'\n"
    )
    result = changed_after_a_map(sample, run_nox, "mean {sum", "mean {1 + sum")
    # describe() never ran in test_in_a_child's process: the child ran it, unmeasured.
    assert ran(sample) == {
        "tests/test_report.py::test_describe_many",
        "tests/test_child.py::test_in_a_child[None]",
        "tests/test_child.py::test_in_a_child[.]",
    }
    assert result.returncode != 0, result


def test_patch_coverage_still_applies_to_a_selected_run(sample: Path, run_nox: RunNox) -> None:
    add_config(
        sample,
        '[tool.ci_sessions]\npython = ["3.13"]\n\n[tool.ci_sessions.narrow.pr]\naffected = true\n'
        '\n[tool.ci_sessions.coverage]\npatch-fail-under = 100\ncompare-branch = "main"\n',
    )
    (sample / ".gitignore").write_text("reports/\n.nox/\n")
    committed(sample)
    assert run_nox(sample, "-s", SESSION).returncode == 0  # main's map
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=sample, check=True)
    report = sample / "src" / "sample" / "report.py"
    report.write_text(
        report.read_text().replace(
            "    if len(values) == 1:",
            "    count = len(values)\n    if count > 100:\n        return 'many'\n"
            "    if count == 1:",
        )
    )
    result = run_nox(sample, "-s", SESSION, "coverage", env={"CI_SESSIONS_TIER": "pr"})
    assert ran(sample) == {"tests/test_report.py::test_describe_many"}
    # The selected test runs `count = ...` and one way of each new `if` (branch coverage:
    # partly run), not `return 'many'`: 1 of the 4 changed lines.
    assert result.returncode != 0, result
    assert (
        "patch coverage 25.00% against main is below patch-fail-under 100% "
        "(3 of 4 changed lines not run)"
    ) in result.output
    assert "Partial figure: tier pr: the affected tests" in result.output


def edited_after_a_map(
    sample: Path, run_nox: RunNox, name: str, module: str, tests: str, edit: tuple[str, str]
) -> NoxRun:
    """A module and its tests added to the sample, a map made, the module edited, then
    the selected run."""
    (sample / "src" / "sample" / f"{name}.py").write_text(module)
    (sample / "tests" / f"test_{name}.py").write_text(tests)
    committed(sample)
    first = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert first.returncode == 0, first
    (sample / "src" / "sample" / f"{name}.py").write_text(module.replace(*edit))
    return run_nox(sample, "-s", SESSION, "--", "--affected")


RENDER = """class Renderer:
    def __init__(self) -> None:
        self._keys = True

    @property
    def sort_keys(self) -> bool:
        return self._keys

    @sort_keys.setter
    def sort_keys(self, value: bool) -> None:
        self._keys = value
"""
RENDER_TESTS = """from sample.render import Renderer


def test_reads() -> None:
    assert Renderer().sort_keys is True


def test_writes() -> None:
    renderer = Renderer()
    renderer.sort_keys = False
    assert renderer._keys is False
"""


def test_a_changed_property_getter_with_a_setter_runs_the_test_that_fails(
    sample: Path, run_nox: RunNox
) -> None:
    """#30's hard case: keyed by name, the setter hid the getter, and a negated getter
    selected no test while one failed."""
    edit = ("return self._keys", "return not self._keys")
    selected = edited_after_a_map(sample, run_nox, "render", RENDER, RENDER_TESTS, edit)
    assert selected.returncode != 0, selected
    assert "tests/test_render.py::test_reads" in ran(sample)
    assert "tests/test_report.py::test_describe_many" not in ran(sample)


FAMILY = """class Base:
    def name(self) -> str:
        return "base"


class Child(Base):
    def size(self) -> int:
        return 1
"""
FAMILY_TESTS = """from sample.family import Child


def test_child_name() -> None:
    assert Child().name() == "base"


def test_size() -> None:
    assert Child().size() == 1
"""


def test_a_method_added_that_overrides_an_inherited_one_runs_the_test_that_fails(
    sample: Path, run_nox: RunNox
) -> None:
    """#30: a method added to a class ran the whole suite. Now it runs the tests of the
    class (test_size) and of the method it overrides (Base.name, which test_child_name ran
    through a Child), and no other."""
    override = '        return 1\n\n    def name(self) -> str:\n        return "child"\n'
    selected = edited_after_a_map(
        sample, run_nox, "family", FAMILY, FAMILY_TESTS, ("        return 1\n", override)
    )
    assert selected.returncode != 0, selected
    assert ran(sample) == {
        "tests/test_family.py::test_child_name",
        "tests/test_family.py::test_size",
    }


def test_a_new_function_named_like_a_builtin_runs_the_whole_suite(
    sample: Path, run_nox: RunNox
) -> None:
    """#30's hard case: a `def len` added to a module selected 0 tests while 67 failed."""
    selected = changed_after_a_map(
        sample,
        run_nox,
        "def describe",
        "def len(obj: object) -> int:\n    return 0\n\n\ndef describe",
    )
    assert selected.returncode != 0, selected
    assert "replacing the builtin" in summary(sample)
    assert len(ran(sample)) == 4


def test_a_docstring_added_to_a_function_runs_no_test(sample: Path, run_nox: RunNox) -> None:
    """#30: a docstring-only change selected 135 of 155 tests of a real project."""
    signature = "def describe(values: list[float]) -> str:\n"
    selected = changed_after_a_map(
        sample, run_nox, signature, signature + '    """What the values are, in words."""\n'
    )
    assert selected.returncode == 0, selected
    assert ran(sample) == set()
    assert "0 of 4 tests selected" in summary(sample), summary(sample)


def test_a_changed_test_runs_alone_not_its_whole_module(sample: Path, run_nox: RunNox) -> None:
    """#30: any edit of a test module ran all its tests (135 of 155 for one edited test)."""
    committed(sample)
    mapped(sample, run_nox)
    module = sample / "tests" / "test_shapes.py"
    module.write_text(module.read_text().replace("area(2, 3) == 6", "area(3, 2) == 6"))
    selected = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert selected.returncode == 0, selected
    assert ran(sample) == {"tests/test_shapes.py::test_area"}


def test_a_changed_constant_runs_the_tests_of_the_functions_that_read_it(
    sample: Path, run_nox: RunNox
) -> None:
    """#30: a module-level change ran the whole suite; a constant now runs its readers."""
    shapes = sample / "src" / "sample" / "shapes.py"
    shapes.write_text(
        shapes.read_text()
        .replace("import sys\n", "import sys\n\nNEWEST = (3, 13)\n")
        .replace("sys.version_info >= (3, 13)", "sys.version_info >= NEWEST")
    )
    committed(sample)
    mapped(sample, run_nox)
    shapes.write_text(shapes.read_text().replace("NEWEST = (3, 13)", "NEWEST = (3, 99)"))
    selected = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert selected.returncode == 0, selected
    assert ran(sample) == {"tests/test_shapes.py::test_python_line"}  # its one reader


def test_a_whole_run_names_a_failing_test_selection_would_have_left_out(
    sample: Path, run_nox: RunNox
) -> None:
    """#30 3: the scheduled full run measures selection's misses against the map of the run
    before; a failure the change did not reach (here: the environment broke a test) is
    named, and fails the run."""
    add_config(sample, "[tool.ci_sessions.narrow.pr]\naffected = true\n")
    (sample / "tests" / "test_env.py").write_text(
        "import os\n\n\ndef test_env() -> None:\n    assert 'BREAK_IT' not in os.environ\n"
    )
    committed(sample)
    first = run_nox(sample, "-s", SESSION)  # a full run of a selecting project: the map
    assert first.returncode == 0, first
    report = sample / "src" / "sample" / "report.py"
    report.write_text(report.read_text().replace("mean {sum", "mean {0 + sum"))
    whole = run_nox(sample, "-s", SESSION, env={"BREAK_IT": "1"})
    assert whole.returncode != 0, whole
    assert "affected selection would have left out 1 failing test(s) on this change: " in (
        whole.output
    )
    assert "tests/test_env.py::test_env" in summary(sample)
    assert "missed 1 failing one(s)" in summary(sample)


DATA_TESTS = """import json
from pathlib import Path

HERE = Path(__file__).parent


def test_limits() -> None:
    assert json.loads((HERE / "data" / "limits.json").read_text())["max"] == 10


def test_every_case_is_even() -> None:
    cases = sorted((HERE / "cases").iterdir())
    assert cases and all(int(case.read_text()) % 2 == 0 for case in cases)
"""


def data_mapped(sample: Path, run_nox: RunNox) -> None:
    """The sample with a test reading a data file, one listing a folder of cases, and a
    file no test reads; committed and mapped."""
    (sample / "tests" / "data").mkdir()
    (sample / "tests" / "data" / "limits.json").write_text('{"max": 10}')
    (sample / "tests" / "cases").mkdir()
    (sample / "tests" / "cases" / "two.txt").write_text("2")
    (sample / "tests" / "test_data.py").write_text(DATA_TESTS)
    (sample / "CHANGES.txt").write_text("1.0: the first release\n")
    committed(sample)
    first = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert first.returncode == 0, first
    assert len(ran(sample)) == 6


def test_a_data_file_runs_the_test_that_reads_it_and_a_file_none_reads_runs_none(
    sample: Path, run_nox: RunNox
) -> None:
    """#30 2: the plugin records the files each test opened (an audit hook on open): a
    broken data file runs its reader, which fails (no miss), and a file no test opened (a
    changelog, CI settings) runs no test instead of the whole suite."""
    data_mapped(sample, run_nox)
    (sample / "CHANGES.txt").write_text("1.1: a second release\n")
    nothing = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert nothing.returncode == 0, nothing
    assert ran(sample) == set()
    assert "0 of 6 tests selected" in summary(sample), summary(sample)
    (sample / "tests" / "data" / "limits.json").write_text('{"max": 11}')
    broken = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert broken.returncode != 0, broken
    assert ran(sample) == {"tests/test_data.py::test_limits"}


def test_a_file_added_to_a_folder_a_test_lists_runs_that_test(
    sample: Path, run_nox: RunNox
) -> None:
    """#30 2: a new case in a folder a test iterates was opened by no test yet; the test
    that listed the folder runs, and fails on the odd case."""
    data_mapped(sample, run_nox)
    (sample / "tests" / "cases" / "three.txt").write_text("3")
    selected = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert selected.returncode != 0, selected
    assert ran(sample) == {"tests/test_data.py::test_every_case_is_even"}


def test_a_file_read_at_import_runs_the_whole_suite(sample: Path, run_nox: RunNox) -> None:
    """#30 2: what a module reads when it is imported (here a test module, at collection)
    may reach any test: its change runs them all, and says why."""
    (sample / "tests" / "threshold.txt").write_text("3")
    (sample / "tests" / "test_threshold.py").write_text(
        "from pathlib import Path\n\n"
        'THRESHOLD = int((Path(__file__).parent / "threshold.txt").read_text())\n\n\n'
        "def test_threshold() -> None:\n    assert THRESHOLD == 3\n"
    )
    committed(sample)
    first = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert first.returncode == 0, first
    (sample / "tests" / "threshold.txt").write_text("4")
    whole = run_nox(sample, "-s", SESSION, "--", "--affected")
    assert whole.returncode != 0, whole
    assert len(ran(sample)) == 5
    assert "tests/threshold.txt changed: it was read at import or collection" in summary(sample)


def test_install_only_with_selection_on_installs_on_a_fresh_and_a_warm_venv(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    """#30 5: `--install-only` with selection on crashed on a fresh venv (facts.json
    missing) and failed on a warm one ("pytest ended before writing its report")."""
    committed(sample)
    for attempt in ("fresh", "warm"):
        result = run_nox(
            sample, "-s", SESSION, "--install-only", "--", "--affected", envdir=tmp_path / "e"
        )
        assert result.returncode == 0, (attempt, result)
        assert "--install-only: installed; the tests run on the next call" in result.output
    assert not (sample / "reports" / f"junit-{SESSION}.xml").exists()  # nothing ran
