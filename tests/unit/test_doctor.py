from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.doctor import exit_code, render, run_checks, working_which
from ci_sessions.registry import load_config


def test_doctor_with_a_fake_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_SESSIONS_SERVICE_PATH", "/nonexistent")
    monkeypatch.delenv("CI_SESSIONS_VULN_DB", raising=False)
    pyproject = tmp_path / "pyproject.toml"
    (tmp_path / "demo.py").write_text("")
    pyproject.write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.12"]\n'
        '[tool.ci_sessions.integration]\nservices = ["redis"]\n'
        '[tool.ci_sessions.security]\ndb = "mirror"\n'
    )
    config = load_config(pyproject)
    (tmp_path / "noxfile.py").write_text('# /// script\n# dependencies = ["nox"]\n# ///\n')
    resolves = lambda deps: None  # noqa: E731 - CI could install them
    found = run_checks(
        config, {"python3.12": "/usr/bin/python3.12", "git": "/usr/bin/git"}.get, resolves
    )
    text = render(found)
    assert "ok      python3.12 (needed by tests-3.12): /usr/bin/python3.12" in text
    assert "absent  uv: -> `pip install uv`" in text
    assert "MISSING redis-server (needed by integration): -> apt-get install redis-server" in text
    assert (
        "MISSING vulnerability database from [tool.ci_sessions.security] db (needed by security)"
        f": -> {tmp_path / 'mirror'} does not exist" in text
    )
    assert exit_code(found) == 1
    (tmp_path / "mirror").mkdir()
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "redis-server").write_text("#!/bin/sh\n")
    (fake_bin / "redis-server").chmod(0o755)
    monkeypatch.setenv("CI_SESSIONS_SERVICE_PATH", str(fake_bin))
    found = run_checks(config, {"python3.12": "/usr/bin/python3.12"}.get, resolves)
    assert [c.name for c in found if c.missing_but_needed] == []
    assert exit_code(found) == 0
    assert render(found).endswith("all set")


def test_working_which_refuses_an_interpreter_that_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shim = tmp_path / "python3.99"
    shim.write_text("#!/bin/sh\necho 'pyenv: version not installed' >&2\nexit 127\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert working_which("python3.99") is None


def test_the_noxfile_s_dependencies_must_resolve_as_ci_resolves_them(tmp_path: Path) -> None:
    from ci_sessions.doctor import noxfile_check

    noxfile = tmp_path / "noxfile.py"
    assert noxfile_check(noxfile, lambda deps: None).missing_but_needed  # no noxfile at all
    noxfile.write_text('# /// script\n# dependencies = ["nox", "ci-sessions"]\n# ///\n')
    unpublished = noxfile_check(noxfile, lambda deps: "No solution found: ci-sessions")
    assert unpublished.missing_but_needed
    assert "nox, ci-sessions do not resolve: No solution found" in unpublished.hint
    good = noxfile_check(noxfile, lambda deps: None)
    assert good.found == "nox, ci-sessions" and not good.missing_but_needed
