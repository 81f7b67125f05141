"""End-to-end: gates that once passed when they had to fail (issue 15), now failing.

Each test runs real nox on a copy of the sample project with one fault put in.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import FIXTURES, RunNox, add_config, new_copy
from tests.e2e.test_coverage import git

# These exercise the sessions' glue, which does not depend on the Python that
# runs nox: once, on the newest, is enough.
pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

ONE_PYTHON = '[tool.ci_sessions]\npython = ["3.13"]'


def test_a_test_that_exits_the_process_fails_tests_and_flaky(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "test_exit.py").write_text(
        "import os\n\n\ndef test_leaves_early():\n    os._exit(0)\n"
    )
    tests = run_nox(sample, "-s", "tests-3.13")
    assert tests.returncode != 0, tests
    assert "pytest ended before writing its report (exit 0)" in tests.output
    flaky = run_nox(sample, "-s", "flaky")
    assert flaky.returncode != 0, flaky
    assert "flaky, run 1: pytest ended before writing its report" in flaky.output
    assert "Traceback" not in flaky.output


def test_a_corrupt_data_file_is_named(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, ONE_PYTHON)
    assert run_nox(sample, "-s", "tests-3.13").returncode == 0
    data = sample / "reports" / "coverage-data" / ".coverage.py3.13"
    data.write_text("garbage\n")
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0, result
    assert f"coverage: unreadable data file: {data}" in result.output


def test_old_data_on_changed_code_does_not_count(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\npython = ["3.12", "3.13"]')
    assert run_nox(sample, "-s", "tests").returncode == 0
    same_code = run_nox(sample, "-s", "coverage")  # another nox run, the same code: counts
    assert same_code.returncode == 0, same_code
    assert "an earlier run on the same code" in same_code.output
    shapes = sample / "src" / "sample" / "shapes.py"
    shapes.write_text(shapes.read_text() + "\n\ndef unused() -> int:\n    return 1\n")
    # 3.13 runs again; 3.12's data is from before the change.
    result = run_nox(sample, "-s", "tests-3.13", "coverage")
    assert result.returncode != 0, result
    assert ".coverage.py3.12 is from an earlier run (tests-3.12 at" in result.output
    assert "the code has changed since: run tests-3.12 again" in result.output


def test_a_missing_newest_interpreter_moves_the_gates_and_says_so(
    sample: Path, run_nox: RunNox
) -> None:
    # The sample has no dependency to scan: bandit alone keeps security offline and green.
    add_config(
        sample,
        '[tool.ci_sessions]\npython = ["3.12", "3.99"]\n'
        '[tool.ci_sessions.security]\nscanners = ["bandit"]',
    )
    result = run_nox(sample, env={"CI": None})  # locally: skipped with a hint, never hidden
    assert result.returncode == 0, result
    assert "python3.99 does not start here, so the single-Python sessions" in result.output
    assert "tests-3.99 is skipped (with CI set it fails)" in result.output
    for name in ("lint", "coverage", "security", "build"):
        assert f"Running session {name}" in result.output, name
    assert "Session lint was successful" in result.output
    assert "no coverage data from Python 3.99, which does not start here" in result.output
    assert "## Coverage: passed with warnings" in result.output
    on_ci = run_nox(sample, "-s", "tests-3.99")
    assert on_ci.returncode != 0, on_ci


def test_skip_slow_keeps_the_user_s_marker_and_the_project_s_addopts(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(
        sample,
        ONE_PYTHON + "\n[tool.pytest.ini_options]\naddopts = \"-m 'not stress'\"\n"
        'markers = ["slow", "voice", "stress"]',
    )
    (sample / "tests" / "test_marked.py").write_text(
        "import pytest\n\n\n"
        "@pytest.mark.slow\ndef test_slow():\n    pass\n\n\n"
        "@pytest.mark.voice\ndef test_voice():\n    pass\n\n\n"
        "@pytest.mark.stress\ndef test_stress():\n    pass\n\n\n"
        "def test_plain():\n    pass\n"
    )
    result = run_nox(
        sample, "-s", "tests-3.13", "--", "-m", "not voice", env={"CI_SESSIONS_SKIP_SLOW": "1"}
    )
    assert result.returncode == 0, result
    assert "-m '(not slow) and (not stress) and (not voice)'" in result.output
    summary = (sample / "reports" / "summary-tests-3.13.md").read_text()
    assert "5 passed." in summary  # the sample's 4 and test_plain
    assert not any(name in summary for name in ("test_slow", "test_voice", "test_stress"))


def test_inherited_tests_are_named_as_pytest_names_them(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "mixins.py").write_text(
        "class Checks:\n    value = 1\n\n    def test_value(self):\n"
        "        assert self.value == 1\n"
    )
    (sample / "tests" / "test_inherit.py").write_text(
        "from mixins import Checks\n\n\nclass TestGood(Checks):\n    pass\n\n\n"
        "class TestBad(Checks):\n    value = 2\n"
    )
    (sample / "tests" / "conftest.py").write_text(
        "import sys\nfrom pathlib import Path\n\nsys.path.insert(0, str(Path(__file__).parent))\n"
    )
    result = run_nox(sample, "-s", "flaky")
    assert result.returncode != 0, result
    flaky = json.loads((sample / "reports" / "flaky.json").read_text())
    assert [f["id"] for f in flaky["failing_every_run"]] == [
        "tests/test_inherit.py::TestBad::test_value"
    ]
    assert flaky["flaky"] == []
    assert flaky["tests"] == 6  # the sample's 4 and both subclasses
    tests = run_nox(sample, "-s", "tests-3.13")
    summary = (sample / "reports" / "summary-tests-3.13.md").read_text()
    assert tests.returncode != 0
    assert "5 passed, 1 failed." in summary
    assert "| `tests/test_inherit.py::TestBad::test_value` | failed |" in summary


def test_a_hanging_test_fails_with_its_name(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, ONE_PYTHON + "\ntest-timeout = 2")
    (sample / "tests" / "test_hangs.py").write_text(
        "import time\n\n\ndef test_waits_forever():\n    time.sleep(600)\n"
    )
    result = run_nox(sample, "-s", "tests-3.13")
    assert result.returncode != 0, result
    assert "Timeout (>2.0s) from pytest-timeout" in result.output
    summary = (sample / "reports" / "summary-tests-3.13.md").read_text()
    assert "| `tests/test_hangs.py::test_waits_forever` | failed | Failed: Timeout" in summary


def test_a_wrong_package_is_refused_before_anything_runs(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\npackage = "sampel"')
    result = run_nox(sample, "-l")
    assert result.returncode != 0, result
    assert "package: package 'sampel' not found in src/ or the project root" in result.output
    assert "Traceback" not in result.output


def test_a_setuptools_install_s_own_output_is_not_a_change(
    projects_dir: Path, run_nox: RunNox
) -> None:
    project = new_copy(projects_dir, FIXTURES / "flat_app")
    git(project, "init", "-q", "-b", "main")  # build/ and *.egg-info are not ignored
    first = run_nox(project, "-s", "tests-3.13")
    assert first.returncode == 0, first
    assert list(project.glob("*.egg-info")), "the fixture no longer writes its egg-info"
    second = run_nox(project, "-s", "tests-3.13")
    assert second.returncode == 0, second
    assert "reused venv, nothing changed since its install of: ." in second.output
    # A file rewritten with the same content (as a test that regenerates one does): its
    # time changed, not what is installed (#29: every `nox -r` reinstalled).
    module = project / "flat_app" / "__init__.py"
    module.write_bytes(module.read_bytes())
    touched = run_nox(project, "-s", "tests-3.13")
    assert touched.returncode == 0, touched
    assert "reused venv, nothing changed since its install of: ." in touched.output
    module.write_text("def crunch(n):\n    return -1\n")
    changed = run_nox(project, "-s", "tests-3.13")
    assert changed.returncode != 0, changed  # the edit was installed and tested


def test_tests_that_measure_none_of_the_package_fail_the_gate_in_one_line(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(sample, ONE_PYTHON)
    for test in (sample / "tests").glob("test_*.py"):
        test.unlink()
    (sample / "tests" / "test_alone.py").write_text("def test_alone():\n    assert True\n")
    assert run_nox(sample, "-s", "tests-3.13").returncode == 0
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0, result
    assert (
        "coverage: .coverage.py3.13 (written by tests-3.13) measured no line of sample"
        in result.output
    )
    assert "Traceback" not in result.output and "NoDataError" not in result.output


def test_patch_coverage_in_a_shallow_clone_says_to_fetch_the_history(
    sample: Path, run_nox: RunNox, projects_dir: Path
) -> None:
    add_config(
        sample,
        ONE_PYTHON
        + '\n[tool.ci_sessions.coverage]\npatch-fail-under = 80\ncompare-branch = "origin/main"',
    )
    (sample / ".gitignore").write_text("reports/\n.nox/\n")
    git(sample, "init", "-q", "-b", "main")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "base")
    git(sample, "checkout", "-q", "-b", "feature")
    (sample / "src" / "sample" / "extra.py").write_text("VALUE = 1\n")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "feature")
    git(sample, "checkout", "-q", "main")
    (sample / "README.md").write_text("main moved on\n")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "main moves")
    clone = projects_dir / "shallow-clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "-b",
            "feature",
            f"file://{sample}",
            str(clone),
        ],
        check=True,
    )
    result = run_nox(clone, "-s", "tests-3.13", "coverage")
    assert result.returncode != 0, result
    assert "no common commit in this shallow clone: fetch the full history" in result.output
    assert "Traceback" not in result.output
