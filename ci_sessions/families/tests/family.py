"""The tests family: `tests-<python>` for the matrix, plus `collect` and `durations`."""

from __future__ import annotations

import json
from typing import Any

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.tests import affected_option, narrow, session
from ci_sessions.families.tests.settings import TESTS, MatrixConfig
from ci_sessions.workflow.kit import nox_step

NAME = "tests"
MEMBERS = {"tests": ("pr", "nightly"), "collect": ("smoke",)}
SESSIONS = ("tests", "durations", "collect")
SECTIONS = (TESTS,)
TOOLS = session.TOOLS
REPORTS = {
    "junit-tests-<python>.xml": "`tests-<python>`",
    "coverage-data/.coverage.py<python>": "`tests-<python>`: one data file per Python for the "
    "coverage gate, with `<name>.run.json`, the record of its run (in CI, download the matrix "
    "jobs' files here)",
    "summary-tests-<python>.md": "`tests-<python>`: counts, failed tests, quarantined tests with "
    "outcomes, slowest tests",
}
register = session.register


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    """The matrix: one job per Python, and per shard when `shards` splits the suite."""
    shards = config.of(MatrixConfig).shards
    part = "${{ matrix.python }}" + ("-shard${{ matrix.shard }}" if shards > 1 else "")
    body = kit.job(
        "tests-${{ matrix.python }}",
        # The data files and the records of their runs (.coverage.py*.run.json).
        kit.upload(f"coverage-data-{part}", f"{kit.data}/.coverage.py*", hidden=True),
        kit.upload(f"reports-tests-{part}", f"{kit.reports}/*tests-*"),
        python="${{ matrix.python }}",  # each job sets up its own Python, not the matrix
    )
    matrix: dict[str, Any] = {"python": list(config.python)}
    if shards > 1:
        matrix["shard"] = list(range(1, shards + 1))
        step = nox_step(body)
        step["env"]["SHARD"] = f"${{{{ matrix.shard }}}}/{shards}"
        step["run"] += ' -- --shard "$SHARD"'
    narrowed = narrowed_tiers(config, kit)
    if narrowed:
        # PR-fast: on the occasions only a narrowed tier runs, fewer Pythons and the
        # tier's name for the session (which then skips slow tests, adds its markers).
        nox_step(body)["env"][narrow.TIER_ENV] = tier_expression(narrowed)
        settings = dict(config.of(MatrixConfig).narrow)
        choices = [
            (condition, list(settings[tier].python))
            for tier, condition in narrowed
            if settings[tier].python
        ]
        if choices:
            full = json.dumps(list(config.python))
            matrix["python"] = (
                "${{ "
                + " || ".join(f"{c} && fromJSON('{json.dumps(p)}')" for c, p in choices)
                + f" || fromJSON('{full}') }}}}"
            )
    body["strategy"] = {"fail-fast": False, "matrix": matrix}
    if affected_option.enabled(config):
        from ci_sessions.families.tests import affected_run  # the workflow's, not the load's

        # Affected selection: main's map, restored for the pull requests, saved on main.
        kit.keep_main_figures(body, affected_run.MAP_DIR, None, part="py${{ matrix.python }}-")
    # collect (smoke) gets a job only where a trigger runs its tier: a quick gate that
    # every test module imports, for the stages after it to wait on.
    return [
        CiJob("tests", "tests", body),
        CiJob("collect", "collect", kit.job("collect")),
    ]


def narrowed_tiers(config: Config, kit: CiKit) -> list[tuple[str, str]]:
    """(tier, `if:` condition) for each narrowed tier that has occasions of its own."""
    settings = config.of(MatrixConfig)
    triggers = kit.triggers
    occasions = {
        tier: triggers[tier].occasions(tier)
        for tier in config.tiers_of("tests")
        if tier in triggers
    }
    pairs = narrow.narrowed_occasions([tier for tier, _ in settings.narrow], occasions)
    return [(tier, kit.condition(found) or "(true)") for tier, found in pairs]


def tier_expression(narrowed: list[tuple[str, str]]) -> str:
    """CI_SESSIONS_TIER's value: the narrowed tier of this occasion, else empty (full)."""
    return "${{ " + " || ".join(f"{c} && '{tier}'" for tier, c in narrowed) + " || '' }}"


def checks(config: Config, which: Which) -> list[Check]:
    return [
        Check(
            f"python{version}",
            which(f"python{version}"),
            f"tests-{version}",
            f"`uv python install {version}` or `pyenv install {version}`, then put it on PATH",
        )
        for version in config.python
    ]
