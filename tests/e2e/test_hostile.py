"""End-to-end: the hostile cases of issue 26, each a real nox run on a copy of the sample
with one fault put in, each failing (or warning) as it must, and saying why.

Every test here passed, crashed or leaked before its fix.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    FIXTURES,
    NoxRun,
    RunNox,
    add_config,
    clean_env,
    new_copy,
    typed,
)
from tests.e2e.test_coverage import git

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

ONE_PYTHON = '[tool.ci_sessions]\npython = ["3.13"]\n'
# A conftest whose hooks lie, each turned on by $HOSTILE.
LYING_CONFTEST = """
import os
import pytest

MODE = os.environ.get("HOSTILE", "")

if MODE == "exitstatus":
    def pytest_sessionfinish(session, exitstatus):
        session.exitstatus = 0

if MODE == "rewrite":
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if report.failed:
            report.outcome = "passed"
"""


@pytest.fixture
def hostile(sample: Path) -> Path:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "conftest.py").write_text(LYING_CONFTEST)
    (sample / "tests" / "test_zz_fault.py").write_text(
        "def test_fails() -> None:\n    assert 1 == 2\n"
    )
    return sample


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("exitstatus", "pytest exited 0 all the same (a hook such as pytest_sessionfinish"),
        ("rewrite", "test_fails (failed; a hook rewrote its report to passed)"),
    ],
)
def test_a_hook_that_hides_a_failure_fails_the_run(
    hostile: Path, run_nox: RunNox, mode: str, said: str
) -> None:
    result = run_nox(hostile, "-s", "tests-3.13", env={"HOSTILE": mode})
    assert result.returncode != 0, result
    assert "1 of 5 tests failed (20.0%), above no failure budget" in result.output
    assert said in result.output


def test_pytest_exit_and_a_killed_run_say_where_they_stopped(
    hostile: Path, run_nox: RunNox
) -> None:
    (hostile / "tests" / "test_zz_fault.py").write_text(
        "import os, signal\nimport pytest\n\n"
        "def test_stops() -> None:\n"
        "    if os.environ['STOP'] == 'exit':\n"
        "        pytest.exit('leaving early', returncode=0)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    exited = run_nox(hostile, "-s", "tests-3.13", env={"STOP": "exit"})
    assert exited.returncode != 0, exited
    assert (
        "the run was stopped before its end by pytest.exit('leaving early') inside "
        "tests/test_zz_fault.py::test_stops, after 4 test(s) reported" in exited.output
    )
    assert "--no-cov" not in exited.output  # was the diagnosis
    summary = (hostile / "reports" / "summary-tests-3.13.md").read_text()
    assert "4 passed, 1 unfinished." in summary  # was "6 passed"
    killed = run_nox(hostile, "-s", "tests-3.13", env={"STOP": "kill"})
    assert killed.returncode != 0, killed
    assert (
        "pytest ended before writing its report (killed by SIGKILL), while running "
        "tests/test_zz_fault.py::test_stops; 4 test(s) had reported (4 passed)" in killed.output
    )


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[tool.pytest.ini_options]\naddopts = "--co"', "pytest only collected the tests"),
        ('pytest-args = ["--collect-only"]', "pytest only collected the tests"),
        (
            '[tool.pytest.ini_options]\naddopts = "-p no:junitxml"',
            "pytest wrote no JUnit report to",
        ),
    ],
)
def test_a_run_that_ran_nothing_or_wrote_no_report_fails(
    sample: Path, run_nox: RunNox, table: str, said: str
) -> None:
    head, _, rest = table.partition("\n")
    config = ONE_PYTHON + table if not head.startswith("[") else f"{ONE_PYTHON}{head}\n{rest}"
    add_config(sample, config)
    result = run_nox(sample, "-s", "tests-3.13")
    assert result.returncode != 0, result
    assert said in result.output


def test_every_test_skipped_fails_unless_the_project_means_it(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "conftest.py").write_text(
        "import pytest\n\n\ndef pytest_collection_modifyitems(items):\n"
        "    for index, item in enumerate(items):\n"
        "        mark = pytest.mark.xfail(run=False) if index % 2 else pytest.mark.skip('off')\n"
        "        item.add_marker(mark)\n"
    )
    failed = run_nox(sample, "-s", "tests-3.13")
    assert failed.returncode != 0, failed
    assert "every test was skipped (2 skipped, 2 xfail(run=False) not run)" in failed.output
    add_config(sample, 'all-skipped = "warn"')
    warned = run_nox(sample, "-s", "tests-3.13")
    assert warned.returncode == 0, warned
    assert 'nothing was checked (all-skipped = "warn")' in warned.output


SECRET_TESTS = """
import os
import subprocess
import sys


