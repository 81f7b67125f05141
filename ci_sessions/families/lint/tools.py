"""The lint tools, one record each in one table (pre-commit's languages, for lint tools).

A record holds everything ci-sessions knows of a tool: the pinned package that provides
it, how it checks without touching a file and how `format` applies it, where a project
configures it (so that lint runs it only then), how its output becomes GitHub
annotations, and what it prints when it checked no file. Adding a tool (pylint, say) is
one record here: `lint-tools` accepts it, `choice` finds it, `lint` and `format` run it.
No nox here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ci_sessions import github

Reader = Callable[[str, Path], list[github.Annotation]]


@dataclass(frozen=True)
class LintTool:
    name: str  # as lint-tools names it
    kind: str  # "linter", "formatter" or "type checker"
    pin: str  # the requirement that installs it
    check: tuple[str, ...]  # how it checks, never editing a file
    fix: tuple[str, ...] | None = None  # how `nox -s format` applies it (None: it does not)
    # Where a project configures it: its [tool.<table>], these files, a pre-commit hook id.
    table: str | None = None
    config_files: tuple[str, ...] = ()
    hook: str | None = None
    # Its output as GitHub annotations (None: it gives none to read).
    annotations: Reader | None = None
    # What it prints when every path was excluded, having checked nothing (not a pass).
    nothing_checked: str | None = None

    @property
    def package(self) -> str:
        """The distribution its pin names (ruff-format is ruff's)."""
        return self.pin.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip()

    @property
    def type_checker(self) -> bool:
        return self.kind == "type checker"


RUFF_NOTHING = "No Python files found"
# `--no-fix` wins over a project's `fix = true`; `--force-exclude` keeps the project's
# excludes even for paths named on the command line.
TOOLS: tuple[LintTool, ...] = (
    LintTool(
        "ruff",
        "linter",
        "ruff>=0.17,<0.18",
        ("ruff", "check", "--no-fix", "--force-exclude"),
        ("ruff", "check", "--fix", "--force-exclude"),
        table="ruff",
        config_files=("ruff.toml", ".ruff.toml"),
        hook="ruff",
        annotations=github.from_ruff,
        nothing_checked=RUFF_NOTHING,
    ),
    LintTool(
        "black",
        "formatter",
        "black>=26.1,<27",
        ("black", "--check", "--diff"),
        ("black",),
        table="black",
        hook="black",
        nothing_checked="No Python files are present",
    ),
    LintTool(
        "ruff-format",
        "formatter",
        "ruff>=0.17,<0.18",
        ("ruff", "format", "--check", "--diff", "--force-exclude"),
        ("ruff", "format", "--force-exclude"),
        hook="ruff-format",
        nothing_checked=RUFF_NOTHING,
    ),
    LintTool(
        "mypy",
        "type checker",
        "mypy>=2.4,<3",
        ("mypy",),
        table="mypy",
        config_files=("mypy.ini", ".mypy.ini"),
        annotations=github.from_mypy,
    ),
    LintTool(
        "pyright",
        "type checker",
        "pyright>=1.1.400,<2",
        ("pyright",),
        table="pyright",
        config_files=("pyrightconfig.json",),
    ),
    LintTool(
        "basedpyright",
        "type checker",
        "basedpyright>=1.30,<2",
        ("basedpyright",),
        table="basedpyright",
    ),
    LintTool(
        "ty",
        "type checker",
        "ty>=0.0.100,<0.1",
        ("ty", "check"),
        table="ty",
        config_files=("ty.toml",),
    ),
    LintTool(
        "pyrefly",
        "type checker",
        "pyrefly>=1.0,<2",
        ("pyrefly", "check"),
        table="pyrefly",
        config_files=("pyrefly.toml",),
    ),
)
BY_NAME = {tool.name: tool for tool in TOOLS}
NAMES = tuple(BY_NAME)


def of_kind(kind: str) -> tuple[str, ...]:
    return tuple(tool.name for tool in TOOLS if tool.kind == kind)


def pins_for(names: Sequence[str]) -> list[str]:
    """The pinned requirements that provide these tools, each package once."""
    return list(dict.fromkeys(BY_NAME[name].pin for name in names))


def annotations_of(name: str, output: str, root: Path) -> list[github.Annotation]:
    reader = BY_NAME[name].annotations
    return reader(output, root) if reader is not None else []
