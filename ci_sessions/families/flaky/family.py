"""The flaky family: the suite run several times, flaky tests named."""

from __future__ import annotations

from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks
from ci_sessions.families.flaky import session
from ci_sessions.families.flaky.settings import FLAKY

NAME = "flaky"
MEMBERS = {"flaky": ("nightly",)}
SESSIONS = ("flaky",)
SECTIONS = (FLAKY,)
TOOLS = session.TOOLS
REPORTS = {"flaky.json, flaky.md, flaky/junit-run-<n>.xml": "`flaky`"}
register = session.register
checks = no_checks


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    body = kit.job("flaky", kit.upload("reports-flaky", f"{kit.reports}/"))
    return [CiJob("flaky", "flaky", body)]
