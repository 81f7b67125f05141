"""The security session as nox runs it, over a real nox.Session and a fake runner: bandit
and safety are scripted (their reports as they write them), the database is real (the
PyPA advisory snapshot beside this repository, converted as the session converts it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ci_sessions.families.security import session as security_session
from ci_sessions.registry import load_config
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

ADVISORY_DB = Path(__file__).resolve().parents[3] / "shared" / "advisory-db" / "vulns"
EVAL = {
    "filename": "src/demo/__init__.py",
    "line_number": 3,
    "test_id": "B307",
    "issue_severity": "MEDIUM",
    "issue_confidence": "HIGH",
    "issue_text": "Use of possibly insecure function - consider using safer ast.literal_eval.",
}
LOW = {**EVAL, "test_id": "B101", "issue_severity": "LOW", "issue_text": "assert used"}


def bandit(results: list[dict[str, Any]], loc: int = 12, errors: Any = ()) -> Script:
    """bandit writing its report where -o says, exit 1 on findings."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        target = Path(argv[argv.index("-o") + 1])
        report = {
            "results": results,
            "errors": list(errors),
            "metrics": {"_totals": {"loc": loc}, "src/demo/__init__.py": {"loc": loc}},
        }
        target.write_text(json.dumps(report) if argv[argv.index("-f") + 1] == "json" else "{}")
        return (1 if results else 0), ""

    return script


