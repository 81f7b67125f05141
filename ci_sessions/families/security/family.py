"""The security family: bandit on the code, safety on the resolved dependencies."""

from __future__ import annotations

from pathlib import Path

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.security.settings import SECURITY, SecurityConfig
from ci_sessions.glue.session import session

NAME = "security"
MEMBERS = {"security": ("pr", "nightly")}
SESSIONS = ("security",)
SECTIONS = (SECURITY,)
TOOLS = {
    "bandit": "bandit[sarif]>=1.8,<2",
    # safety 3.8 crashes offline before doing anything; 3.7 reads --db offline.
    "safety": "safety>=3.7,<3.8",
    "typer": "typer<0.26",  # safety 3.7's CLI breaks with newer typer
    # Resolves the dependency set to scan when nox itself has no uv.
    "uv": "uv>=0.8,<1",
}
REPORTS = {
    "bandit.json, bandit.sarif": "`security`",
    "vulnerabilities.json": "`security`: every package scanned, and per finding the package, "
    "installed version, advisory ID, aliases and fixed versions; accepted ones with their reason",
    "security-dependencies.txt, safety-raw.json, security-summary.md": "`security`: the "
    "resolved pins, safety's own report, the summary",
}


def register(config: Config) -> None:
    @session(config, "security", python=config.python_of("security"), allow_parallel=True)
    def security(session: nox.Session) -> None:
        """bandit and a safety scan of the project's resolved dependencies."""
        # Imported when it runs (#32): the gate and the advisory database's reader.
        from ci_sessions.families.security import session as scan

        scan.security(session, config)


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    extra = [kit.upload("reports-security", f"{kit.reports}/")]
    if config.of(SecurityConfig).code_scanning and "bandit" in config.of(SecurityConfig).scanners:
        extra.append(code_scanning_step(kit))
    body = kit.job("security", *extra)
    if len(extra) > 1:
        from ci_sessions.workflow.emit import Commented

        # The job's own token may write code scanning alerts; no other job's may.
        body["permissions"] = {
            "contents": "read",
            "security-events": Commented("write", "uploads bandit's SARIF to code scanning"),
        }
    return [CiJob("security", "security", body)]


def code_scanning_step(kit: CiKit) -> dict[str, object]:
    """bandit's SARIF to code scanning, also when the gate failed (that is when it
    matters). A pull request from a fork gets no write token, so it is left out there."""
    return {
        "if": "always() && (github.event_name != 'pull_request' || "
        "github.event.pull_request.head.repo.full_name == github.repository)",
        "uses": kit.uses("github/codeql-action/upload-sarif"),
        "with": {"sarif_file": f"{kit.reports}/bandit.sarif", "category": "bandit"},
    }


def checks(config: Config, which: Which) -> list[Check]:
    settings = config.of(SecurityConfig)
    if not settings.db or "safety" not in settings.scanners:
        return []
    return [
        Check(
            f"vulnerability database from {settings.db_origin}",
            settings.db if Path(settings.db).exists() else None,
            "security",
            f"{settings.db} does not exist: point {settings.db_origin} at an advisory mirror",
        )
    ]
