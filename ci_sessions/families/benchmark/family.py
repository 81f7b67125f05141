"""The benchmark family: benchmark-compare, the baseline revision against the working tree."""

from __future__ import annotations

from ci_sessions.config import Config
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.families.benchmark import runs, session
from ci_sessions.families.benchmark.settings import BENCHMARK, INSTRUCTIONS, BenchmarkConfig

NAME = "benchmark"
MEMBERS = {"benchmark-compare": ("nightly",)}
SESSIONS = ("benchmark-compare",)
SECTIONS = (BENCHMARK,)
TOOLS = runs.TOOLS
REPORTS = {
    "benchmark-compare.json, benchmark-compare.md": "`benchmark-compare`: per benchmark the "
    "baseline and candidate figures, ratio, interval, p, runs and verdict, worst first; the "
    "mode, SHAs, Python, machine and load average",
    "benchmark-results.json": "`benchmark-compare`: the candidate's figures in "
    "pytest-benchmark's JSON shape plus every round, the mode and the exact Python; keep it as "
    "an artifact and pass it to a later run with `--baseline-file`",
}
register = session.register


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    if config.get(BenchmarkConfig) is None:
        return []
    # Full history: the baseline is a revision of the main branch.
    upload = kit.upload("reports-benchmark", f"{kit.reports}/benchmark-compare.*")
    body = kit.job("benchmark-compare", upload, full_history=True)
    return [CiJob("benchmark-compare", "benchmark-compare", body)]


def checks(config: Config, which: Which) -> list[Check]:
    settings = config.get(BenchmarkConfig)
    if settings is None or settings.mode != INSTRUCTIONS:
        return []
    return [Check("valgrind", which("valgrind"), "benchmark-compare", runs.VALGRIND_HINT)]
