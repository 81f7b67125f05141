"""lint and format as nox runs them, over a real nox.Session and a fake runner: which tools
run with which arguments, what fails the gate, what warns, and the workflow drift check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_sessions import workflow
from tests.unit.fake_nox import (
    FakeCommands,
    Quit,
    commands,
    make_session,
    project,
    registered,
)

__all__ = ["commands"]  # the fixture, imported for pytest


def ran(commands: FakeCommands, program: str) -> list[list[str]]:
    return [argv for argv in commands.ran if Path(argv[0]).name == program]


def test_an_unconfigured_project_gets_ruff_s_baseline_rules_only(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    registered(config, "lint")(make_session(tmp_path / "s", name="lint"))
    [ruff] = ran(commands, "ruff")
    assert ruff[:4] == ["ruff", "check", "--no-fix", "--force-exclude"]
    assert ruff[4:6] == ["--select", "E4,E7,E9,F"] and ruff[6:] == ["src/demo", "tests"]
    assert not ran(commands, "black") and not ran(commands, "mypy")
    # Only the tools install: no type checker needs the project.
    [installed] = [argv for argv in commands.ran if "install" in argv]
    assert "ruff>=0.17,<0.18" in installed and "." not in installed


def test_a_type_checker_sees_the_project_and_checks_the_code_not_the_tests(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path, "[tool.mypy]\nstrict = true\n[tool.black]\n")
    registered(config, "lint")(make_session(tmp_path / "s", name="lint"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert "pytest>=9.0,<10" in installed and "mypy>=2.4,<3" in installed
    [mypy] = ran(commands, "mypy")
    assert mypy == ["mypy", "src/demo"]  # without mypy's own `files`, the code only
    [black] = ran(commands, "black")
    assert black == ["black", "--check", "--diff", "src/demo", "tests"]


def test_a_type_checker_gets_what_the_noxfile_imports(
    tmp_path: Path, commands: FakeCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#29: pyright over the whole tree failed on the noxfile init wrote ("Import nox could
    not be resolved"): the noxfile's PEP 723 dependencies install beside the type checker;
    ci-sessions itself from the local folder it runs from, where it is not on an index."""
    from ci_sessions.families.lint import family

    config = project(tmp_path, "[tool.pyright]\n")
    (config.root / "noxfile.py").write_text(
        '# /// script\n# dependencies = ["nox>=2026.10.20", "ci-sessions>=0.2"]\n# ///\n'
        "import nox\n"
    )
    monkeypatch.setattr(family, "local_source", lambda: None)
    registered(config, "lint")(make_session(tmp_path / "s", name="lint"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert "nox>=2026.10.20" in installed and "ci-sessions>=0.2" in installed
    monkeypatch.setattr(family, "local_source", lambda: "ci-sessions @ file:///here")
    commands.ran.clear()
    registered(config, "lint")(make_session(tmp_path / "s1", name="lint"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert "ci-sessions @ file:///here" in installed and "ci-sessions>=0.2" not in installed
    (config.root / "noxfile.py").write_text("import nox\n")  # no script block: nothing added
    commands.ran.clear()
    registered(config, "lint")(make_session(tmp_path / "s2", name="lint"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert not any(arg.startswith("ci-sessions") for arg in installed)


@pytest.mark.parametrize(
    ("target", "pin"),
    [('"3.8"', "mypy>=1.16,<1.17"), ('"3.9"', "mypy>=1.20,<2"), ('"3.11"', "mypy>=2.4,<3")],
)
def test_mypy_installs_at_a_version_that_accepts_the_projects_target(
    tmp_path: Path, commands: FakeCommands, target: str, pin: str
) -> None:
    """#29: mypy 2 refuses python_version 3.8 and 3.9 ("not supported"), measured."""
    config = project(tmp_path, f"[tool.mypy]\npython_version = {target}\n")
    registered(config, "lint")(make_session(tmp_path / "s", name="lint"))
    installed = next(argv for argv in commands.ran if "install" in argv)
    assert pin in installed and sum(arg.startswith("mypy") for arg in installed) == 1


def test_every_tool_runs_and_the_gate_names_each_that_failed(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path, "[tool.mypy]\nstrict = true\n")
    commands.on("ruff", lambda argv, env: (1, "src/demo/__init__.py:1:1: F401 unused\n"))
    commands.on("mypy", lambda argv, env: (1, "src/demo/__init__.py:2: error: bad  [misc]\n"))
    with pytest.raises(Quit, match=r"failed: ruff \(exit 1\), mypy \(exit 1\)"):
        registered(config, "lint")(make_session(tmp_path / "s", name="lint"))


def test_an_advisory_tool_warns_and_never_fails(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, 'lint-advisory = ["mypy"]\n[tool.mypy]\nstrict = true\n')
    commands.on("mypy", lambda argv, env: (1, "src/demo/__init__.py:2: error: bad  [misc]\n"))
    registered(config, "lint")(make_session(tmp_path / "s", name="lint"))
    record = json.loads((config.root / "reports/pipeline.d/lint.json").read_text())
    assert record["status"] == "warn"
    assert record["warnings"] == ["lint: mypy (exit 1, advisory)"]


def test_posargs_replace_the_paths_and_a_tool_that_checked_nothing_fails(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    commands.on("ruff", lambda argv, env: (0, "warning: No Python files found under the path\n"))
    session = make_session(tmp_path / "s", name="lint", posargs=["src/demo/__init__.py"])
    with pytest.raises(Quit, match=r"failed: ruff \(checked no file"):
        registered(config, "lint")(session)
    [ruff] = ran(commands, "ruff")
    assert ruff[-1] == "src/demo/__init__.py"


def test_a_generated_workflow_that_drifted_fails_lint_and_a_hand_written_one_is_left(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path)
    target = config.root / workflow.WORKFLOW_PATH
    target.parent.mkdir(parents=True)
    target.write_text("name: ours\n")  # the project's own: not checked
    registered(config, "lint")(make_session(tmp_path / "a", name="lint"))
    target.write_text(workflow.HEADER + "name: stale\n")
    with pytest.raises(
        Quit, match=r"workflow \(.*ci.yml, .*dependabot.yml differ from the sessions"
    ):
        registered(config, "lint")(make_session(tmp_path / "b", name="lint"))


def test_format_applies_the_fixers_only(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(tmp_path, "[tool.black]\n[tool.mypy]\n")
    registered(config, "format")(make_session(tmp_path / "s", name="format"))
    assert ran(commands, "ruff") == [
        ["ruff", "check", "--fix", "--force-exclude", "src/demo", "tests"]
    ]
    assert ran(commands, "black") == [["black", "src/demo", "tests"]]
    assert not ran(commands, "mypy")  # a type checker has nothing to apply
