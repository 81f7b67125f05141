"""``[tool.ci_sessions.security]``: bandit's and the dependency scan's keys."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ci_sessions.config import tables, values
from ci_sessions.config.resolve import vulnerability_db
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.config.tables import Waiver

SEVERITIES = ("low", "medium", "high")
SCANNERS = ("bandit", "safety")
# The variable that names the vulnerability database; it wins over the key.
DB_ENV = "CI_SESSIONS_VULN_DB"


@dataclass(frozen=True)
class SecurityConfig:
    scanners: tuple[str, ...] = setting(
        values.subset_of(SCANNERS, at_least_one=True),
        SCANNERS,
        "at least one of `bandit`, `safety`",
    )
    bandit_paths: tuple[str, ...] | None = setting(
        values.project_paths,
        None,
        "what bandit scans, inside the project",
        default_text="the packages' source folders",
    )
    bandit_severity: str = setting(
        values.choices(SEVERITIES),
        "medium",
        "lowest severity that fails: `low`, `medium`, `high`",
    )
    bandit_confidence: str = setting(
        values.choices(SEVERITIES),
        "medium",
        "lowest confidence that fails: `low`, `medium`, `high`",
    )
    bandit_baseline: str | None = setting(
        values.non_empty_str,
        None,
        "a bandit JSON report; only findings not in it fail",
    )
    # $CI_SESSIONS_VULN_DB, else this key, made absolute at load; None: safety's online
    # service.
    db: str | None = setting(
        values.non_empty_str,
        None,
        "a folder of OSV advisories as published (a mirror of pypa/advisory-database's "
        "`vulns/`), or a safety database folder",
        env=DB_ENV,
        default_text="none: safety's online service (`SAFETY_API_KEY` for its current service)",
    )
    max_db_age_days: int = setting(
        values.positive_int,
        30,
        "fail when the newest advisory of the database is older than this",
    )
    ignore: tuple[Waiver, ...] = setting(
        tables.waivers("PYSEC-2018-28", expires_required=False),
        (),
        '`[{ id = "PYSEC-2018-28", reason = "...", expires = 2026-12-31 }]`: the ID or an '
        "alias (CVE, GHSA); a reason is required; past `expires` the advisory fails again; "
        "an ID the local database does not know fails",
    )
    # In CI, bandit's SARIF goes to GitHub code scanning.
    code_scanning: bool = setting(
        values.boolean,
        True,
        "in the workflow, upload bandit's SARIF to GitHub code scanning (`security-events: "
        "write` on that job alone); a private repository without code scanning sets `false`",
    )
    # Findings from these levels up, below the failing ones, are warnings.
    bandit_warn_severity: str | None = setting(
        values.choices(SEVERITIES),
        None,
        "findings from this severity up to below `bandit-severity` are warnings "
        "(summary, `::warning`, exit 0): an advisory level",
    )
    bandit_warn_confidence: str | None = setting(
        values.choices(SEVERITIES),
        None,
        "the same for confidence: findings from this confidence up to below "
        "`bandit-confidence` warn",
    )
    db_origin: str = "safety's online service"
    # Resolved at load: whether the project has [tool.bandit] (bandit reads it
    # only when pointed at the file), and whether it declares runtime
    # dependencies at all (a list in [project], or dependencies made dynamic).
    bandit_config: bool = False
    declares_dependencies: bool = True


def resolve(settings: SecurityConfig, context: ResolveContext) -> SecurityConfig:
    db, origin = vulnerability_db(
        settings.db, context.pyproject.parent, context.origins.get("security.db")
    )
    project = context.document.get("project", {})
    for kind, warn, fail in (
        ("severity", settings.bandit_warn_severity, settings.bandit_severity),
        ("confidence", settings.bandit_warn_confidence, settings.bandit_confidence),
    ):
        if warn is not None and SEVERITIES.index(warn) >= SEVERITIES.index(fail):
            raise ValueError(
                f"[tool.ci_sessions.security] bandit-warn-{kind} {warn!r} is not below "
                f"bandit-{kind} {fail!r}: nothing could warn; lower it"
            )
    return replace(
        settings,
        db=None if db is None else str(db),
        db_origin=origin,
        bandit_config="bandit" in context.document.get("tool", {}),
        declares_dependencies=bool(project.get("dependencies"))
        or "dependencies" in project.get("dynamic", []),
    )


SECURITY = Section(
    table="security",
    build=SecurityConfig,
    resolve=resolve,
)
