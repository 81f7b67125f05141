"""The flaky family: the suite run several times, flaky tests named."""

from __future__ import annotations

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks
from ci_sessions.families.flaky.settings import FLAKY
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.glue.session import session

NAME = "flaky"
MEMBERS = {"flaky": ("nightly",)}
SESSIONS = ("flaky",)
SECTIONS = (FLAKY,)
TOOLS = {**TEST_TOOLS, "pytest-randomly": "pytest-randomly>=3.15,<6"}
REPORTS = {"flaky.json, flaky.md, flaky/junit-run-<n>.xml": "`flaky`"}
checks = no_checks


def register(config: Config) -> None:
    @session(config, "flaky", python=config.python_of("flaky"), default=False)
    def flaky(session: nox.Session) -> None:
        """Run the tests `runs` times, each in another order; fail on an unquarantined flake."""
        # Imported when it runs (#32): the rounds and their analysis.
        from ci_sessions.families.flaky import session as rounds

        rounds.flaky(session, config)


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    body = kit.job("flaky", kit.upload("reports-flaky", f"{kit.reports}/"))
    return [CiJob("flaky", "flaky", body)]
