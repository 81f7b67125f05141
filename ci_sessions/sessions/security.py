"""``security``: bandit on the source and safety on the resolved dependencies."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import nox
import nox.command

from ci_sessions import github, security_gate, vulndb
from ci_sessions.config import Config, read_pyproject
from ci_sessions.github import append_step_summary
from ci_sessions.project import source_dir
from ci_sessions.sessions._nox import (
    install_tools,
    project_requirements,
    reports_dir,
    require_paths,
    session,
    side_venv,
)

DB_ENV = "CI_SESSIONS_VULN_DB"
SAFETY_FOUND_VULNERABILITIES = 64
# Prints the distributions of the venv it runs in, as JSON [[name, version], ...].
LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted([d.metadata['Name'], d.version] for d in m.distributions())))"
)
INSTALLERS = {"pip"}  # in the venv to install, not a dependency of the project


def register(config: Config) -> None:
    @session(config, "security", python=config.newest_python, allow_parallel=True)
    def security(session: nox.Session) -> None:
        """bandit and a safety scan of the project's resolved dependencies."""
        settings = config.security
        scan_code = "bandit" in settings.scanners
        scan_dependencies = "safety" in settings.scanners
        # The database is checked before anything is installed: a bad one is
        # a configuration problem, reported at once.
        database = _database(session, config) if scan_dependencies else None
        tools = (["bandit"] if scan_code else []) + (
            ["safety", "typer"] if scan_dependencies else []
        )
        install_tools(session, *tools)
        reports = reports_dir(config)

        problems: list[str] = []
        code: list[security_gate.CodeFinding] = []
        if scan_code:
            code_problems, code = _bandit(session, config, reports)
            problems += code_problems
        outcome = None
        scanned = None
        if scan_dependencies:
            dependency_problems, outcome, scanned = _safety(session, config, reports, database)
            problems += dependency_problems

        result = security_gate.SecurityResult(tuple(problems), tuple(code), outcome)
        markdown = security_gate.summary_markdown(result, scanned_packages=scanned)
        (reports / "security-summary.md").write_text(markdown, encoding="utf-8")
        print(markdown)
        append_step_summary(markdown)
        if not result.passed:
            session.error("security gate failed: " + "; ".join(result.failures))


def _bandit(
    session: nox.Session, config: Config, reports: Path
) -> tuple[list[str], list[security_gate.CodeFinding]]:
    settings = config.security
    paths = settings.bandit_paths or tuple(
        found for package in config.packages if (found := source_dir(config.root, package))
    )
    if not paths:
        session.error(
            f"{config.where('security')} bandit-paths: no source folder found for "
            f"{', '.join(config.packages)}; set bandit-paths"
        )
    require_paths(session, config, "security.bandit-paths", paths)
    command = [
        "bandit",
        "-r",
        *paths,
        "-q",
        f"--severity-level={settings.bandit_severity}",
        f"--confidence-level={settings.bandit_confidence}",
    ]
    if "bandit" in read_pyproject(config.pyproject).get("tool", {}):
        # bandit ignores [tool.bandit] unless pointed at the file.
        command += ["-c", str(config.pyproject)]
    if settings.bandit_baseline:
        baseline = config.root / settings.bandit_baseline
        if not baseline.is_file():
            session.error(f"{config.where('security')} bandit-baseline: {baseline} does not exist")
        command += ["-b", str(baseline)]
    json_report = reports / "bandit.json"
    # bandit exits 1 on findings; the verdict comes from its report.
    session.run(*command, "-f", "json", "-o", str(json_report), success_codes=[0, 1])
    session.run(*command, "-f", "sarif", "-o", str(reports / "bandit.sarif"), success_codes=[0, 1])
    report = json.loads(json_report.read_text(encoding="utf-8"))
    findings = security_gate.bandit_findings(report)
    github.emit(
        github.Annotation(
            github.relative(f.file, config.root), f.line, f"bandit {f.test_id}", f.text
        )
        for f in findings
    )
    return security_gate.bandit_problems(report), findings


