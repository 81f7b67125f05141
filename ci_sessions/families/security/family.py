"""The security family: bandit on the code, safety on the resolved dependencies."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.security import session
from ci_sessions.families.security.settings import SECURITY, SecurityConfig
from ci_sessions.workflow.emit import Commented

NAME = "security"
MEMBERS = {"security": ("pr", "nightly")}
SESSIONS = ("security",)
SECTIONS = (SECURITY,)
TOOLS = session.TOOLS
REPORTS = {
    "bandit.json, bandit.sarif": "`security`",
    "vulnerabilities.json": "`security`: every package scanned, and per finding the package, "
    "installed version, advisory ID, aliases and fixed versions; accepted ones with their reason",
    "security-dependencies.txt, safety-raw.json, security-summary.md": "`security`: the "
    "resolved pins, safety's own report, the summary",
}
register = session.register


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    extra = [kit.upload("reports-security", f"{kit.reports}/")]
    if config.of(SecurityConfig).code_scanning and "bandit" in config.of(SecurityConfig).scanners:
        extra.append(code_scanning_step(kit))
    body = kit.job("security", *extra)
    if len(extra) > 1:
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
