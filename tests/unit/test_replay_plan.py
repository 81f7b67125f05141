"""The replay's pure decisions: which event the workflow takes, the contexts a runner gives,
which job runs after which results, and matrices expanded as GitHub expands them."""

from __future__ import annotations

from typing import Any

import pytest

from ci_sessions.replay import plan
from ci_sessions.replay.entry import Row, runner_environment, without_service_urls
from ci_sessions.replay.events import Event, Repository, contexts, environment, why_not_triggered
from ci_sessions.replay.run import ReplayError, only_cron, table

REPO = Repository(sha="b" * 40, before="a" * 40, base_sha="c" * 40, changed=("src/app.py",))
ON: dict[str, Any] = {
    "push": {"branches": ["main", "release/*"]},
    "pull_request": {"branches": ["main"], "paths-ignore": ["docs/**"]},
    "schedule": [{"cron": "0 2 * * *"}],
}


@pytest.mark.parametrize(
    ("event", "why"),
    [
        (Event("push", "main"), None),
        (Event("push", "release/2.0"), None),
        (Event("push", "release/2.0/hotfix"), "not one of branches"),  # * stays in a segment
        (Event("push", "feature"), "not one of branches"),
        (Event("pull_request", "feature", "main"), None),
        (Event("pull_request", "feature", "develop"), "not one of branches"),
        (Event("schedule", "main", cron="0 2 * * *"), None),
        (Event("schedule", "main", cron="0 3 * * *"), "no schedule '0 3 * * *'"),
        (Event("merge_group", "main", "main"), "does not react to merge_group"),
    ],
)
def test_the_workflow_takes_the_events_its_on_block_names(event: Event, why: str | None) -> None:
    found = why_not_triggered(ON, event, REPO)
    assert found is None if why is None else why in (found or "")


def test_a_pull_request_changing_only_ignored_paths_does_not_run() -> None:
    docs_only = Repository("b" * 40, "a" * 40, "c" * 40, ("docs/index.md", "docs/api/x.md"))
    found = why_not_triggered(ON, Event("pull_request", "feature", "main"), docs_only)
    assert found is not None and "paths-ignore" in found
    mixed = Repository("b" * 40, "a" * 40, "c" * 40, ("docs/index.md", "src/app.py"))
    assert why_not_triggered(ON, Event("pull_request", "feature", "main"), mixed) is None


def test_the_contexts_and_variables_a_runner_sets() -> None:
    pull = contexts(Event("pull_request", "feature", "main"), REPO, "7")["github"]
    assert pull["ref"] == "refs/pull/1/merge"
    assert pull["event"]["pull_request"]["base"]["sha"] == "c" * 40
    assert (pull["base_ref"], pull["head_ref"]) == ("main", "feature")
    push = contexts(Event("push", "main"), REPO, "7")["github"]
    assert push["event"]["before"] == "a" * 40 and push["ref_name"] == "main"
    variables = environment(pull)
    assert variables["GITHUB_BASE_REF"] == "main" and variables["CI"] == "true"
    assert variables["GITHUB_RUN_ID"] == "7" and variables["RUNNER_OS"] == "Linux"
    assert "GITHUB_BASE_REF" not in environment(push)
    dispatch = contexts(Event("workflow_dispatch", "main", inputs={"tier": "nightly"}), REPO, "1")
    assert dispatch["inputs"] == {"tier": "nightly"}


JOBS: dict[str, dict[str, Any]] = {
    "lint": {},
    "tests": {"needs": "lint"},
    "coverage": {"needs": ["tests"], "if": "always() && needs.tests.result != 'skipped'"},
    "deploy": {"needs": ["coverage"]},
    "notify": {"needs": ["deploy"], "if": "failure()"},
    "gate": {"needs": ["lint", "tests"], "if": "always()"},
}


def test_jobs_run_after_every_job_they_need() -> None:
    order = plan.order(JOBS)
    assert (
        order.index("lint") < order.index("tests") < order.index("coverage") < order.index("deploy")
    )
    with pytest.raises(ValueError, match="need each other"):
        plan.order({"a": {"needs": "b"}, "b": {"needs": "a"}})


