"""build, changes and report as nox runs them, over a real nox.Session and a fake runner."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci_sessions.config import Config
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    Script,
    commands,
    make_session,
    project,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest


def builds(*names: str) -> Script:
    """`python -m build --outdir DIST .`, writing these files."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        if argv[1:3] == ["-m", "build"]:
            dist = Path(argv[argv.index("--outdir") + 1])
            dist.mkdir(parents=True, exist_ok=True)
            for name in names:
                (dist / name).write_text("")
        return 0, ""

    return script


def test_build_checks_one_sdist_and_one_wheel_with_twine(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    commands.on("python", builds("demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"))
    registered(config, "build")(make_session(tmp_path / "s", name="build"))
    [twine] = [argv for argv in commands.ran if argv[0] == "twine"]
    assert twine[:2] == ["twine", "check"] and len(twine) == 4


def test_a_platform_wheel_warns(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    wheel = "demo-1.0-cp313-cp313-linux_x86_64.whl"
    commands.on("python", builds("demo-1.0.tar.gz", wheel))
    registered(config, "build")(make_session(tmp_path / "s", name="build"))
    record = (config.root / "reports" / "pipeline.d" / "build.json").read_text()
    assert '"status": "warn"' in record


def test_a_build_that_gives_no_wheel_fails(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path)
    commands.on("python", builds("demo-1.0.tar.gz"))
    with pytest.raises(Quit, match=r"build: expected one sdist and one wheel, got demo-1.0"):
        registered(config, "build")(make_session(tmp_path / "s", name="build"))


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@e.invalid"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


def run_changes(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str
) -> str:
    """The changes session over a pushed commit that changes one file: its GITHUB_OUTPUT."""
    git(config.root, "init", "-q", "-b", "main")
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "base")
    (config.root / changed).parent.mkdir(parents=True, exist_ok=True)
    (config.root / changed).write_text("changed\n")
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "change")
    output = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("CI_SESSIONS_BEFORE", "HEAD~1")
    monkeypatch.chdir(config.root)
    registered(config, "changes")(make_session(tmp_path / "s", name="changes"))
    return output.read_text()


@pytest.mark.parametrize(("changed", "code"), [("README.md", "false"), ("src/demo/x.py", "true")])
def test_changes_tells_the_workflow_whether_code_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str, code: str
) -> None:
    assert run_changes(project(tmp_path), tmp_path, monkeypatch, changed) == f"code={code}\n"


def test_changes_without_the_history_it_needs_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path)
    git(config.root, "init", "-q", "-b", "main")
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "only one")
    monkeypatch.setenv("CI_SESSIONS_BEFORE", "0123456789abcdef0123456789abcdef01234567")
    with pytest.raises(Quit, match=r"git diff against .* failed: .*fetch-depth: 0"):
        registered(config, "changes")(make_session(tmp_path / "s", name="changes"))


def test_the_report_needs_records_of_this_run_and_writes_one_table(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    with pytest.raises(Quit, match=r"report: no session of this run wrote a record"):
        registered(config, "report")(make_session(tmp_path / "a", name="report"))
    commands.on("python", builds("demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"))
    registered(config, "build")(make_session(tmp_path / "b", name="build"))
    registered(config, "report")(make_session(tmp_path / "c", name="report"))
    table = (config.root / "reports" / "pipeline.md").read_text()
    assert table.startswith("## Pipeline: passed\n")
    assert "| build |" in table
