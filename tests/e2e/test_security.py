"""End-to-end, offline: the security session against the real PyPA advisory data."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    ADVISORY_DB,
    FIXTURES,
    RunNox,
    add_config,
    ci_sessions,
    new_copy,
    set_keys,
)

pytestmark = [pytest.mark.e2e, pytest.mark.newest_python]

# The snapshot is from 2024-10-10; the age gate is tested on its own below.
SNAPSHOT_AGE_OK = "max-db-age-days = 100000"


def advisory_db() -> Path:
    if not (ADVISORY_DB / "requests" / "PYSEC-2018-28.yaml").is_file():
        raise AssertionError(
            f"the advisory database snapshot is missing at {ADVISORY_DB}; these tests "
            "need shared/advisory-db beside the repository"
        )
    return ADVISORY_DB


@pytest.fixture
def webapp(projects_dir: Path) -> Path:
    project = new_copy(projects_dir, FIXTURES / "webapp")
    add_config(
        project,
        f'[tool.ci_sessions.security]\ndb = "{advisory_db()}"\n{SNAPSHOT_AGE_OK}',
    )
    return project


def pin_requests(project: Path, version: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("requests==2.19.1", f"requests=={version}"))


def report(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "reports" / "vulnerabilities.json").read_text())
    return data


def test_a_vulnerable_pin_fails_and_the_report_names_it(webapp: Path, run_nox: RunNox) -> None:
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "PYSEC-2018-28" in result.output
    found = report(webapp)["vulnerabilities"]
    entry = next(v for v in found if v["advisory_id"] == "PYSEC-2018-28")
    assert entry["package"] == "requests"
    assert entry["installed_version"] == "2.19.1"
    assert "2.20.0" in entry["fixed_versions"]
    # Transitive dependencies are resolved and scanned too.
    assert "urllib3" in {v["package"] for v in found}
    for name in ("bandit.json", "bandit.sarif", "security-summary.md"):
        assert (webapp / "reports" / name).is_file(), name


def test_a_fixed_version_passes(webapp: Path, run_nox: RunNox) -> None:
    pin_requests(webapp, "2.32.3")
    result = run_nox(webapp, "-s", "security")
    assert result.returncode == 0, result
    assert "## Security: passed" in result.output
    assert "requests==2.32.3" in report(webapp)["scanned"]


def test_an_unpinned_requirement_is_resolved_and_checked(webapp: Path, run_nox: RunNox) -> None:
    pyproject = webapp / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"requests==2.19.1"', '"requests<2.20"'))
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "PYSEC-2018-28" in result.output


def test_eval_of_input_fails_bandit(webapp: Path, run_nox: RunNox) -> None:
    pin_requests(webapp, "2.32.3")
    (webapp / "src" / "webapp" / "calc.py").write_text("def calc():\n    return eval(input())\n")
    result = run_nox(webapp, "-s", "security", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode != 0, result
    assert "bandit: 1 finding(s)" in result.output
    assert "::error file=src/webapp/calc.py,line=2,title=bandit B307::" in result.output
    sarif = json.loads((webapp / "reports" / "bandit.sarif").read_text())
    assert sarif["runs"][0]["results"]


def test_an_advisory_bandit_level_warns_below_the_failing_one(
    webapp: Path, run_nox: RunNox
) -> None:
    """Low-severity findings warn, medium ones still fail, none passes clean."""
    pin_requests(webapp, "2.32.3")
    pyproject = webapp / "pyproject.toml"  # the fixture's last table is [...security]
    pyproject.write_text(pyproject.read_text() + 'bandit-warn-severity = "low"\n')
    module = webapp / "src" / "webapp" / "calc.py"
    module.write_text("import subprocess  # B404: low severity\n\nRUN = subprocess.run\n")
    on_github = {"GITHUB_ACTIONS": "true"}
    warns = run_nox(webapp, "-s", "security", env=on_github)
    assert warns.returncode == 0, warns
    assert "## Security: passed with warnings" in warns.output
    assert "::warning file=src/webapp/calc.py,line=1,title=bandit B404::" in warns.output
    assert "security: warning: bandit: 1 finding(s) below the failing levels" in warns.output
    module.write_text(module.read_text() + "\n\ndef calc():\n    return eval(input())\n")
    fails = run_nox(webapp, "-s", "security", env=on_github)
    assert fails.returncode != 0, fails
    assert "bandit: 1 finding(s)" in fails.output  # the eval; the import still only warns
    assert "::error file=src/webapp/calc.py,line=7,title=bandit B307::" in fails.output
    module.write_text("def calc() -> int:\n    return 1\n")
    passes = run_nox(webapp, "-s", "security")
    assert passes.returncode == 0, passes
    assert "## Security: passed\n" in passes.output


def test_a_file_bandit_cannot_parse_fails(webapp: Path, run_nox: RunNox) -> None:
    pin_requests(webapp, "2.32.3")
    (webapp / "src" / "webapp" / "broken.py").write_text("def broken(:\n    pass\n")
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "bandit could not scan" in result.output
    assert "broken.py" in result.output


def test_a_missing_database_fails_clearly(webapp: Path, run_nox: RunNox, tmp_path: Path) -> None:
    result = run_nox(webapp, "-s", "security", env={"CI_SESSIONS_VULN_DB": str(tmp_path / "nope")})
    assert result.returncode != 0, result
    assert "vulnerability database from $CI_SESSIONS_VULN_DB cannot be used" in result.output
    assert "does not exist" in result.output


def test_a_corrupt_database_fails_clearly(webapp: Path, run_nox: RunNox, tmp_path: Path) -> None:
    mirror = tmp_path / "vulns"
    shutil.copytree(advisory_db() / "requests", mirror / "requests")
    (mirror / "requests" / "PYSEC-2018-28.yaml").write_text("id: [unclosed\n  : :\n")
    result = run_nox(webapp, "-s", "security", env={"CI_SESSIONS_VULN_DB": str(mirror)})
    assert result.returncode != 0, result
    assert "PYSEC-2018-28.yaml: not a readable OSV advisory" in result.output


def test_an_old_database_fails(webapp: Path, run_nox: RunNox) -> None:
    pyproject = webapp / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(SNAPSHOT_AGE_OK, "max-db-age-days = 30"))
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "older than max-db-age-days = 30: update the mirror" in result.output


def test_a_library_without_dependencies_has_nothing_to_scan(webapp: Path, run_nox: RunNox) -> None:
    pyproject = webapp / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["requests==2.19.1"]', "[]"))
    result = run_nox(webapp, "-s", "security")
    assert result.returncode == 0, result
    assert "No runtime dependency declared: nothing to scan." in result.output


def test_declared_dependencies_that_resolve_to_nothing_fail(webapp: Path, run_nox: RunNox) -> None:
    pyproject = webapp / "pyproject.toml"
    text = pyproject.read_text().replace('["requests==2.19.1"]', "[]")
    text = text.replace(
        "[tool.ci_sessions]",
        '[dependency-groups]\ntest = []\n\n[tool.ci_sessions]\ntest-groups = ["test"]',
    )
    pyproject.write_text(text)
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "no dependency to scan" in result.output
    # The fix it suggests is TOML that can be pasted under the table it names.
    assert "under [tool.ci_sessions.security] in " in result.output
    assert ': scanners = ["bandit"]' in result.output


def ignore_entry(expires: date) -> str:
    return (
        '[[tool.ci_sessions.security.ignore]]\nid = "PYSEC-2018-28"\n'
        'reason = "only talks to our own https host"\n'
        f"expires = {expires.isoformat()}"
    )


def test_an_ignore_with_a_reason_passes_and_expires(webapp: Path, run_nox: RunNox) -> None:
    # Only PYSEC-2018-28 affects requests 2.19.1 among what is left after the
    # other pins: accept it, and pin urllib3/idna/chardet to versions the
    # snapshot knows no advisory for.
    pyproject = webapp / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '["requests==2.19.1"]', '["requests==2.19.1", "urllib3==1.23"]'
        )
    )
    baseline = run_nox(webapp, "-s", "security")
    others = {v["advisory_id"] for v in report(webapp)["vulnerabilities"]} - {"PYSEC-2018-28"}
    accepted = "\n".join(
        f'[[tool.ci_sessions.security.ignore]]\nid = "{other}"\nreason = "test: accepted"'
        for other in sorted(others)
    )
    add_config(webapp, accepted)
    current = new_copy(webapp.parent.parent, webapp)
    add_config(current, ignore_entry(date.today() + timedelta(days=30)))
    passing = run_nox(current, "-s", "security")
    assert baseline.returncode != 0, baseline
    assert passing.returncode == 0, passing
    assert "PYSEC-2018-28, only talks to our own https host" in passing.output

    add_config(webapp, ignore_entry(date.today() - timedelta(days=1)))
    expired = run_nox(webapp, "-s", "security")
    assert expired.returncode != 0, expired
    assert "ignore entry PYSEC-2018-28 expired on" in expired.output


@pytest.mark.newest_python
def test_a_dependency_for_an_older_python_of_the_matrix_is_scanned(
    webapp: Path, run_nox: RunNox
) -> None:
    """The session runs on 3.13, where this marker installs a fixed requests; 3.11 does not."""
    pyproject = webapp / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace(
            '["requests==2.19.1"]',
            "[\"requests==2.19.1; python_version < '3.12'\", "
            "\"requests==2.32.3; python_version >= '3.12'\"]",
        )
        .replace('python = ["3.13"]', 'python = ["3.11", "3.12", "3.13"]')
    )
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "PYSEC-2018-28" in result.output
    assert {"requests==2.19.1", "requests==2.32.3"} <= set(report(webapp)["scanned"])


@pytest.mark.newest_python
def test_reusing_the_venv_still_scans_the_current_dependencies(
    webapp: Path, run_nox: RunNox
) -> None:
    pin_requests(webapp, "2.32.3")
    assert run_nox(webapp, "-s", "security").returncode == 0
    pyproject = webapp / "pyproject.toml"
    # Nothing is installed under -R; the scan must still see the new pin.
    pyproject.write_text(pyproject.read_text().replace("requests==2.32.3", "requests==2.19.1"))
    result = run_nox(webapp, "-R", "-s", "security")
    assert result.returncode != 0, result
    assert "PYSEC-2018-28" in result.output


@pytest.mark.newest_python
def test_an_ignore_entry_the_database_does_not_know_fails(webapp: Path, run_nox: RunNox) -> None:
    pin_requests(webapp, "2.32.3")
    add_config(
        webapp,
        '[[tool.ci_sessions.security.ignore]]\nid = "PYSEC-1999-999"\nreason = "long gone"',
    )
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert (
        "ignore: entry PYSEC-1999-999 matches no advisory of the database: remove it"
        in result.output
    )


@pytest.mark.newest_python
def test_bandit_crashing_on_its_configuration_is_one_clear_failure(
    webapp: Path, run_nox: RunNox
) -> None:
    pin_requests(webapp, "2.32.3")
    add_config(webapp, "[tool.bandit]\nskips = 5")  # bandit crashes (TypeError), exit 1, no report
    result = run_nox(webapp, "-s", "security")
    assert result.returncode != 0, result
    assert "bandit crashed and wrote no usable report" in result.output
    assert "JSONDecodeError" not in result.output


@pytest.mark.newest_python
def test_init_accepts_the_findings_the_code_has_and_a_new_one_fails(
    sample: Path, run_nox: RunNox
) -> None:
    """#29 7: a first run is green and honest. init runs bandit once, writes what the code
    has today to a baseline it names and lists; security passes, counting it as accepted;
    a new finding fails."""
    module = sample / "src" / "sample" / "legacy.py"
    module.write_text("def compute(text: str) -> object:\n    return eval(text)\n")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e", *command], cwd=sample, check=True
        )
    init = ci_sessions(sample, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "1 bandit finding(s) the code has today, accepted" in init.stdout, init.stdout
    assert "src/sample/legacy.py:2: B307" in init.stdout
    assert (sample / ".bandit-baseline.json").is_file()
    set_keys(sample, "tool.ci_sessions.security", scanners='["bandit"]')
    accepted = run_nox(sample, "-s", "security")
    assert accepted.returncode == 0, accepted
    assert "no finding" in accepted.output and "1 accepted by the baseline" in accepted.output
    module.write_text(module.read_text() + "\n\ndef run(code: str) -> None:\n    exec(code)\n")
    new = run_nox(sample, "-s", "security")
    assert new.returncode != 0, new
    assert "B102" in new.output
