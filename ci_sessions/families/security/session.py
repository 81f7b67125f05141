"""``security``: bandit on the source and safety on the resolved dependencies."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import nox
import nox.command
import nox.virtualenv
from packaging.utils import canonicalize_name

from ci_sessions import github, pipeline_report, pylock, workspace
from ci_sessions.config import Config, resolve
from ci_sessions.families.base import pins
from ci_sessions.families.security import gate as security_gate
from ci_sessions.families.security import vulndb
from ci_sessions.families.security.baseline import bandit_command, bandit_paths
from ci_sessions.families.security.family import TOOLS
from ci_sessions.families.security.settings import SecurityConfig
from ci_sessions.glue import requirements
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import (
    install_tools,
    publish_summary,
    reports_dir,
    require_paths,
    warn_visibly,
)

SAFETY_FOUND_VULNERABILITIES = 64
BANDIT_FINDINGS = 1
INSTALLERS = {"pip", "setuptools", "wheel"}  # what a venv brings, not a project dependency


def security(session: nox.Session, config: Config) -> None:
    """The body of `security` (defined in family.py, imported when it runs)."""
    settings = config.of(SecurityConfig)
    scan_code = "bandit" in settings.scanners
    scan_dependencies = "safety" in settings.scanners
    # The database is checked before anything is installed: a bad one is
    # a configuration problem, reported at once.
    database = _database(session, config) if scan_dependencies else None
    has_uv = nox.virtualenv.find_uv()[0]
    tools = (["bandit"] if scan_code else []) + (
        ["safety", "typer", *([] if has_uv else ["uv"])] if scan_dependencies else []
    )
    install_tools(session, config, *pins(TOOLS, *tools))
    reports = reports_dir(config)

    problems: list[str] = []
    code: list[security_gate.CodeFinding] = []
    scanned_code = None
    if scan_code:
        code_problems, code, scanned_code = _bandit(session, config, reports)
        problems += code_problems
    outcome = None
    scanned = None
    if scan_dependencies:
        dependency_problems, outcome, scanned = _safety(session, config, reports, database)
        problems += dependency_problems

    settings = config.of(SecurityConfig)
    failing, warning = security_gate.split_findings(
        code, settings.bandit_severity, settings.bandit_confidence
    )
    result = security_gate.SecurityResult(
        tuple(problems), tuple(failing), outcome, scanned_code, tuple(warning)
    )
    markdown = security_gate.summary_markdown(result, scanned_packages=scanned)
    if scan_code:
        pipeline_report.figure("bandit findings", len(failing))
    if outcome is not None:
        pipeline_report.figure("vulnerabilities", len(outcome.active))
    publish_summary(config, "security-summary.md", markdown)
    if warning:
        message = f"bandit: {len(warning)} finding(s) below the failing levels (advisory)"
        warn_visibly(session, "security", [message])
    if not result.passed:
        session.error("security gate failed: " + "; ".join(result.failures))


def _bandit(
    session: nox.Session, config: Config, reports: Path
) -> tuple[list[str], list[security_gate.CodeFinding], tuple[int, int, str]]:
    settings = config.of(SecurityConfig)
    paths = bandit_paths(config)
    require_paths(session, config, "security.bandit-paths", paths)
    command = bandit_command(config, paths)
    if settings.bandit_baseline:
        baseline = config.root / settings.bandit_baseline
        if not baseline.is_file():
            session.error(
                f"{config.key_ref('security.bandit-baseline')}: {baseline} does not exist"
            )
        baseline_args = ["-b", str(baseline)]
    else:
        baseline_args = []
    json_report = reports / "bandit.json"
    json_report.unlink(missing_ok=True)
    levels = (
        f"at or above {settings.bandit_severity} severity, {settings.bandit_confidence} confidence"
    )
    try:
        # bandit exits 1 on findings; the verdict comes from its report.
        # bandit refuses a baseline with SARIF (exit 2): reports/bandit.sarif, for code
        # scanning, lists every finding; the verdict is the JSON run's, baseline applied.
        for form, target, extra in (
            ("json", json_report, baseline_args),
            ("sarif", reports / "bandit.sarif", []),
        ):
            session.run(
                *command, *extra, "-f", form, "-o", str(target), success_codes=[0, BANDIT_FINDINGS]
            )
        report = json.loads(json_report.read_text(encoding="utf-8"))
    except (nox.command.CommandFailed, OSError, ValueError) as exc:
        return (
            [
                f"bandit crashed and wrote no usable report ({exc}): see its output above; "
                "a malformed [tool.bandit] table or bandit-baseline file is the usual cause"
            ],
            [],
            (0, 0, levels),
        )
    findings = security_gate.bandit_findings(report)
    github.emit(
        github.Annotation(
            github.relative(f.file, config.root),
            f.line,
            f"bandit {f.test_id}",
            f.text,
            level=_annotation_level(f, settings),
        )
        for f in findings
    )
    files, lines = security_gate.bandit_scanned(report)
    if baseline_args:
        # The SARIF run saw every finding, the JSON run only those the baseline lacks.
        everything = json.loads((reports / "bandit.sarif").read_text(encoding="utf-8"))
        total = sum(len(run.get("results", [])) for run in everything.get("runs", []))
        levels += f"; {total - len(findings)} accepted by the baseline {settings.bandit_baseline}"
    return security_gate.bandit_problems(report), findings, (files, lines, levels)


def _annotation_level(finding: security_gate.CodeFinding, settings: SecurityConfig) -> str:
    fails = security_gate.at_least(
        finding.severity, settings.bandit_severity
    ) and security_gate.at_least(finding.confidence, settings.bandit_confidence)
    return "error" if fails else "warning"


def _database(session: nox.Session, config: Config) -> Path | None:
    """The safety database folder to use, or None for safety's online service."""
    source, origin = (
        config.of(SecurityConfig).db,
        config.of(SecurityConfig).db_origin,
    )  # resolved at load
    if source is None:
        return None
    try:
        folder = vulndb.prepare(Path(source), _cache_root())
        built = vulndb.database_time(vulndb.check_safety_db(folder))
    except vulndb.DatabaseError as exc:
        session.error(
            f"vulnerability database from {origin} cannot be used: {exc}. Point it at a "
            "mirror of pypa/advisory-database's vulns/ folder (OSV) or a safety database folder"
        )
    problem = vulndb.age_problem(
        built, datetime.now(UTC), config.of(SecurityConfig).max_db_age_days
    )
    if problem:
        session.error(f"vulnerability database from {origin}: {problem}")
    session.log(f"vulnerability database: {source} (newest advisory {built})")
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
    dependencies = _resolved_dependencies(session, config, reports)
    if not dependencies:
        if nothing_declared(config):
            session.log("security: no runtime dependency declared: nothing to scan")
            return [], None, 0
        members = only_workspace_members(config)
        if members:
            session.log(
                f"security: its dependencies are members of the workspace ({', '.join(members)}),"
                " scanned by their own security sessions: nothing third-party to scan"
            )
            return [], None, 0
        return (
            [
                "no dependency to scan: [project].dependencies, test-extras and test-groups "
                "resolved to nothing, so safety would check nothing; if that is right, set "
                + config.fix("security.scanners", '["bandit"]')
            ],
            None,
            0,
        )
    pinned = reports / "security-dependencies.txt"
    pinned.write_text("".join(f"{name}=={version}\n" for name, version in dependencies))
    raw = reports / "safety-raw.json"
    raw.unlink(missing_ok=True)
    command = ["safety", "--disable-optional-telemetry", "check", "-r", str(pinned)]
    command += ["--save-json", str(raw)]
    if database is not None:
        command += ["--db", str(database)]
    try:
        session.run(*command, silent=True, success_codes=[0, SAFETY_FOUND_VULNERABILITIES])
        report = json.loads(raw.read_text(encoding="utf-8"))
    except (nox.command.CommandFailed, OSError, ValueError) as exc:
        hint = (
            "offline? set [tool.ci_sessions.security] db or $CI_SESSIONS_VULN_DB to a local "
            "advisory mirror"
            if database is None
            else "see its output above"
        )
        return [f"safety failed ({exc}) and scanned nothing: {hint}"], None, 0
    # safety counts distinct names; the same package at two versions (one per Python) is one.
    names = {canonicalize_name(name) for name, _ in dependencies}
    problems = security_gate.safety_problems(report, len(names))
    problems += _stale_ignores(config, database)
    outcome = security_gate.apply_ignores(
        security_gate.safety_vulnerabilities(report), config.of(SecurityConfig).ignore, date.today()
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
    return problems, outcome, len(names)


def nothing_declared(config: Config) -> bool:
    """A project that declares no dependency, statically and verifiably: nothing to scan.

    Declared dependencies (or test extras and groups) that resolve to nothing
    are another matter: something went wrong, and the gate fails.
    """
    settings = config.of(SecurityConfig)
    return not (
        settings.declares_dependencies
        or config.test_extras
        or config.test_groups
        or config.test_requirements
        or config.poetry_requirements
    )


def only_workspace_members(config: Config) -> list[str]:
    """The workspace members a member declares, when it declares nothing else (their code
    is the workspace's own; their third-party dependencies resolve with this member's)."""
    if not config.member:
        return []
    document = tomllib.loads(config.pyproject.read_text(encoding="utf-8"))
    declared = workspace.dependency_names(document)
    return sorted(declared) if declared and declared <= set(config.workspace_members) else []


def _stale_ignores(config: Config, database: Path | None) -> list[str]:
    """An ignore entry the database does not know is dead: it hides nothing and misleads."""
    if database is None or not config.of(SecurityConfig).ignore:
        return []  # the online service's advisories cannot be listed
    known = vulndb.advisory_ids(database)
    return [
        f"{config.key_ref('security.ignore')}: entry {entry.id} matches no advisory of the "
        "database: remove it (or fix its ID)"
        for entry in config.of(SecurityConfig).ignore
        if entry.id not in known
    ]


def _locked_for_matrix(session: nox.Session, config: Config) -> list[tuple[str, str]]:
    assert config.pylock is not None
    try:
        locked = pylock.read(config.root / config.pylock)
    except pylock.PylockError as exc:
        session.error(f"security: {exc}")
    found: list[tuple[str, str]] = []
    for python in config.python:
        chosen = pylock.for_python(locked, python)
        session.log(f"security: {config.pylock} installs {len(chosen)} package(s) on {python}")
        found += [(p.name, p.version) for p in chosen if (p.name, p.version) not in found]
    return [(name, version) for name, version in found if canonicalize_name(name) not in INSTALLERS]


def _resolved_dependencies(
    session: nox.Session, config: Config, reports: Path
) -> list[tuple[str, str]]:
    """What the tests sessions would install for the project, for every Python of the matrix.

    One universal resolution (uv pip compile --universal, from the oldest
    Python of the matrix up): a dependency behind a marker such as
    `python_version < "3.12"` is resolved and scanned even when the newest
    Python would not install it. It runs on every session, `nox -R` included,
    so the scan always sees the current dependency set.
    """
    has_uv, uv, _ = nox.virtualenv.find_uv()
    tmp = scratch_dir(session)
    resolved = tmp / "resolved.txt"
    # The tests' other sources: their requirements files, and Poetry's test groups.
    poetry = tmp / "poetry-test-requirements.txt"
    poetry.write_text("".join(f"{line}\n" for line in config.poetry_requirements))
    sources = [str(config.root / path) for path in config.test_requirements]
    sources += [str(poetry)] if config.poetry_requirements else []
    # uv prefers the pins of an existing output file: an earlier run's must not steer this one.
    resolved.unlink(missing_ok=True)
    if config.pylock:
        # A PEP 751 lock: scan exactly what it installs on each Python of the matrix, its
        # markers evaluated for each.
        return _locked_for_matrix(session, config)
    if config.lock:
        # The project locks its dependencies: scan exactly what it locks of the runtime
        # and test dependencies, for every platform and Python the lock covers (a stale
        # lock fails, as installs do); its docs or pre-commit groups are not shipped.
        export = requirements.locked_export(resolved, config.test_extras, config.test_groups)
        session.run(*([uv] if has_uv else ["uv"]), *export, external=has_uv)
    else:
        session.run(
            *([uv] if has_uv else ["uv"]),
            "pip",
            "compile",
            str(config.pyproject),
            *sources,
            *(f"--extra={extra}" for extra in config.test_extras),
            *(f"--group={group}" for group in config.test_groups),
            "--universal",
            "--python-version="
            + resolve.language_version(min(config.python, key=resolve.version_key)),
            "--no-header",
            "--no-annotate",
            "--quiet",
            f"--output-file={resolved}",
            external=has_uv,
            env={"UV_PYTHON_DOWNLOADS": "never"},
        )
    pairs = vulndb.pinned_pairs(resolved.read_text(encoding="utf-8"))
    return [(name, version) for name, version in pairs if canonicalize_name(name) not in INSTALLERS]
