"""The coverage family: one gate over the whole matrix' data."""

from __future__ import annotations

from typing import Any

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.coverage.settings import COVERAGE, CoverageConfig
from ci_sessions.families.integration.settings import IntegrationConfig
from ci_sessions.families.tests import family as tests_family
from ci_sessions.families.tests import narrow
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.glue.session import session

NAME = "coverage"
MEMBERS = {"coverage": ("pr", "nightly")}
SESSIONS = ("coverage",)
SECTIONS = (COVERAGE,)
TOOLS = {"coverage": TEST_TOOLS["coverage"], "diff-cover": "diff-cover>=10,<12"}
REPORTS = {
    "coverage.json, coverage.xml, coverage-html/, coverage-summary.md": (
        "`coverage`, written even when the gate fails"
    ),
    "patch-coverage.json, patch-coverage.md": (
        "`coverage`, with `patch-fail-under` set (diff-cover)"
    ),
}


def register(config: Config) -> None:
    # Not parallel: under `nox -j` it then starts only when the tests sessions
    # queued before it have finished writing their data.
    @session(config, "coverage", python=config.python_of("coverage"))
    def coverage(session: nox.Session) -> None:
        """Combine every Python's coverage data, write reports, apply the thresholds."""
        # Imported when it runs: the gate's code is not the noxfile's load (#32).
        from ci_sessions.families.coverage import session as gate_session

        gate_session.coverage(session, config)


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    """Downloads the matrix jobs' data and gates it; always(), so that a missing Python
    is named rather than the job skipped."""
    settings = config.of(CoverageConfig)
    steps = kit.setup(
        full_history=settings.patch_fail_under is not None, python=config.python_of("coverage")
    )
    # The matrix' data (3.12, 3.13t, pypy3.11), not the integration job's.
    steps.append(kit.download(kit.data, pattern="coverage-data-[3p]*"))
    needs = ["tests"]
    if config.get(IntegrationConfig) is not None and settings.include_integration:
        needs.append("integration")
        step: dict[str, Any] = kit.download(
            f"{kit.data}/integration", name="coverage-data-integration"
        )
        # On runs without the integration job, the gate goes without its data.
        occasions = kit.occasions_of("integration")
        condition = kit.condition(occasions)
        if occasions != kit.occasions_of("coverage") and condition:
            step = {"if": condition, **step}
        steps.append(step)
    for suite in settings.include_suites:
        needs.append(suite)
        steps.append(kit.download(f"{kit.data}/{suite}", pattern=f"coverage-data-{suite}*"))
    nox = kit.nox_step("coverage")
    narrowed = tests_family.narrowed_tiers(config, kit)
    if narrowed:  # the gate of a narrowed tier checks what that tier ran
        nox["env"][narrow.TIER_ENV] = tests_family.tier_expression(narrowed)
    steps += [nox, kit.upload("reports-coverage", f"{kit.reports}/")]
    body = {"runs-on": "ubuntu-latest", "timeout-minutes": 30, "steps": steps}
    if settings.max_drop is not None:
        from ci_sessions.families.coverage import ratchet

        # The ratchet compares with main's figures, which runs on main keep.
        kit.keep_main_figures(body, ratchet.BASELINE_DIR, ratchet.FIGURES)
    return [CiJob("coverage", "coverage", body, needs=tuple(needs), always=True, ran=("tests",))]


def checks(config: Config, which: Which) -> list[Check]:
    patch = config.of(CoverageConfig).patch_fail_under is not None
    return [Check("git", which("git"), "coverage (patch)" if patch else "", "install git")]