def test_token_in_a_message() -> None:
    assert os.environ["MY_API_KEY"] == "", os.environ["MY_API_KEY"]


def test_prints_the_environment() -> None:
    print(dict(os.environ))
    assert "postgresql://bob:hunter2-in-a-url@127.0.0.1/db" == ""


def test_starts_a_server_and_forgets_it() -> None:
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True
    )
"""


def test_secrets_never_reach_the_console_reports_or_annotations_and_no_process_is_left(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "test_secrets.py").write_text(SECRET_TESTS)
    step_summary = tmp_path / "step-summary.md"
    secrets = {
        "MY_API_KEY": "sk-live-0123456789abcdef",
        "GITHUB_TOKEN": "ghp_0123456789abcdefghij",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-K7MDENG-bPxRfiCY",
    }
    result = run_nox(
        sample,
        "-s",
        "tests-3.13",
        env={**secrets, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)},
    )
    assert result.returncode != 0, result
    shown = result.output.replace("::add-mask::", "\n::add-mask::")
    console = "\n".join(line for line in shown.splitlines() if not line.startswith("::add-mask"))
    written = [step_summary, *sorted((sample / "reports").rglob("*.xml"))]
    written += sorted((sample / "reports").rglob("*.md")) + sorted(
        (sample / "reports").rglob("*.json")
    )
    for secret in [*secrets.values(), "hunter2-in-a-url"]:
        assert secret not in console, secret
        assert secret[:12] not in console, secret  # nor cut short by pytest ("sk-live-0123...")
        for path in written:
            assert secret not in path.read_text(), (secret, path)
    assert "::error file=tests/test_secrets.py" in result.output
    # The server a test started and forgot: stopped at the session's end, and named.
    assert "1 process(es) started by this session's commands were still running" in result.output
    assert "time.sleep(120)" in result.output
    left = subprocess.run(["pgrep", "-f", "time.sleep\\(120\\)"], capture_output=True, text=True)
    assert left.stdout == "", left.stdout


def test_stray_processes_fail_the_session_when_the_project_says_so(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(sample, ONE_PYTHON + 'stray-processes = "fail"')
    (sample / "tests" / "test_server.py").write_text(
        "import subprocess, sys\n\n\ndef test_forgets() -> None:\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    )
    result = run_nox(sample, "-s", "tests-3.13")
    assert result.returncode != 0, result
    assert 'stray-processes = "fail")' in result.output


def measured_data(sample: Path, run_nox: RunNox) -> Path:
    add_config(sample, '[tool.ci_sessions]\npython = ["3.12", "3.13"]')
    assert run_nox(sample, "-s", "tests").returncode == 0
    return sample / "reports" / "coverage-data" / ".coverage.py3.12"


def test_coverage_data_that_measured_nothing_is_named(sample: Path, run_nox: RunNox) -> None:
    data = measured_data(sample, run_nox)
    kept = data.read_bytes()
    data.write_bytes(b"")  # a 0-byte file beside its run record
    empty = run_nox(sample, "-s", "coverage")
    assert empty.returncode != 0, empty
    assert ".coverage.py3.12 (written by tests-3.12) measured no line of sample" in empty.output
    data.write_bytes(kept)
    with sqlite3.connect(data) as database:  # a valid database, every row deleted
        for table in ("line_bits", "arc", "file", "context"):
            database.execute(f"delete from {table}")
    deleted = run_nox(sample, "-s", "coverage")
    assert deleted.returncode != 0, deleted
    assert ".coverage.py3.12 (written by tests-3.12) measured no line of sample" in deleted.output


def test_another_project_s_coverage_data_is_named(
    sample: Path, projects_dir: Path, run_nox: RunNox
) -> None:
    data = measured_data(sample, run_nox)
    other = new_copy(projects_dir, FIXTURES / "bench_app")  # measures bench_app, not sample
    assert run_nox(other, "-s", "tests-3.13").returncode == 0
    shutil.copy2(other / "reports" / "coverage-data" / ".coverage.py3.13", data)
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0, result
    assert ".coverage.py3.12 (written by tests-3.12) measured no line of sample" in result.output
    assert "(combined)" not in result.output


def in_namespace(project: Path, setup: str, *args: str) -> NoxRun:
    """nox in a mount namespace of its own (unshare, as any user), after a shell `setup`
    (a tmpfs or a read-only bind mount over the project) that only it sees."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to fill a disk or make a checkout read-only")
    return typed(
        project, *args, prefix=["unshare", "-rm", "sh", "-c", f'{setup} && exec "$@"', "sh"]
    )


