"""End-to-end: the session list, lint and tests-<python> on the sample project."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from ci_sessions import workflow
from ci_sessions.registry import load_config
from tests.e2e.conftest import RunNox, add_config

pytestmark = pytest.mark.e2e


def session_names(listing: str) -> list[str]:
    return [entry["session"] for entry in json.loads(listing)]


def junit_tests(path: Path) -> int:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    return sum(int(suite.get("tests", "0")) for suite in suites)


def test_list_shows_lint_and_the_matrix(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "--json", "-l")
    assert result.returncode == 0, result
    assert session_names(result.stdout) == [
        "lint",
        "tests-3.11",
        "tests-3.12",
        "tests-3.13",
        "coverage",
        "security",
        "build",
        "report",  # last: the pipeline's one report
    ]


def test_the_generator_sees_the_sessions_register_excludes(sample: Path, run_nox: RunNox) -> None:
    """One configuration channel: the project's own lint replaces ci-sessions' one through
    register(exclude=...), and the workflow has a job for the project's lint, not ours."""
    noxfile = sample / "noxfile.py"
    noxfile.write_text(
        noxfile.read_text().replace(
            "ci_sessions.register()",
            'ci_sessions.register(exclude=["lint"])\n\n\n'
            '@nox.session(tags=["pr"])\ndef lint(session: nox.Session) -> None:\n'
            '    session.log("our own lint")\n',
        )
    )
    config = load_config(sample / "pyproject.toml")
    files = workflow.generated(config)
    document = yaml.safe_load(files[workflow.WORKFLOW_PATH] or "")
    job = document["jobs"]["lint"]
    steps = [step for step in job["steps"] if "SESSION" in step.get("env", {})]
    assert [step["env"]["SESSION"] for step in steps] == ["lint"]
    # The project's own session's job: it waits for `changes`, as every project job does,
    # where ci-sessions' lint job runs on every change (it was kept before).
    assert job["needs"] == ["changes"]
    listed = run_nox(sample, "--json", "-l")
    assert "already been registered" not in listed.output
    check = run_nox(sample, "-s", "lint")
    assert "our own lint" in check.output, check


def test_lint_passes_on_clean_code(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "lint")
    assert result.returncode == 0, result
    assert "passed: ruff, black, mypy" in result.output


@pytest.mark.parametrize(
    ("change", "failing_tool"),
    [
        ("import os\n", "ruff"),
        ("SIZES = { 'a':1,'b' :2 }\n", "black"),
        ('def broken() -> int:\n    return "text"\n', "mypy"),
    ],
    ids=["unused-import", "unformatted", "type-error"],
)
def test_lint_fails_naming_the_tool(
    sample: Path, run_nox: RunNox, change: str, failing_tool: str
) -> None:
    module = sample / "src" / "sample" / "extra.py"
    module.write_text(change)
    result = run_nox(sample, "-s", "lint")
    assert result.returncode != 0, result
    assert f"failed: {failing_tool} (exit" in result.output
    others = {"ruff", "black", "mypy"} - {failing_tool}
    assert not any(f"{tool} (exit" in result.output for tool in others), result


