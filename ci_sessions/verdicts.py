"""Small pass/fail decisions shared by sessions: plain data in, verdict out."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str
    # Problems of advisory tools: visible, never failing.
    warnings: tuple[str, ...] = ()


def tool_problem(exit_code: int, output: str, nothing_checked: str | None = None) -> str | None:
    """Why a tool's run is a failure, or None when it really passed.

    `nothing_checked`: what the tool prints when it exits 0 having checked nothing (every
    path excluded by its settings or by a .gitignore, which black reads from an enclosing
    repository): that is not a pass."""
    if exit_code != 0:
        return f"exit {exit_code}"
    if nothing_checked is not None and nothing_checked in output:
        return "checked no file: every path is excluded by the tool's settings or a .gitignore"
    return None


def all_passed(problems: Mapping[str, str | None], advisory: Collection[str] = ()) -> Verdict:
    """Every tool ran; the gate fails if any had a problem, naming each. An advisory
    tool's problem is a warning instead: named, never failing."""
    if not problems:
        return Verdict(False, "no tool ran; enable at least one")
    warned = tuple(
        f"{tool} ({problem}, advisory)"
        for tool, problem in problems.items()
        if problem and tool in advisory
    )
    failed = [
        f"{tool} ({problem})"
        for tool, problem in problems.items()
        if problem and tool not in advisory
    ]
    passed = [tool for tool, problem in problems.items() if not problem]
    said = f"; warned: {', '.join(warned)}" if warned else ""
    if failed:
        return Verdict(False, f"failed: {', '.join(failed)}{said}", warned)
    return Verdict(True, f"passed: {', '.join(passed) or 'none'}{said}", warned)


def failure_budget(failed: int, ran: int, max_rate: float, warn_rate: float) -> tuple[str, str]:
    """("fail" | "warn" | "pass", why) for a test run whose `failed` of `ran` tests failed,
    against a written-down budget. The default budget (0) fails on any failure."""
    if failed == 0:
        return "pass", "no test failed"
    share = failed / ran if ran else 1.0
    figure = f"{failed} of {ran} tests failed ({share:.1%})"
    if share > max_rate:
        budget = f"max-failure-rate {max_rate:.1%}" if max_rate else "no failure budget"
        return "fail", f"{figure}, above {budget}"
    if share > warn_rate:
        return "warn", f"{figure}, within max-failure-rate {max_rate:.1%}"
    return "pass", f"{figure}, within warn-failure-rate {warn_rate:.1%}"


def distribution_problem(names: Sequence[str]) -> str | None:
    """What is wrong with a build's output: it must be one sdist and one wheel."""
    sdists = [name for name in names if name.endswith(".tar.gz")]
    wheels = [name for name in names if name.endswith(".whl")]
    if len(sdists) != 1 or len(wheels) != 1 or len(names) != 2:
        return f"expected one sdist and one wheel, got {', '.join(names) or 'nothing'}"
    return None


def wheel_platform_problem(name: str) -> str | None:
    """A wheel PyPI would refuse: built for this machine's plain `linux_*` platform
    (a C extension built by `python -m build`) rather than a manylinux or musllinux one."""
    if not name.endswith(".whl"):
        return None
    platform = name[: -len(".whl")].split("-")[-1]
    if not any(tag.startswith("linux_") for tag in platform.split(".")):
        return None
    return (
        f"{name} is tagged {platform}, which PyPI refuses: it holds compiled code built for "
        "this machine alone; build the wheels you publish with cibuildwheel (manylinux)"
    )


def summary_markdown(
    name: str, problems: Mapping[str, str | None], advisory: Collection[str] = ()
) -> str:
    """A gate of several tools as a Markdown table, for the step summary."""
    result = all_passed(problems, advisory)
    verdict = (
        ("passed with warnings" if result.warnings else "passed") if result.passed else "FAILED"
    )
    rows = [
        f"| {tool} | {_cell(problem, tool in advisory)} |" for tool, problem in problems.items()
    ]
    return "\n".join([f"## {name}: {verdict}", "", "| check | result |", "|---|---|", *rows]) + "\n"


def _cell(problem: str | None, advisory: bool) -> str:
    if not problem:
        return "passed"
    return f"warning: {problem} (advisory)" if advisory else problem


def path_problems(root: Path, paths: Iterable[str]) -> list[str]:
    """Paths a checker would silently pass on: missing, or with no Python file."""
    problems = []
    for path in paths:
        target = root / path
        if not target.exists():
            problems.append(f"{path} does not exist")
        elif target.is_dir() and next(target.rglob("*.py"), None) is None:
            problems.append(f"{path} has no Python files")
    return problems