def test_a_full_disk_a_read_only_checkout_and_a_file_for_reports_are_one_line(
    sample: Path, run_nox: RunNox
) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "reports").mkdir()
    full = in_namespace(
        sample,
        "mount -t tmpfs -o size=64k tmpfs reports && "
        "{ dd if=/dev/zero of=reports/filler bs=1k count=60 2>/dev/null; true; }",
        "-s",
        "tests-3.13",
    )
    assert full.returncode != 0, full
    assert "no space left on the device (errno 28)" in full.output
    # pytest's own INTERNALERROR is its output; what ci-sessions says is one line.
    assert "Traceback" not in full.output.split("nox > Command pytest")[-1]
    assert typed(sample, "-s", "tests-3.13").returncode == 0  # a venv to reuse read-only
    read_only = in_namespace(sample, "mount --bind -o ro . .", "-R", "-s", "tests-3.13")
    assert read_only.returncode != 0, read_only
    assert "the file system is read-only (errno 30); run from a writable checkout" in (
        read_only.output
    )
    assert "Traceback" not in read_only.output
    shutil.rmtree(sample / "reports")
    (sample / "reports").write_text("a file where the reports folder goes\n")
    in_the_way = run_nox(sample, "-s", "tests-3.13")
    assert in_the_way.returncode != 0, in_the_way
    assert "a file is where a folder is needed (errno 17)" in in_the_way.output
    assert "Traceback" not in in_the_way.output


def test_a_second_run_in_the_same_project_waits_for_the_first(sample: Path) -> None:
    add_config(sample, ONE_PYTHON)
    (sample / "tests" / "test_slow.py").write_text(
        "import time\n\n\ndef test_takes_a_while() -> None:\n    time.sleep(4)\n"
    )
    assert typed(sample, "-s", "tests-3.13").returncode == 0  # the runs then overlap in pytest
    first = subprocess.Popen(
        [sys.executable, "-m", "nox", "-s", "tests-3.13"],
        cwd=sample,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(2)
    second = typed(sample, "-s", "tests-3.13")
    first_output, _ = first.communicate(timeout=600)
    assert first.returncode == 0, first_output  # its venv was not cleared under it
    assert second.returncode == 0, second
    assert "is in use by another nox run (pid" in second.output
    assert "waiting for it to end" in second.output


def test_a_bad_marker_expression_fails_before_any_install(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, ONE_PYTHON + 'test-markers = "(not slow"')
    result = run_nox(sample, "-s", "tests-3.13")
    assert result.returncode != 0, result
    assert "[tool.ci_sessions] test-markers: not a pytest -m expression" in result.output
    assert "uv pip install" not in result.output


def test_the_install_s_own_files_are_no_change_for_affected_selection(projects_dir: Path) -> None:
    project = projects_dir / "flatcalc"
    (project / "calc").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "calc" / "__init__.py").write_text(
        "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    )
    (project / "tests" / "test_add.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    (project / "tests" / "test_sub.py").write_text(
        "from calc import sub\n\n\ndef test_sub():\n    assert sub(3, 2) == 1\n"
    )
    (project / "noxfile.py").write_text((FIXTURES / "sample" / "noxfile.py").read_text())
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "calc"\nversion = "0.1"\n' + ONE_PYTHON
    )
    # build/ is not ignored: the install writes build/lib/calc/__init__.py into the project.
    (project / ".gitignore").write_text(".nox/\nci-reports/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "calc")
    mapped = typed(project, "-s", "tests-3.13", "--", "--affected")
    assert mapped.returncode == 0, mapped
    assert (project / "build" / "lib" / "calc" / "__init__.py").is_file()
    source = project / "calc" / "__init__.py"
    source.write_text(source.read_text().replace("a - b", "-(b - a)"))
    selected = typed(project, "-s", "tests-3.13", "--", "--affected")
    assert selected.returncode == 0, selected
    assert "build/lib" not in selected.output and "egg-info" not in selected.output
    assert "1 of 2 tests selected" in (project / "ci-reports" / "summary-tests-3.13.md").read_text()
