"""The lint family's top-level keys; the tools default to what the project configures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ci_sessions.config import ResolveContext, Section, discover, values
from ci_sessions.config.schema import setting
from ci_sessions.families.lint import choice


@dataclass(frozen=True)
class LintConfig:
    # None until resolved: chosen, or found, in the project.
    tools: tuple[str, ...] = setting(
        values.subset_of(choice.TOOLS),
        None,
        f"some of {', '.join(f'`{tool}`' for tool in choice.TOOLS)}",
        key="lint-tools",
        default_text="ruff (with the rules E4, E7, E9, F unless the project selects its own), then "
        "the formatter and the type checkers the project configures (black if `[tool.black]` "
        "or a black pre-commit hook, else `ruff format` if `[tool.ruff.format]` or a "
        "ruff-format hook; mypy, pyright, basedpyright, ty, pyrefly each when configured); "
        "the versions a `.pre-commit-config.yaml` pins install",
    )
    extras: tuple[str, ...] = setting(
        values.str_list,
        (),
        "extras the type checkers need",
        key="lint-extras",
    )
    groups: tuple[str, ...] = setting(
        values.str_list,
        None,
        "PEP 735 groups the type checkers need (a `typing` group with stub packages)",
        key="lint-groups",
        computed=lambda project: discover.lint_groups(project.document),
        default_text="the groups named " + ", ".join(f"`{n}`" for n in discover.LINT_NAMES),
        groups=True,
    )
    requirements: tuple[str, ...] = setting(
        values.project_paths,
        None,
        "requirements files the type checkers need, project-relative",
        key="lint-requirements",
        computed=lambda project: discover.lint_requirement_files(project.root),
        default_text="`requirements/typing.txt`, `requirements/lint.txt`, "
        "`requirements-typing.txt` or `requirements-lint.txt`, when there is one",
    )
    # Tools that run and annotate but never fail the gate ("style warnings don't fail").
    advisory: tuple[str, ...] = setting(
        values.subset_of(choice.TOOLS),
        (),
        "lint tools that run and annotate as warnings but never fail the gate "
        '(`["mypy"]`: "style warnings don\'t fail the build")',
        key="lint-advisory",
    )
    # Resolved at load: why each tool was chosen (empty when lint-tools is set),
    # whether the project tells mypy its files (then no paths are passed), and
    # whether ruff runs with the baseline rules (the project selects none).
    reasons: tuple[str, ...] = ()
    mypy_files: bool = False
    # mypy's pin when the project's python_version is older than mypy 2 accepts.
    mypy_pin: str | None = None
    ruff_baseline: bool = False


def resolve(settings: LintConfig, context: ResolveContext) -> LintConfig:
    root = context.pyproject.parent
    found = replace(
        settings,
        mypy_files=choice.mypy_files_configured(root, context.document),
        ruff_baseline=choice.ruff_selects(root, context.document) is None,
    )
    if settings.tools is None:
        tools, reasons = choice.choose(root, context.document)
        found = replace(found, tools=tools, reasons=tuple(reasons))
    older = choice.mypy_pin_for_target(root, context.document)
    if older is not None and "mypy" in (found.tools or ()):
        found = replace(found, mypy_pin=older[0], reasons=(*found.reasons, older[1]))
    idle = [tool for tool in found.advisory if tool not in found.tools]
    if idle:
        raise ValueError(
            f"[tool.ci_sessions] lint-advisory: {', '.join(idle)} is not among the lint tools "
            f"({', '.join(found.tools) or 'none'}), so it would never run; add it to "
            "lint-tools or remove it"
        )
    return found


LINT = Section(
    table=None,
    name="lint",
    build=LintConfig,
    resolve=resolve,
)
