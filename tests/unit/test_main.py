from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ci_sessions.__main__ import main


def test_check_config_prints_what_it_resolved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    (tmp_path / "demo").mkdir()
    pyproject.write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.12"]\n'
        '[tool.coverage.report]\nfail_under = "95"\n'
    )
    assert main(["check-config", str(pyproject)]) == 0
    out = capsys.readouterr().out
    assert f"# {pyproject}: OK" in out
    assert 'python = ["3.12"]' in out  # TOML, not Python's repr
    assert "fail-under = 95.0  # from [tool.coverage.report] fail_under" in out
    assert "# [tool.ci_sessions.integration] not configured: no such session" in out


def test_check_config_reports_the_bad_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "demo"\n[tool.ci_sessions]\npythn = ["3.12"]\n')
    assert main(["check-config", str(pyproject)]) == 2
    assert "unknown key 'pythn' (did you mean 'python'?)" in capsys.readouterr().err


def test_doctor_lists_what_is_found_and_fails_on_a_missing_interpreter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    (tmp_path / "demo").mkdir()
    pyproject.write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.11", "3.99"]\n'
    )
    code = main(["doctor", str(pyproject)])
    out = capsys.readouterr().out
    assert code == 1
    assert "MISSING python3.99 (needed by tests-3.99): -> `uv python install 3.99`" in out
    assert "ok      python3.11 (needed by tests-3.11): /" in out
    assert "MISSING noxfile dependencies, as CI installs them (needed by CI)" in out
    assert "2 missing thing(s) that a session needs" in out


def test_check_config_is_toml_for_nested_tables_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    (tmp_path / "demo").mkdir()
    (tmp_path / "tests").mkdir()
    pyproject.write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.12", "3.13"]\n'
        '[tool.ci_sessions.narrow.pr]\npython = ["3.13"]\nskip-slow = true\n'
        '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\nmarkers = "not slow"\n'
        '[tool.ci_sessions.workflow.triggers]\nnightly = { cron = "0 2 * * *" }\n'
        "[tool.ci_sessions.workflow.jobs.lint]\ntimeout-minutes = 20\n"
    )
    assert main(["check-config", str(pyproject)]) == 0
    out = capsys.readouterr().out
    for python_repr in ("Narrowing(", "Suite(", "Trigger(", "JobOptions(", "=('"):
        assert python_repr not in out
    shown = tomllib.loads(out)["tool"]["ci_sessions"]
    assert shown["narrow"]["pr"] == {"python": ["3.13"], "skip-slow": True, "affected": False}
    assert shown["suites"]["e2e"]["markers"] == "not slow"
    assert shown["suites"]["e2e"]["tier"] == ["pr", "nightly"]
    assert shown["workflow"]["triggers"]["nightly"]["cron"] == ["0 2 * * *"]
    assert shown["workflow"]["jobs"]["lint"]["timeout-minutes"] == 20