def test_a_failed_job_skips_those_after_it_unless_their_if_says_otherwise() -> None:
    results = {"lint": plan.FAILURE}
    skipped = plan.decide("tests", JOBS, results, {"needs": {"lint": {"result": "failure"}}})
    assert not skipped.runs and "lint failure" in skipped.why
    results["tests"] = plan.SKIPPED
    needs = {"tests": {"result": "skipped"}}
    assert not plan.decide("coverage", JOBS, results, {"needs": needs}).runs  # its if: is false
    assert plan.decide("gate", JOBS, results, {"needs": needs}).runs  # always()
    results.update(coverage=plan.SKIPPED, deploy=plan.SKIPPED)
    # failure() looks at every ancestor: lint failed two jobs up.
    assert plan.decide("notify", JOBS, results, {"needs": {"deploy": {"result": "skipped"}}}).runs


def test_a_skipped_job_skips_the_jobs_that_need_it_and_success_is_false() -> None:
    results = {"lint": plan.SUCCESS, "tests": plan.SUCCESS, "coverage": plan.SKIPPED}
    decision = plan.decide("deploy", JOBS, results, {"needs": {"coverage": {"result": "skipped"}}})
    assert not decision.runs and "coverage skipped" in decision.why


def test_a_matrix_multiplies_its_axes_then_excludes_and_includes() -> None:
    job = {
        "strategy": {
            "matrix": {
                "python": ["3.12", "3.13"],
                "os": '${{ fromJSON(\'["ubuntu-latest", "windows-latest"]\') }}',
                "exclude": [{"python": "3.12", "os": "windows-latest"}],
                "include": [{"python": "3.13", "extra": "yes"}, {"python": "3.14", "os": "x"}],
            }
        }
    }
    entries = plan.matrix(job, {})
    assert {"python": "3.12", "os": "windows-latest"} not in entries
    assert {"python": "3.13", "os": "ubuntu-latest", "extra": "yes"} in entries
    assert {"python": "3.14", "os": "x"} in entries
    assert len(entries) == 4
    assert plan.matrix({}, {}) == [{}]
    assert plan.label({"python": "3.13", "os": "x"}) == "python=3.13, os=x"


def test_a_matrix_job_fails_when_one_entry_fails() -> None:
    assert plan.job_result([plan.SUCCESS, plan.FAILURE]) == plan.FAILURE
    assert plan.job_result([plan.SUCCESS, plan.SKIPPED]) == plan.SUCCESS
    assert plan.job_result([]) == plan.SKIPPED


def test_the_runner_environment_leaves_out_an_enclosing_run_and_service_urls() -> None:
    shell = {
        "PATH": "/bin",
        "NOX_CURRENT_SESSION": "x",
        "VIRTUAL_ENV": "/v",
        "GITHUB_SHA": "1",
        "CI_SESSIONS_SESSION": "m",
        "CI_SESSIONS_VULN_DB": "/db",
    }
    kept = runner_environment(shell)
    assert kept == {"PATH": "/bin", "CI_SESSIONS_VULN_DB": "/db", "UV_PYTHON_DOWNLOADS": "never"}
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres", "OTHER": "1"}
    assert without_service_urls(env, {"postgres": {}}) == {"OTHER": "1"}
    assert without_service_urls(env, {}) == env


def test_a_schedule_without_cron_is_the_only_one_or_an_error() -> None:
    assert only_cron(ON) == "0 2 * * *"
    with pytest.raises(ReplayError, match="--cron with one of 0 1 \\* \\* \\*, 0 2"):
        only_cron({"schedule": [{"cron": "0 1 * * *"}, {"cron": "0 2 * * *"}]})


def test_the_table_has_one_line_per_entry_with_the_reason() -> None:
    shown = table([Row("tests", "python=3.13", "success"), Row("deploy", "-", "skipped", "why")])
    lines = shown.splitlines()
    assert lines[0].split() == ["job", "matrix", "result", "why"]
    assert lines[2].split() == ["deploy", "-", "skipped", "why"]


def test_branch_filters_read_double_stars_and_negations_in_order() -> None:
    on = {"push": {"branches": ["release/**", "!release/old/**", "release/old/keep"]}}
    takes = [
        why_not_triggered(on, Event("push", branch), REPO) is None
        for branch in ("release/1/2", "release/old/x", "release/old/keep", "main")
    ]
    assert takes == [True, False, True, False]