def _database(session: nox.Session, config: Config) -> Path | None:
    """The safety database folder to use, or None for safety's online service."""
    from_env = os.environ.get(DB_ENV)
    source = from_env or config.security.db
    if source is None:
        return None
    origin = f"${DB_ENV}" if from_env else config.where("security") + " db"
    path = Path(source) if Path(source).is_absolute() else config.root / source
    try:
        folder = vulndb.prepare(path.resolve(), _cache_root())
        built = vulndb.database_time(vulndb.check_safety_db(folder))
    except vulndb.DatabaseError as exc:
        session.error(
            f"vulnerability database from {origin} cannot be used: {exc}. Point it at a "
            "mirror of pypa/advisory-database's vulns/ folder (OSV) or a safety database folder"
        )
    problem = vulndb.age_problem(built, datetime.now(UTC), config.security.max_db_age_days)
    if problem:
        session.error(f"vulnerability database from {origin}: {problem}")
    session.log(f"vulnerability database: {path} (newest advisory {built})")
    return folder


def _cache_root() -> Path:
    """Converted databases, shared by every project of the user (or CI_SESSIONS_CACHE_DIR)."""
    explicit = os.environ.get("CI_SESSIONS_CACHE_DIR")
    if explicit:
        return Path(explicit) / "vulndb"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ci-sessions" / "vulndb"


def _safety(
    session: nox.Session, config: Config, reports: Path, database: Path | None
) -> tuple[list[str], security_gate.IgnoreOutcome | None, int]:
    dependencies = _resolved_dependencies(session, config)
    if not dependencies:
        return (
            [
                "no dependency to scan: [project].dependencies, test-extras and test-groups "
                "resolve to nothing, so safety would check nothing; if that is right, set "
                f'{config.where("security")} scanners = ["bandit"]'
            ],
            None,
            0,
        )
    pinned = reports / "security-dependencies.txt"
    pinned.write_text("".join(f"{name}=={version}\n" for name, version in dependencies))
    raw = reports / "safety-raw.json"
    raw.unlink(missing_ok=True)
    command = [
        "safety",
        "--disable-optional-telemetry",
        "check",
        "-r",
        str(pinned),
        "--save-json",
        str(raw),
    ]
    if database is not None:
        command += ["--db", str(database)]
    try:
        session.run(*command, silent=True, success_codes=[0, SAFETY_FOUND_VULNERABILITIES])
    except nox.command.CommandFailed as exc:
        hint = (
            "offline? set [tool.ci_sessions.security] db or $CI_SESSIONS_VULN_DB to a local "
            "advisory mirror"
            if database is None
            else "see its output above"
        )
        return [f"safety failed (exit {exc.return_code}) and scanned nothing: {hint}"], None, 0
    report = json.loads(raw.read_text(encoding="utf-8"))
    problems = security_gate.safety_problems(report, len(dependencies))
    outcome = security_gate.apply_ignores(
        security_gate.safety_vulnerabilities(report), config.security.ignore, date.today()
    )
    (reports / "vulnerabilities.json").write_text(
        json.dumps(
            {
                "database": str(database) if database else "safety online service",
                "scanned": [f"{name}=={version}" for name, version in dependencies],
                "vulnerabilities": [v.as_dict() for v in outcome.active],
                "ignored": [
                    {**v.as_dict(), "reason": entry.reason, "expires": str(entry.expires or "")}
                    for v, entry in outcome.ignored
                ],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return problems, outcome, len(dependencies)


def _resolved_dependencies(session: nox.Session, config: Config) -> list[tuple[str, str]]:
    """What the tests sessions install for the project, resolved in a venv of its own.

    Resolving turns unpinned requirements into the versions really installed,
    so they are checked rather than skipped. The scanners' own venv is not
    scanned: its packages are not the project's.
    """
    python, installer = side_venv(
        session, Path(session.create_tmp()) / "dependencies", session.run_install
    )
    wanted = project_requirements(config, extras=config.test_extras, groups=config.test_groups)
    session.run_install(*installer, *wanted, external=True)
    listing = session.run(python, "-c", LIST_DISTRIBUTIONS, silent=True, external=True)
    project = vulndb.canonical_name(
        read_pyproject(config.pyproject).get("project", {}).get("name", "")
    )
    return [
        (name, version)
        for name, version in json.loads(str(listing))
        if vulndb.canonical_name(name) not in {project, *INSTALLERS}
    ]
