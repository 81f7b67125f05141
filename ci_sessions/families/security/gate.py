"""The security gate: bandit's and safety's JSON reports in, findings and verdict out.

Both tools exit 0 in situations that must not pass (bandit on a file it could
not parse or on no code at all, safety on no package), so the verdict is made
here from what their reports say, never from their exit status alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ci_sessions.config.tables import Waiver


@dataclass(frozen=True)
class CodeFinding:
    file: str
    line: int
    test_id: str
    severity: str
    confidence: str
    text: str


def bandit_findings(report: Mapping[str, Any]) -> list[CodeFinding]:
    return [
        CodeFinding(
            file=str(result.get("filename", "?")),
            line=int(result.get("line_number", 0)),
            test_id=str(result.get("test_id", "?")),
            severity=str(result.get("issue_severity", "?")).lower(),
            confidence=str(result.get("issue_confidence", "?")).lower(),
            text=str(result.get("issue_text", "")),
        )
        for result in report.get("results", [])
    ]


LEVELS = ("low", "medium", "high")


def at_least(level: str, minimum: str) -> bool:
    """Whether bandit's level reaches the minimum (an unknown level counts as the lowest)."""
    rank = LEVELS.index(level) if level in LEVELS else 0
    return rank >= LEVELS.index(minimum)


def split_findings(
    findings: Iterable[CodeFinding], severity: str, confidence: str
) -> tuple[list[CodeFinding], list[CodeFinding]]:
    """(failing, warning): a finding fails at or above both failing levels; what bandit
    reported below them (it was run at the warn levels) is a warning."""
    failing: list[CodeFinding] = []
    warning: list[CodeFinding] = []
    for finding in findings:
        fails = at_least(finding.severity, severity) and at_least(finding.confidence, confidence)
        (failing if fails else warning).append(finding)
    return failing, warning


def bandit_problems(report: Mapping[str, Any]) -> list[str]:
    """What makes a bandit run worthless even when it exited 0."""
    problems = [
        f"bandit could not scan {error.get('filename', '?')}: {error.get('reason', '?')}"
        for error in report.get("errors", [])
    ]
    lines = report.get("metrics", {}).get("_totals", {}).get("loc", 0)
    if not lines:
        problems.append(
            "bandit scanned no line of code: check bandit-paths and [tool.bandit] exclude_dirs"
        )
    return problems


def bandit_scanned(report: Mapping[str, Any]) -> tuple[int, int]:
    """(files, lines of code) bandit's report says it scanned."""
    metrics = report.get("metrics", {})
    files = sum(1 for name in metrics if name != "_totals")
    return files, int(metrics.get("_totals", {}).get("loc", 0))


@dataclass(frozen=True)
class Vulnerability:
    package: str
    installed: str
    id: str
    fixed_versions: tuple[str, ...]
    advisory: str
    aliases: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "installed_version": self.installed,
            "advisory_id": self.id,
            "aliases": list(self.aliases),
            "fixed_versions": list(self.fixed_versions),
            "advisory": self.advisory,
        }


def safety_vulnerabilities(report: Mapping[str, Any]) -> list[Vulnerability]:
    found = []
    for item in report.get("vulnerabilities", []):
        cve = item.get("CVE")
        found.append(
            Vulnerability(
                package=str(item.get("package_name", "?")),
                installed=str(item.get("analyzed_version", "?")),
                id=str(item.get("vulnerability_id", "?")),
                fixed_versions=tuple(str(v) for v in item.get("fixed_versions") or ()),
                advisory=str(item.get("advisory", "")).strip(),
                aliases=(str(cve),) if cve else (),
            )
        )
    return sorted(found, key=lambda v: (v.package, v.id))


def safety_problems(report: Mapping[str, Any], expected_packages: int) -> list[str]:
    found = report.get("report_meta", {}).get("packages_found", 0)
    if not found:
        return ["safety scanned no package: it read none of the resolved dependencies"]
    if found < expected_packages:
        return [f"safety scanned {found} of {expected_packages} resolved dependencies"]
    return []


@dataclass(frozen=True)
class IgnoreOutcome:
    active: tuple[Vulnerability, ...]
    ignored: tuple[tuple[Vulnerability, Waiver], ...]
    expired: tuple[Waiver, ...]


