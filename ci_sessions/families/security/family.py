"""The security family: bandit on the code, safety on the resolved dependencies."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.security import session
from ci_sessions.families.security.settings import SECURITY, SecurityConfig

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
    body = kit.job("security", kit.upload("reports-security", f"{kit.reports}/"))
    return [CiJob("security", "security", body)]


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