def uv_resolves(pins: str) -> Script:
    """uv's `pip compile ... --output-file=X`: the project's dependencies, resolved."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        if "compile" in argv:  # not the installs, which go through uv too
            output = next(arg for arg in argv if arg.startswith("--output-file="))
            Path(output.partition("=")[2]).write_text(pins)
        return 0, ""

    return script


def safety(vulnerabilities: list[dict[str, Any]], packages: int = 1) -> Script:
    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        report = {"report_meta": {"packages_found": packages}, "vulnerabilities": vulnerabilities}
        Path(argv[argv.index("--save-json") + 1]).write_text(json.dumps(report))
        return (64 if vulnerabilities else 0), ""

    return script


REQUESTS_CVE = {
    "package_name": "requests",
    "analyzed_version": "2.19.0",
    "vulnerability_id": "PYSEC-2018-28",
    "fixed_versions": ["2.20.0"],
    "advisory": "Requests sends Authorization headers over redirects.",
    "CVE": "CVE-2018-18074",
}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of the converted database for the module (converting takes a second)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def cache(converted: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CI_SESSIONS_CACHE_DIR", str(converted))
    return converted


DATABASE = f'[tool.ci_sessions.security]\ndb = "{ADVISORY_DB}"\nmax-db-age-days = 100000\n'
REQUESTS = 'dependencies = ["requests"]\n'


def test_bandit_alone_passes_clean_code_and_fails_a_finding(
    tmp_path: Path, commands: FakeCommands
) -> None:
    config = project(tmp_path, '[tool.ci_sessions.security]\nscanners = ["bandit"]\n')
    commands.on("bandit", bandit([]))
    registered(config, "security")(make_session(tmp_path / "a", name="security"))
    summary = (config.root / "reports" / "security-summary.md").read_text()
    assert "12" in summary  # the lines scanned are reported
    commands.on("bandit", bandit([EVAL]))
    with pytest.raises(Quit, match=r"security gate failed: bandit: 1 finding\(s\)"):
        registered(config, "security")(make_session(tmp_path / "b", name="security"))
    assert "B307" in (config.root / "reports" / "security-summary.md").read_text()


def test_a_finding_below_the_failing_levels_warns(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(
        tmp_path,
        '[tool.ci_sessions.security]\nscanners = ["bandit"]\nbandit-warn-severity = "low"\n',
    )
    commands.on("bandit", bandit([LOW]))
    session = make_session(tmp_path / "s", name="security")
    registered(config, "security")(session)
    [argv] = [argv for argv in commands.ran if argv[0] == "bandit" and "json" in argv]
    assert "--severity-level=low" in argv  # bandit reports what only warns too
    record = json.loads((config.root / "reports/pipeline.d/security.json").read_text())
    assert record["status"] == "warn"
    assert record["warnings"] == [
        "security: bandit: 1 finding(s) below the failing levels (advisory)"
    ]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (bandit([], loc=0), r"bandit scanned no line of code"),
        (bandit([], errors=[{"filename": "x.py", "reason": "syntax"}]), r"could not scan x.py"),
        (lambda argv, env: (2, ""), r"bandit crashed and wrote no usable report"),
    ],
)
def test_a_bandit_run_that_checked_nothing_fails(
    tmp_path: Path, commands: FakeCommands, script: Script, message: str
) -> None:
    config = project(tmp_path, '[tool.ci_sessions.security]\nscanners = ["bandit"]\n')
    commands.on("bandit", script)
    with pytest.raises(Quit, match=message):
        registered(config, "security")(make_session(tmp_path / "s", name="security"))


def test_a_missing_baseline_is_named(tmp_path: Path, commands: FakeCommands) -> None:
    config = project(
        tmp_path,
        '[tool.ci_sessions.security]\nscanners = ["bandit"]\nbandit-baseline = "base.json"\n',
    )
    commands.on("bandit", bandit([]))
    with pytest.raises(Quit, match=r"bandit-baseline: .*base.json does not exist"):
        registered(config, "security")(make_session(tmp_path / "s", name="security"))


def test_the_dependency_scan_resolves_scans_and_names_a_vulnerability(
    tmp_path: Path, commands: FakeCommands, cache: Path
) -> None:
    config = project(tmp_path, DATABASE, REQUESTS)
    commands.on("bandit", bandit([]))
    commands.on("uv", uv_resolves("requests==2.19.0\npip==24.0\n"))
    commands.on("safety", safety([REQUESTS_CVE]))
    with pytest.raises(Quit, match=r"security gate failed: safety: 1 known vulnerability"):
        registered(config, "security")(make_session(tmp_path / "s", name="security"))
    scanned_list = (config.root / "reports/security-dependencies.txt").read_text()
    assert scanned_list == "requests==2.19.0\n"  # the venv's own installers left out
    found = json.loads((config.root / "reports/vulnerabilities.json").read_text())
    assert [v["advisory_id"] for v in found["vulnerabilities"]] == ["PYSEC-2018-28"]
    [compile_argv] = [argv for argv in commands.ran if "compile" in argv]
    assert "--universal" in compile_argv and "--python-version=3.13" in compile_argv


def test_a_known_vulnerability_accepted_with_a_reason_passes(
    tmp_path: Path, commands: FakeCommands, cache: Path
) -> None:
    config = project(
        tmp_path,
        DATABASE + 'ignore = [{ id = "PYSEC-2018-28", reason = "no redirects here" }]\n',
        REQUESTS,
    )
    commands.on("bandit", bandit([]))
    commands.on("uv", uv_resolves("requests==2.19.0\n"))
    commands.on("safety", safety([REQUESTS_CVE]))
    registered(config, "security")(make_session(tmp_path / "s", name="security"))
    found = json.loads((config.root / "reports/vulnerabilities.json").read_text())
    assert [v["reason"] for v in found["ignored"]] == ["no redirects here"]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (safety([], packages=0), r"safety scanned no package"),
        (lambda argv, env: (1, ""), r"safety failed .* and scanned nothing: see its output"),
    ],
)
def test_a_safety_run_that_scanned_nothing_fails(
    tmp_path: Path, commands: FakeCommands, cache: Path, script: Script, message: str
) -> None:
    config = project(tmp_path, DATABASE + 'scanners = ["safety"]\n', REQUESTS)
    commands.on("uv", uv_resolves("requests==2.19.0\n"))
    commands.on("safety", script)
    with pytest.raises(Quit, match=message):
        registered(config, "security")(make_session(tmp_path / "s", name="security"))


def test_a_project_with_no_dependency_has_nothing_to_scan_and_says_so(
    tmp_path: Path, commands: FakeCommands, cache: Path
) -> None:
    config = project(tmp_path, DATABASE)
    commands.on("bandit", bandit([]))
    commands.on("uv", uv_resolves(""))
    registered(config, "security")(make_session(tmp_path / "s", name="security"))
    assert not any(argv[0] == "safety" for argv in commands.ran)


def test_a_database_of_other_ecosystems_says_where_to_point_it_once(
    tmp_path: Path, cache: Path
) -> None:
    mirror = tmp_path / "project" / "npm-only" / "left-pad"
    mirror.mkdir(parents=True)
    (mirror / "GHSA-npm.json").write_text(
        json.dumps(
            {
                "id": "GHSA-npm",
                "modified": "2024-01-01T00:00:00Z",
                "affected": [{"package": {"name": "left-pad", "ecosystem": "npm"}}],
            }
        )
    )
    config = project(tmp_path, '[tool.ci_sessions.security]\ndb = "npm-only"\n')
    with pytest.raises(Quit) as raised:
        security_session._database(make_session(tmp_path / "s"), config)
    message = str(raised.value)
    assert "holds no PyPI advisory (1 advisories of other ecosystems)" in message
    assert message.lower().count("point it at") == 1


def test_an_old_database_fails(tmp_path: Path, commands: FakeCommands, cache: Path) -> None:
    config = project(tmp_path, f'[tool.ci_sessions.security]\ndb = "{ADVISORY_DB}"\n')
    with pytest.raises(
        Quit, match=r"vulnerability database from .* older than max-db-age-days = 30"
    ):
        registered(config, "security")(make_session(tmp_path / "s", name="security"))


def uv_exports(pins: str) -> Script:
    """uv's `export --locked ... --output-file=X`: what uv.lock locks."""

    def script(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        if "export" in argv:
            output = next(arg for arg in argv if arg.startswith("--output-file="))
            Path(output.partition("=")[2]).write_text(pins)
        return 0, ""

    return script


LOCK = (
    'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "requests"\n'
    'version = "2.19.0"\nsource = { registry = "https://pypi.org/simple" }\n'
)


def test_a_locked_project_scans_its_runtime_and_test_dependencies_not_its_docs_group(
    tmp_path: Path, commands: FakeCommands, cache: Path
) -> None:
    """#29: the scan covered every uv.lock group (docs, dev, pre-commit)."""
    groups = REQUESTS + '[dependency-groups]\ntest = ["pytest"]\ndocs = ["sphinx"]\n'
    config = project(tmp_path, DATABASE, groups)
    (config.root / "uv.lock").write_text(LOCK)
    config = load_config(config.pyproject, environ={"CI": "true"})
    commands.on("bandit", bandit([]))
    commands.on("uv", uv_exports("requests==2.20.0\n"))
    commands.on("safety", safety([]))
    registered(config, "security")(make_session(tmp_path / "s", name="security"))
    [export] = [
        argv
        for argv in commands.ran
        if "export" in argv and any(a.endswith("resolved.txt") for a in argv)
    ]
    assert "--no-default-groups" in export and "--group=test" in export
    assert "--all-groups" not in export and "--group=docs" not in export