def apply_ignores(
    vulnerabilities: Iterable[Vulnerability], ignores: Sequence[Waiver], today: date
) -> IgnoreOutcome:
    """Accepted advisories drop out until their entry expires; then they count again."""
    expired = tuple(entry for entry in ignores if entry.expires and entry.expires < today)
    current = {entry.id: entry for entry in ignores if entry not in expired}
    active: list[Vulnerability] = []
    ignored: list[tuple[Vulnerability, Waiver]] = []
    for vulnerability in vulnerabilities:
        entry = next(
            (current[i] for i in (vulnerability.id, *vulnerability.aliases) if i in current), None
        )
        if entry is None:
            active.append(vulnerability)
        else:
            ignored.append((vulnerability, entry))
    return IgnoreOutcome(tuple(active), tuple(ignored), expired)


@dataclass(frozen=True)
class SecurityResult:
    problems: tuple[str, ...]  # a scanner that could not do its job
    code: tuple[CodeFinding, ...]
    dependencies: IgnoreOutcome | None
    # (files, lines) bandit scanned, with the levels that fail; None: bandit did not run.
    bandit: tuple[int, int, str] | None = None
    # Findings at the advisory levels: shown and annotated, never failing.
    code_warnings: tuple[CodeFinding, ...] = ()

    @property
    def failures(self) -> list[str]:
        failures = list(self.problems)
        if self.code:
            failures.append(f"bandit: {len(self.code)} finding(s)")
        if self.dependencies is not None:
            if self.dependencies.active:
                failures.append(
                    f"safety: {len(self.dependencies.active)} known vulnerabilit"
                    f"{'y' if len(self.dependencies.active) == 1 else 'ies'}"
                )
            failures += [
                f"ignore entry {entry.id} expired on {entry.expires}: renew it with a "
                "new date or fix the dependency"
                for entry in self.dependencies.expired
            ]
        return failures

    @property
    def passed(self) -> bool:
        return not self.failures


# What to do about findings in code that predates the scan (Flask 3.1.2 has four,
# an exec among them): bandit's JSON report is the baseline format it reads back.
BASELINE_HINT = (
    "Fix them, or mark a reviewed line `# nosec <test>`. To adopt the scan on existing code, "
    "accept what is there and fail only on new findings: copy `reports/bandit.json` into the "
    "project (say `.bandit-baseline.json`) and set `bandit-baseline` to it under "
    "`[tool.ci_sessions.security]`."
)


def summary_markdown(result: SecurityResult, *, scanned_packages: int | None) -> str:
    verdict = (
        ("passed with warnings" if result.code_warnings else "passed")
        if result.passed
        else "FAILED"
    )
    lines = [f"## Security: {verdict}"]
    if result.failures:
        lines += ["", *(f"- **{failure}**" for failure in result.failures)]
    if result.bandit is not None:
        files, loc, levels = result.bandit
        found = f"{len(result.code)} finding(s)" if result.code else "no finding"
        lines += ["", "### bandit", "", f"{files} files ({loc} lines) scanned: {found} {levels}."]
    if result.code:
        lines += [
            "",
            "| file | line | test | severity | confidence | issue |",
            "|---|---:|---|---|---|---|",
        ]
        lines += [
            f"| `{f.file}` | {f.line} | {f.test_id} | {f.severity} | {f.confidence} | {f.text} |"
            for f in result.code
        ]
        lines += ["", BASELINE_HINT]
    if result.code_warnings:
        lines += [
            "",
            f"Warnings ({len(result.code_warnings)} below the failing levels, advisory):",
            "",
        ]
        lines += [
            f"- `{f.file}`:{f.line} {f.test_id} ({f.severity} severity, {f.confidence} "
            f"confidence): {f.text}"
            for f in result.code_warnings
        ]
    outcome = result.dependencies
    if outcome is None and scanned_packages == 0 and not result.problems:
        lines += ["", "### Dependencies", "", "No runtime dependency declared: nothing to scan."]
    if outcome is not None:
        lines += ["", f"### Dependencies ({scanned_packages or 0} scanned)", ""]
        if outcome.active:
            lines += ["| package | installed | advisory | fixed in |", "|---|---|---|---|"]
            lines += [
                f"| {v.package} | {v.installed} | {v.id} | {', '.join(v.fixed_versions) or '-'} |"
                for v in outcome.active
            ]
        else:
            lines.append("No known vulnerability.")
        if outcome.ignored:
            lines += ["", "Accepted (ignore entries):", ""]
            lines += [
                f"- {v.package} {v.installed}: {v.id}, {entry.reason}"
                + (f" (until {entry.expires})" if entry.expires else "")
                for v, entry in outcome.ignored
            ]
    return "\n".join(lines) + "\n"
