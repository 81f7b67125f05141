"""The benchmark family: benchmark-compare, the baseline revision against the working tree."""

from __future__ import annotations

from typing import Any

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.benchmark.settings import BENCHMARK, INSTRUCTIONS, BenchmarkConfig
from ci_sessions.glue.pytest_run import MEMRAY, TEST_TOOLS
from ci_sessions.glue.session import session
from ci_sessions.workflow.kit import nox_step

NAME = "benchmark"
MEMBERS = {"benchmark-compare": ("nightly",)}
SESSIONS = ("benchmark-compare",)
SECTIONS = (BENCHMARK,)
TOOLS = {
    "pytest": TEST_TOOLS["pytest"],
    "pytest-benchmark": "pytest-benchmark>=5.1,<6",
    # 5.x: simulation mode counts under stock valgrind when CODSPEED_ENV is set.
    "pytest-codspeed": "pytest-codspeed>=5.0,<6",
    "pytest-memray": MEMRAY,
}
VALGRIND_HINT = (
    "install it (Debian/Ubuntu: apt-get install valgrind; Fedora: dnf install valgrind); "
    'valgrind does not run on macOS or Windows, where mode = "walltime" is the choice'
)
REPORTS = {
    "benchmark-compare.json, benchmark-compare.md": "`benchmark-compare`: per benchmark the "
    "baseline and candidate figures, ratio, interval, p, runs and verdict, worst first; the "
    "mode, SHAs, Python, machine and load average",
    "benchmark-results.json": "`benchmark-compare`: the candidate's figures in "
    "pytest-benchmark's JSON shape plus every round, the mode and the exact Python; keep it as "
    "an artifact and pass it to a later run with `--baseline-file`",
}


def register(config: Config) -> None:
    if config.get(BenchmarkConfig) is None:
        return  # no [tool.ci_sessions.benchmark]: nothing to compare

    @session(
        config, "benchmark-compare", python=config.python_of("benchmark-compare"), default=False
    )
    def benchmark_compare(session: nox.Session) -> None:
        """Compare the benchmarks of the working tree with those of the baseline revision."""
        # Imported when it runs: the statistics and the runs are not the noxfile's load.
        from ci_sessions.families.benchmark import session as compare

        compare.benchmark_compare(session, config)


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    if config.get(BenchmarkConfig) is None:
        return []
    # Full history: without a stored result the baseline is a revision of the main branch.
    upload = kit.upload("reports-benchmark", f"{kit.reports}/benchmark-compare.*")
    body = kit.job("benchmark-compare", upload, full_history=True)
    _stored_baseline(body, kit)
    settings = config.of(BenchmarkConfig)
    linux_only = "instructions mode counts with valgrind" if settings.mode == INSTRUCTIONS else ""
    return [CiJob("benchmark-compare", "benchmark-compare", body, linux_only=linux_only)]


def _stored_baseline(body: dict[str, Any], kit: CiKit) -> None:
    """Compare against the main branch's last stored figures when there are any (a pull
    request, and each run on main against the one before it), then store main's own. Without
    them (the first run) the session builds the baseline revision, and its report says so."""
    stored = kit.keep_main_figures(body, "benchmark-baseline", "benchmark-results.json")
    step = nox_step(body)
    step["env"]["BASELINE"] = "${{ steps.benchmark-baseline.outputs.cache-matched-key }}"
    step["run"] += f" ${{BASELINE:+-- --baseline-file {stored}/benchmark-results.json}}"


def checks(config: Config, which: Which) -> list[Check]:
    settings = config.get(BenchmarkConfig)
    if settings is None or settings.mode != INSTRUCTIONS:
        return []
    return [Check("valgrind", which("valgrind"), "benchmark-compare", VALGRIND_HINT)]
