"""The lint family's top-level keys; the tools default to what the project configures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ci_sessions.config import Key, ResolveContext, Section, values
from ci_sessions.families.lint import choice


@dataclass(frozen=True)
class LintConfig:
    tools: tuple[str, ...]  # None until resolved: chosen from the project
    extras: tuple[str, ...]
    groups: tuple[str, ...]
    # Resolved at load: why each tool was chosen (empty when lint-tools is set),
    # and whether the project tells mypy its files (then no paths are passed).
    reasons: tuple[str, ...] = ()
    mypy_files: bool = False


def resolve(settings: LintConfig, context: ResolveContext) -> LintConfig:
    root = context.pyproject.parent
    mypy_files = choice.mypy_files_configured(root, context.document)
    if settings.tools is not None:  # set, even to []: the user's choice
        return replace(settings, mypy_files=mypy_files)
    tools, reasons = choice.choose(root, context.document)
    return replace(settings, tools=tools, reasons=tuple(reasons), mypy_files=mypy_files)


LINT = Section(
    table=None,
    name="lint",
    build=LintConfig,
    resolve=resolve,
    keys=(
        Key(
            "lint-tools",
            "tools",
            values.subset_of(choice.TOOLS),
            None,
            f"some of {', '.join(f'`{tool}`' for tool in choice.TOOLS)}",
            default_text="ruff, then the formatter and the type checkers the project configures "
            "(black if `[tool.black]`, else `ruff format` if ruff is configured; mypy, pyright, "
            "basedpyright, ty, pyrefly each when configured)",
        ),
        Key("lint-extras", "extras", values.str_list, (), "extras the type checkers need"),
        Key(
            "lint-groups",
            "groups",
            values.str_list,
            (),
            "PEP 735 groups the type checkers need (a `typing` group with stub packages)",
            groups=True,
        ),
    ),
)
