"""A scheduled run that fails files one issue: opened the first time, commented on after.

Nobody watches a nightly run, so its failure must reach the issue tracker. The job
uses the runner's preinstalled `gh` CLI (no third-party action) with the run's own
token, which gets `issues: write` (and `actions: read`, to list the failed jobs)
on this job alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ci_sessions import pipeline_report
from ci_sessions.workflow.emit import Commented
from ci_sessions.workflow.kit import CiKit

# Lists the failed jobs with links to their pages (each shows its session's summary),
# then comments on the open issue with the first label and this title, or opens one.
SCRIPT = """\
failed=$(gh run view "$RUN_ID" --json jobs --jq '.jobs[]
  | select(.conclusion == "failure" or .conclusion == "cancelled")
  | "- [\\(.name)](\\(.url))"')
report=""
if [ -f "$REPORT" ]; then report=$(cat "$REPORT"); fi
body=$(printf 'The scheduled run %s failed.\\n\\n%s\\n%s\\n\\n%s\\n' "$RUN_URL" \\
  "Failed jobs (each page shows its session summary):" "$failed" "$report")
IFS=, read -ra labels <<< "$LABELS"
for label in "${labels[@]}"; do gh label create "$label" --force >/dev/null; done
number=$(gh issue list --state open --label "${labels[0]}" --search "\\"$TITLE\\" in:title" \\
  --json number --jq '.[0].number // empty')
if [ -n "$number" ]; then
  gh issue comment "$number" --body "$body"
else
  gh issue create --title "$TITLE" --label "$LABELS" --body "$body"
fi
"""


def pipeline_job(kit: CiKit, needs: Sequence[str]) -> dict[str, Any]:
    """The last job of every run: every job's session records, downloaded, then
    `nox -s report` (pipeline.md in the step summary), whatever happened before."""
    records = f"{kit.reports}/{pipeline_report.RECORDS}"
    return {
        "if": "always()",
        "needs": list(needs),
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        "steps": [
            *kit.setup(
                python=kit.config.python_of("report")
            ),  # nox's own Python: the report runs none
            kit.download(records, pattern="pipeline-*"),
            kit.nox_step("report", {"CI_SESSIONS_JOBS": "${{ toJSON(needs) }}"}),
            kit.upload("pipeline-report", f"{kit.reports}/pipeline.*"),
        ],
    }


def record_upload(kit: CiKit, job: str, *, written: bool = True) -> dict[str, Any]:
    """A job's session records, for the report job (one artifact per matrix entry).
    `written`: its session writes one (a session of the project's own noxfile does not:
    the report job counts that job by its result instead)."""
    name = f"pipeline-{job}-${{{{ strategy.job-index }}}}"
    upload = kit.upload(name, f"{kit.reports}/{pipeline_report.RECORDS}/")
    if not written:
        upload["with"]["if-no-files-found"] = "ignore"
    return upload


def report_job(
    kit: CiKit, tier: str, labels: Sequence[str], needs: Sequence[str], when: str
) -> dict[str, Any]:
    """The job that files the issue of a failed scheduled run of `tier`; `when` is the
    condition that limits it to that tier's schedules. After the report job: the issue
    carries the pipeline report, so a stage let through with a warning is named too."""
    return {
        "if": f"failure() && {when}",
        "needs": [*needs, "report"],
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 5,
        "permissions": {
            "issues": Commented("write", "opens or comments on the failure issue"),
            "actions": Commented("read", "lists the run's failed jobs"),
        },
        "steps": [
            # The issue is filed even when the report job left no report.
            {**kit.download(kit.reports, name="pipeline-report"), "continue-on-error": True},
            {
                "name": f"open or update the issue of failed {tier} runs",
                "env": {
                    "GH_TOKEN": "${{ github.token }}",
                    "GH_REPO": "${{ github.repository }}",
                    "RUN_ID": "${{ github.run_id }}",
                    "RUN_URL": "${{ github.server_url }}/${{ github.repository }}/actions/runs/"
                    "${{ github.run_id }}",
                    "LABELS": ",".join(labels),
                    "TITLE": f"scheduled {tier} run failed",
                    "REPORT": f"{kit.reports}/pipeline.md",
                },
                "shell": "bash",
                "run": SCRIPT,
            },
        ],
    }
