"""init: the requirement CI can install, what it writes down, what it never overwrites."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ci_sessions.config import Config
from ci_sessions.families.security.settings import SecurityConfig
from ci_sessions.init import init
from ci_sessions.registry import load_config
from ci_sessions.requirement import requirement_for, script_dependencies


@pytest.mark.parametrize(
    ("direct_url", "expected", "problem"),
    [
        (None, "ci-sessions==0.2.0", False),
        (
            {
                "url": "https://github.com/o/ci-sessions",
                "vcs_info": {"vcs": "git", "commit_id": "abc123"},
            },
            "ci-sessions @ git+https://github.com/o/ci-sessions@abc123",
            False,
        ),
        (
            {"url": "https://example.invalid/ci_sessions-0.2.0.tar.gz", "archive_info": {}},
            "ci-sessions @ https://example.invalid/ci_sessions-0.2.0.tar.gz",
            False,
        ),
        (
            {"url": "file:///home/me/ci-sessions", "dir_info": {"editable": True}},
            "ci-sessions",
            True,
        ),
    ],
)
def test_the_requirement_ci_can_install(
    direct_url: dict[str, object] | None, expected: str, problem: bool
) -> None:
    found, why = requirement_for("0.2.0", None if direct_url is None else json.dumps(direct_url))
    assert found == expected
    assert (why is not None) is problem
    if why:
        assert "a CI runner cannot reach" in why and "/home/me/ci-sessions" in why


def test_a_noxfile_s_script_block(tmp_path: Path) -> None:
    noxfile = tmp_path / "noxfile.py"
    noxfile.write_text(
        '# /// script\n# dependencies = ["nox>=2026.10.20", "ci-sessions==0.2.0"]\n# ///\n'
    )
    assert script_dependencies(noxfile) == ["nox>=2026.10.20", "ci-sessions==0.2.0"]
    noxfile.write_text("import nox\n")
    assert script_dependencies(noxfile) is None


def project(tmp_path: Path, pyproject: str) -> Path:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path


def written(pyproject: Path) -> list[str]:
    target = pyproject.parent / ".github" / "workflows" / "ci.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# generated\n")
    return [f"wrote {target}"]


def no_findings(config: Config) -> tuple[str | None, list[str]]:
    """The scan init runs (bandit, in a venv of its own): here, clean code."""
    return None, []


def test_init_names_the_baseline_of_the_findings_the_code_has(tmp_path: Path) -> None:
    """#29 7: where bandit finds something, init's table points the security session at
    the baseline the scan wrote, and init's lines say what was accepted."""
    root = project(tmp_path, '[project]\nname = "demo"\n')

    def findings(config: Config) -> tuple[str | None, list[str]]:
        (config.root / ".bandit-baseline.json").write_text('{"results": []}')
        return ".bandit-baseline.json", ["wrote .bandit-baseline.json: 1 bandit finding(s)"]

    steps = init(root, written, findings)
    assert "wrote .bandit-baseline.json: 1 bandit finding(s)" in steps
    text = (root / "pyproject.toml").read_text()
    assert "[tool.ci_sessions.security]\n# The bandit findings the code had at adoption" in text
    assert load_config(root / "pyproject.toml").of(SecurityConfig).bandit_baseline == (
        ".bandit-baseline.json"
    )


def test_init_writes_down_what_it_found_and_why(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[project]\nname = "demo"\nrequires-python = ">=3.12"\n'
        '[project.optional-dependencies]\ntesting = ["pytest"]\n[tool.ruff]\nline-length = 90\n'
        '[tool.ruff.format]\nquote-style = "single"\n',
    )
    subprocess.run(["git", "init", "-q", "-b", "master"], cwd=root, check=True)
    steps = init(root, written, no_findings)
    text = (root / "pyproject.toml").read_text()
    assert "# ruff check, the classic rules (E4, E7, E9, F): [tool.ruff] selects none" in text
    assert "# ruff format: [tool.ruff.format] is configured and black is not" in text
    assert 'lint-tools = ["ruff", "ruff-format"]' in text
    assert 'test-extras = ["testing"]  # found in the project' in text
    assert '[tool.ci_sessions.workflow]\nbranches = ["master"]' in text
    assert "reports/" in (root / ".gitignore").read_text()
    assert any(step.startswith("added reports/, .nox/ to") for step in steps)
    # Run again: everything kept, nothing written.
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git/" not in str(p)}
    again = init(root, written, no_findings)
    assert f"kept {root / 'noxfile.py'}: it already calls ci_sessions.register()" in again
    assert {p: p.read_bytes() for p in snapshot} == snapshot


def test_init_names_a_workflow_that_runs_beside_its_own(tmp_path: Path) -> None:
    root = project(tmp_path, '[project]\nname = "demo"\n')
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "tests.yml").write_text("on: push\n")
    steps = init(root, written, no_findings)
    assert any("also holds tests.yml, which runs beside ci.yml" in step for step in steps)


def test_init_writes_nothing_on_a_bad_configuration(tmp_path: Path) -> None:
    from ci_sessions.config import ConfigError

    root = project(tmp_path, '[project]\nname = "demo"\n[tool.ci_sessions]\npythn = ["3.12"]\n')
    with pytest.raises(ConfigError, match="unknown key 'pythn'"):
        init(root, written, no_findings)
    assert sorted(p.name for p in root.iterdir()) == ["pyproject.toml", "src"]


def test_init_writes_what_the_type_checkers_need(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[project]\nname = "demo"\nrequires-python = ">=3.12"\n[tool.mypy]\nstrict = true\n'
        '[dependency-groups]\ntyping = ["mypy", "types-requests"]\ntests = ["pytest"]\n',
    )
    (root / "requirements-lint.txt").write_text("ruff==0.11.9\n")
    init(root, written, no_findings)
    text = (root / "pyproject.toml").read_text()
    assert 'lint-groups = ["typing"]  # found in the project' in text
    assert 'lint-requirements = ["requirements-lint.txt"]  # found in the project' in text
    assert 'test-groups = ["tests"]  # found in the project' in text
