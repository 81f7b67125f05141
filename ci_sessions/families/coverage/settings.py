"""``[tool.ci_sessions.coverage]``: the combined gate's keys, declared once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ci_sessions.config import own_ci, values
from ci_sessions.config.resolve import resolve_fail_under
from ci_sessions.config.schema import ResolveContext, Section, setting


@dataclass(frozen=True)
class CoverageConfig:
    """The combined coverage gate's thresholds, and what it reads of [tool.coverage]."""

    fail_under: float | None = setting(
        values.percentage,
        None,
        "minimum total percentage, lines and branches combined over the matrix",
        default_text="the project's `[tool.coverage.report] fail_under` (a string "
        "included, as coverage.py reads it), else none",
    )
    modules: tuple[tuple[str, float], ...] = setting(
        values.percentage_table,
        (),
        'table of glob -> minimum, checked for every matching file (`"src/pkg/core/*" = 100`)',
    )
    patch_fail_under: float | None = setting(
        values.percentage,
        None,
        "minimum coverage of the lines changed against `compare-branch` (diff-cover)",
    )
    compare_branch: str | None = setting(
        values.git_ref,
        None,
        "the branch the patch is measured against",
        default_text="`origin/main`, falling back to `main`",
    )
    require_all_pythons: bool = setting(
        values.boolean,
        True,
        "fail when a Python of `python` contributed no usable data (locally, one whose "
        "interpreter does not start here is a warning)",
    )
    worst_files: int = setting(
        values.positive_int,
        5,
        "how many least-covered files the summary lists",
    )
    include_integration: bool = setting(
        values.boolean,
        False,
        "combine the integration session's data too",
    )
    # Below these, a visible warning (summary, ::warning), never a failure.
    warn_under: float | None = setting(
        values.percentage,
        None,
        "below this total (and at or above fail-under), a warning: in the summary and as a "
        "`::warning`, exit 0 (`fail-under = 60`, `warn-under = 80`)",
    )
    modules_warn_under: tuple[tuple[str, float], ...] = setting(
        values.percentage_table,
        (),
        "table of glob -> percentage below which a matching file warns, beside `modules`",
    )
    # The ratchet: points the total or a file may drop against main's figures.
    max_drop: float | None = setting(
        values.percentage,
        None,
        "a ratchet: the total or a file dropping more than this many points against the "
        "main branch's stored figures fails (`0`: any drop)",
    )
    drop: str = setting(
        values.choices(("fail", "warn")),
        "fail",
        "what a drop beyond `max-drop` does: `fail`, or `warn` (visible, exit 0)",
    )
    # Named suites whose data the gate combines too.
    include_suites: tuple[str, ...] = setting(
        values.str_list,
        (),
        "named suites (`[tool.ci_sessions.suites.<name>]`) whose data the gate combines too",
    )
    # Resolved at load: where fail_under came from.
    fail_under_origin: str = "not set"


def resolve(settings: CoverageConfig, context: ResolveContext) -> CoverageConfig:
    """fail-under: this key, else [tool.coverage.report] fail_under as coverage.py reads it."""
    tables = context.document.get("tool", {}).get("coverage", {})
    tables = tables if isinstance(tables, dict) else {}
    report = tables.get("report", {})
    if not isinstance(report, dict):
        raise ValueError(
            f"[tool.coverage.report] must be a table, got report = {values.toml(report)}"
        )
    own = context.document.get("tool", {}).get("ci_sessions", {})
    declared = set(own.get("suites", {})) | ({"integration"} if "integration" in own else set())
    unknown = [suite for suite in settings.include_suites if suite not in declared]
    if unknown:
        raise ValueError(
            f"[tool.ci_sessions.coverage] include-suites: {', '.join(unknown)} is not a suite "
            f"of [tool.ci_sessions.suites] ({', '.join(sorted(declared)) or 'none'})"
        )
    fail_under, origin = resolve_fail_under(settings.fail_under, report)
    if fail_under is None:
        # The threshold the project's own CI writes in a command (`--cov-fail-under=99`).
        written = own_ci.read(context.pyproject.parent, context.document).fail_under()
        if written is not None:
            fail_under, origin = written[0], f"a command of {written[1]}"
    warn = settings.warn_under
    if warn is not None and fail_under is not None and warn <= fail_under:
        raise ValueError(
            f"[tool.ci_sessions.coverage] warn-under {settings.warn_under:g} is not above "
            f"fail-under {fail_under:g} ({origin}): nothing could warn; raise warn-under"
        )
    return replace(settings, fail_under=fail_under, fail_under_origin=origin)


COVERAGE = Section(
    table="coverage",
    build=CoverageConfig,
    resolve=resolve,
)