def test_an_advisory_type_checker_warns_while_the_others_still_fail(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    """The policy "style warnings don't fail the build": mypy advisory, ruff blocking."""
    add_config(sample, '[tool.ci_sessions]\nlint-advisory = ["mypy"]')
    module = sample / "src" / "sample" / "extra.py"
    module.write_text('def broken() -> int:\n    return "text"\n')
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    warns = run_nox(sample, "-s", "lint", env=env)
    assert warns.returncode == 0, warns
    assert "passed: ruff, black; warned: mypy (exit 1, advisory)" in warns.output
    assert "::warning file=src/sample/extra.py,line=2,title=mypy [return-value]::" in warns.output
    assert "::warning title=ci-sessions::lint: mypy (exit 1, advisory)" in warns.output
    assert summary.read_text().startswith("## lint: passed with warnings")
    module.write_text('import os\n\n\ndef broken() -> int:\n    return "text"\n')
    fails = run_nox(sample, "-s", "lint")
    assert fails.returncode != 0, fails
    assert "failed: ruff (exit 1); warned: mypy (exit 1, advisory)" in fails.output
    module.write_text("def fixed() -> int:\n    return 1\n")
    passes = run_nox(sample, "-s", "lint")
    assert passes.returncode == 0, passes
    assert "warned" not in passes.output


@pytest.mark.parametrize(
    ("budget", "expected"),
    [("0.05", "fails"), ("0.10", "warns"), ("0.10 + fixed", "passes")],
)
def test_a_failure_budget_fails_warns_or_passes(
    sample: Path, run_nox: RunNox, budget: str, expected: str
) -> None:
    """The policy "more than 10% failures blocks", on 10 tests of which one fails."""
    failing = "assert False, 'flaky backend'" if expected != "passes" else "assert True"
    (sample / "tests" / "test_budget.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('n', range(5))\n"
        "def test_more(n):\n    assert n >= 0\n\n\n"
        f"def test_backend():\n    {failing}\n"
    )
    add_config(sample, f"[tool.ci_sessions]\nmax-failure-rate = {budget.split()[0]}")
    result = run_nox(sample, "-s", "tests-3.13", env={"GITHUB_ACTIONS": "true"})
    if expected == "fails":
        assert result.returncode != 0, result
        assert "1 of 10 tests failed (10.0%), above max-failure-rate 5.0%" in result.output
        assert "::error file=tests/test_budget.py" in result.output
    elif expected == "warns":
        assert result.returncode == 0, result
        why = "1 of 10 tests failed (10.0%), within max-failure-rate 10.0%"
        assert f"tests-3.13: warning: {why}" in result.output
        assert f"Failure budget: {why}." in result.output
        # Still listed and annotated one by one.
        assert "| `tests/test_budget.py::test_backend` | failed |" in result.output
        assert "::warning file=tests/test_budget.py,line=" in result.output
    else:
        assert result.returncode == 0, result
        assert "10 passed" in result.output and "Failure budget" not in result.output


def test_a_pass_after_a_retry_counts_once_and_warns_as_flaky(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    """pytest-rerunfailures retries a test that fails once: one test, not two, and a warning."""
    pyproject = sample / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.black]",
            '[dependency-groups]\ntest = ["pytest-rerunfailures>=15"]\n\n[tool.black]',
        )
    )
    add_config(
        sample, '[tool.ci_sessions]\ntest-groups = ["test"]\npytest-args = ["--reruns", "2"]'
    )
    marker = tmp_path / "attempted"
    (sample / "tests" / "test_retried.py").write_text(
        "from pathlib import Path\n\n\ndef test_backend():\n"
        f"    marker = Path({str(marker)!r})\n"
        "    first = not marker.exists()\n"
        "    marker.touch()\n"
        "    assert not first, 'backend not ready'\n"
    )
    result = run_nox(sample, "-s", "tests-3.13", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result
    assert "5 passed." in result.output  # four and the retried one, counted once
    assert "### Passed only after a retry (flaky)" in result.output
    assert "| `tests/test_retried.py::test_backend` | 1 | AssertionError: backend not ready" in (
        result.output
    )
    warning = "tests-3.13: 1 test(s) passed only after a retry (flaky, not a clean pass)"
    assert f"::warning title=ci-sessions::{warning}" in result.output


def test_lint_never_edits_even_with_ruff_fix_true(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, "[tool.ruff]\nfix = true")
    module = sample / "src" / "sample" / "extra.py"
    module.write_text("import os\n\nVALUE = 1\n")
    before = module.read_text()
    result = run_nox(sample, "-s", "lint")
    assert result.returncode != 0, result
    assert module.read_text() == before

    fixed = run_nox(sample, "-s", "format")
    assert fixed.returncode == 0, fixed
    assert "import os" not in module.read_text()
    assert run_nox(sample, "-s", "lint").returncode == 0


def test_lint_posargs_replace_the_paths(sample: Path, run_nox: RunNox) -> None:
    (sample / "src" / "sample" / "extra.py").write_text("import os\n")
    result = run_nox(sample, "-s", "lint", "--", "src/sample/shapes.py")
    assert result.returncode == 0, result
    # ruff is not configured here: the baseline rules, not a newer ruff's wider defaults
    baseline = "--select E4,E7,E9,F"
    assert f"ruff check --no-fix --force-exclude {baseline} src/sample/shapes.py" in result.output
    assert "lint: ruff check, the baseline rules (E4, E7, E9, F)" in result.output


def test_lint_fails_when_a_tool_checks_no_file(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ruff]\nextend-exclude = ["src", "tests"]')
    pyproject = sample / "pyproject.toml"
    text = pyproject.read_text().replace(
        "[tool.black]\n", '[tool.black]\nextend-exclude = "src|tests"\n'
    )
    pyproject.write_text(text)
    result = run_nox(sample, "-s", "lint")
    assert result.returncode != 0, result
    nothing = "checked no file: every path is excluded by the tool's settings or a .gitignore"
    assert f"failed: ruff ({nothing}), black ({nothing})" in result.output


def test_lint_fails_on_a_missing_path(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\npaths = ["lib"]')
    result = run_nox(sample, "-s", "lint")
    assert result.returncode != 0, result
    assert "[tool.ci_sessions] paths: lib does not exist" in result.output


def test_tests_pass_and_write_reports(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "tests-3.12")
    assert result.returncode == 0, result
    assert junit_tests(sample / "reports" / "junit-tests-3.12.xml") == 4
    assert (sample / "reports" / "coverage-data" / ".coverage.py3.12").stat().st_size > 0


@pytest.mark.newest_python
def test_a_reused_venv_reinstalls_only_after_a_change(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    envdir = tmp_path / "envs"
    subprocess.run(["git", "init", "-q"], cwd=sample, check=True)
    first = run_nox(sample, "-s", "tests-3.12", envdir=envdir)
    assert first.returncode == 0, first
    assert "pip install ." in first.output

    # -r again, nothing changed (the reports it wrote do not count): no installer runs.
    again = run_nox(sample, "-s", "tests-3.12", envdir=envdir)
    assert again.returncode == 0, again
    assert "pip install" not in again.output
    assert "nothing changed since its install of: ." in again.output

    shapes = sample / "src" / "sample" / "shapes.py"
    shapes.write_text(shapes.read_text().replace("return width * height", "return width + height"))
    # -R keeps the old install, and says that the code under test is not the work tree's.
    stale = run_nox(sample, "-R", "-s", "tests-3.12", envdir=envdir)
    assert "pip install" not in stale.output
    assert "kept the old install" in stale.output
    # -r reinstalls the changed project, and its tests see the change.
    changed = run_nox(sample, "-s", "tests-3.12", envdir=envdir)
    assert "pip install ." in changed.output
    assert changed.returncode != 0, changed
    assert "failed" in changed.output


def test_posargs_reach_pytest(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "tests-3.12", "--", "-k", "negative")
    assert result.returncode == 0, result
    assert junit_tests(sample / "reports" / "junit-tests-3.12.xml") == 1


def test_tests_fail_on_a_failing_test(sample: Path, run_nox: RunNox) -> None:
    (sample / "tests" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    result = run_nox(sample, "-s", "tests-3.12")
    assert result.returncode != 0, result
    assert "1 failed, 4 passed" in result.output
    assert "1 of 5 tests failed (20.0%), above no failure budget: tests/test_broken.py" in (
        result.output
    )


def test_tests_fail_when_nothing_is_collected(sample: Path, run_nox: RunNox) -> None:
    for test_file in (sample / "tests").glob("test_*.py"):
        test_file.unlink()
    (sample / "tests" / "__init__.py").write_text("")
    result = run_nox(sample, "-s", "tests-3.12")
    assert result.returncode != 0, result
    assert "pytest collected no tests from tests" in result.output


def test_tests_fail_on_a_missing_test_folder(sample: Path, run_nox: RunNox) -> None:
    add_config(sample, '[tool.ci_sessions]\ntest-paths = ["spec"]')
    result = run_nox(sample, "-s", "tests-3.12")
    assert result.returncode != 0, result
    assert "[tool.ci_sessions] test-paths: spec does not exist" in result.output


def test_bad_key_fails_before_any_venv(sample: Path, run_nox: RunNox, tmp_path: Path) -> None:
    add_config(sample, '[tool.ci_sessions]\ntest-path = ["t"]')
    pyproject = sample / "pyproject.toml"
    envdir = tmp_path / "envs"
    result = run_nox(sample, "-s", "lint", envdir=envdir)
    assert result.returncode != 0, result
    assert "unknown key 'test-path' (did you mean 'test-paths'?)" in result.output
    assert str(pyproject) in result.output
    assert "Traceback" not in result.output
    assert not envdir.exists() or not any(envdir.iterdir())


@pytest.mark.parametrize(("ci", "expected_code"), [("true", 1), (None, 0)])
def test_missing_interpreter_fails_on_ci_only(
    sample: Path, run_nox: RunNox, ci: str | None, expected_code: int
) -> None:
    add_config(sample, '[tool.ci_sessions]\npython = ["3.99"]')
    result = run_nox(sample, "-s", "tests-3.99", env={"CI": ci})
    assert result.returncode == expected_code, result
    if ci is None:
        assert "skipped" in result.output
        assert "uv python install 3.99" in result.output
    else:
        assert "Session tests-3.99 failed: Python interpreter 3.99 not found" in result.output


def test_findings_become_github_annotations(sample: Path, run_nox: RunNox) -> None:
    (sample / "src" / "sample" / "extra.py").write_text(
        'import os\n\n\ndef broken() -> int:\n    return "text"\n'
    )
    (sample / "tests" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    on_github = {"GITHUB_ACTIONS": "true"}
    lint = run_nox(sample, "-s", "lint", env=on_github)
    assert lint.returncode != 0, lint
    assert (
        "::error file=src/sample/extra.py,line=5,title=mypy [return-value]::Incompatible return"
        in lint.output
    )
    assert "::error file=src/sample/extra.py,line=1,title=ruff F401::`os` imported but unused" in (
        lint.output
    )
    tests = run_nox(sample, "-s", "tests-3.12", env=on_github)
    assert tests.returncode != 0, tests
    assert (
        "::error file=tests/test_broken.py,line=1,"
        "title=tests-3.12%3A tests/test_broken.py%3A%3Atest_broken::assert 1 == 2" in tests.output
    ), tests
    plain = run_nox(sample, "-s", "lint")
    assert "::error" not in plain.output


def test_lint_appends_its_summary_to_the_step_summary(
    sample: Path, run_nox: RunNox, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    result = run_nox(sample, "-s", "lint", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result
    assert summary.read_text().startswith("## lint: passed")
    assert "| mypy | passed |" in summary.read_text()
