"""The workflow as the project's own: triggers per tier, stages, one required check,
the OS axis and what a job adds, all from [tool.ci_sessions.workflow]."""

from __future__ import annotations

import pytest

from ci_sessions.config import ConfigError
from ci_sessions.workflow import WorkflowError, sessions_run, workflow
from ci_sessions.workflow.own import own_sessions
from ci_sessions.workflow.stages import StageError, waits
from ci_sessions.workflow.triggers import evaluate
from tests.unit.test_workflow import config_of

SHA = "0123456789abcdef0123456789abcdef01234567"
TIERS = """
[tool.ci_sessions.tiers]
smoke = ["lint"]
pr = ["tests"]
nightly = ["tests", "coverage", "security"]
weekly = ["flaky"]
"""
TRIGGERS = """
[tool.ci_sessions.workflow.triggers]
smoke = { on = ["push", "pull_request"] }
pr = { on = ["push", "pull_request", "merge_group"] }
nightly = { cron = "0 2 * * *", dispatch = true }
weekly = { cron = ["0 4 * * 1"], dispatch = true }
"""


def test_each_tier_runs_on_its_own_triggers_and_crons_are_told_apart(tmp_path) -> None:
    document = workflow(config_of(tmp_path, TIERS + TRIGGERS))
    assert document["on"]["schedule"] == [{"cron": "0 2 * * *"}, {"cron": "0 4 * * 1"}]
    assert document["on"]["workflow_dispatch"]["inputs"]["tier"]["options"] == [
        "nightly",
        "weekly",
    ]
    assert "merge_group" in document["on"]
    assert sessions_run(document, "pull_request") == ["lint", "tests-3.11", "tests-3.12"]
    assert sessions_run(document, "merge_group") == ["tests-3.11", "tests-3.12"]
    nightly = ["tests-3.11", "tests-3.12", "coverage", "security"]
    assert sessions_run(document, "schedule:0 2 * * *") == nightly
    assert sessions_run(document, "dispatch:nightly") == nightly
    assert sessions_run(document, "schedule:0 4 * * 1") == ["flaky"]
    assert sessions_run(document, "dispatch:weekly") == ["flaky"]


def test_a_tier_no_trigger_runs_and_a_trigger_of_no_tier_are_errors(tmp_path) -> None:
    untriggered = TIERS + '[tool.ci_sessions.workflow.triggers]\npr = { on = ["push"] }\n'
    with pytest.raises(WorkflowError, match=r"workflow\] triggers: no trigger runs tier 'nightly'"):
        workflow(config_of(tmp_path / "a", untriggered))
    stray = TRIGGERS + 'monthly = { cron = "0 1 1 * *" }\n'
    with pytest.raises(WorkflowError, match=r"'monthly' is not a tier with sessions"):
        workflow(config_of(tmp_path / "b", TIERS + stray))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('pr = { on = ["pull"] }', r"triggers.pr\] on: 'pull'; expected some of push"),
        ('pr = { cron = "every day" }', r"triggers.pr\] cron: 'every day': is not a cron line"),
        ('pr = { cron = "61 * * * *" }', r"cron: '61 \* \* \* \*': minute '61' is out of range"),
        ('pr = { cron = "0 2 * * 7" }', r"day of the week '7' is out of range \(expected 0-6"),
        ('pr = { cron = "0 5-2 * * *" }', r"hour '5-2': a range must go upwards"),
        ("pr = {}", r"triggers.pr\] names no event, cron or dispatch"),
        ('pr = { when = "always" }', r"triggers.pr\] unknown key 'when'"),
    ],
)
def test_bad_triggers_name_the_key(tmp_path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_of(tmp_path, f"[tool.ci_sessions.workflow.triggers]\n{table}\n")


def test_one_required_check_needs_every_job_and_fails_on_failure_or_cancel(tmp_path) -> None:
    jobs = workflow(config_of(tmp_path))["jobs"]
    check = jobs["ci-passed"]
    assert check["if"] == "always()"
    assert check["needs"] == [name for name in jobs if name not in ("ci-passed", "report")]
    # The pipeline report comes last and needs every job that runs nox.
    assert jobs["report"]["if"] == "always()"
    assert jobs["report"]["needs"] == [
        n for n in jobs if n not in ("changes", "ci-passed", "report")
    ]
    (step,) = check["steps"]
    assert step["if"] == (
        "contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled')"
    )
    assert step["run"].endswith("exit 1")
    renamed = workflow(
        config_of(tmp_path / "b", '[tool.ci_sessions.workflow]\nrequired-check = "all-green"\n')
    )
    assert "all-green" in renamed["jobs"]
    # A job id, never an expression nor a name with spaces.
    for index, bad in enumerate(("${{ github.head_ref }}", "all green", "2fast")):
        with pytest.raises(ConfigError, match=r"required-check: expected a job id"):
            config_of(
                tmp_path / f"c{index}", f'[tool.ci_sessions.workflow]\nrequired-check = "{bad}"\n'
            )


def test_stages_wait_for_jobs_and_tiers(tmp_path) -> None:
    table = TIERS + TRIGGERS + """
[tool.ci_sessions.workflow.needs]
pr = ["smoke"]
coverage = ["tests"]
security = ["coverage"]
"""
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    assert jobs["tests"]["needs"] == ["changes", "lint"]
    # A stage of another trigger is skipped, not failed: the job still runs then.
    assert jobs["tests"]["if"].startswith("!cancelled() && !failure() && ")
    assert jobs["security"]["needs"] == ["changes", "coverage"]
    assert jobs["coverage"]["if"].startswith("always() && ")  # names what is missing


def test_stage_errors_name_the_unknown_name_or_the_circle() -> None:
    tiers = {"pr": ["lint", "tests"], "nightly": ["tests", "coverage"]}
    jobs = ["lint", "tests", "coverage"]
    assert waits([("nightly", ["pr"])], tiers, jobs) == {
        "lint": [],
        "tests": ["lint"],
        "coverage": ["lint", "tests"],
    }
    with pytest.raises(StageError, match=r"'docs' is neither a job"):
        waits([("tests", ["docs"])], tiers, jobs)
    with pytest.raises(StageError, match=r"tests -> coverage -> tests"):
        waits([("coverage", ["tests"]), ("tests", ["coverage"])], tiers, jobs)


def test_a_job_gets_env_steps_timeout_retention_and_fail_fast(tmp_path) -> None:
    table = f"""
[tool.ci_sessions.workflow.jobs.tests]
env = {{ API_TOKEN = "${{{{ secrets.API_TOKEN }}}}", MODE = "ci" }}
environment = "production"
timeout-minutes = 45
retention-days = 7
fail-fast = true
steps-before = [{{ run = "echo before" }}]
steps-after = [
  {{ uses = "codecov/codecov-action@{SHA} # v5.4.0", with = {{ files = "reports/coverage.xml" }} }},
]
"""
    job = workflow(config_of(tmp_path, table))["jobs"]["tests"]
    assert job["env"] == {"API_TOKEN": "${{ secrets.API_TOKEN }}", "MODE": "ci"}
    assert job["environment"] == "production"
    assert job["timeout-minutes"] == 45 and job["strategy"]["fail-fast"] is True
    runs = [step.get("run", "") for step in job["steps"]]
    nox = next(i for i, step in enumerate(job["steps"]) if "SESSION" in step.get("env", {}))
    assert runs[nox - 1] == "echo before"
    assert job["steps"][nox + 1]["uses"].render() == f"codecov/codecov-action@{SHA} # v5.4.0"
    uploads = [s for s in job["steps"] if "upload-artifact" in str(s.get("uses"))]
    assert uploads and all(s["with"]["retention-days"] == 7 for s in uploads)


def test_a_notification_may_read_the_runs_own_context(tmp_path) -> None:
    run = (
        "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"
        " ${{ job.status }} ${{ github.workflow }}"
    )
    table = f"""
[tool.ci_sessions.workflow.jobs.tests]
steps-after = [{{ if = "failure()", run = "notify $RUN", env = {{ RUN = "{run}" }} }}]
"""
    job = workflow(config_of(tmp_path, table))["jobs"]["tests"]
    added = next(step for step in job["steps"] if step.get("run", "").startswith("notify"))
    assert added["env"]["RUN"] == run


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('env = { T = "${{ github.event.issue.title }}" }', r"env: T: .*only .*secrets.NAME"),
        ('env = { T = "${{ github.head_ref }}" }', r"env: T: .*github.workflow, github.run_id"),
        ("env = { T = \"${{ format('{0}', github.sha) }}\" }", r"one per"),
        ('environment = "${{ github.ref }}"', r"environment: expected an environment's name"),
        ('steps-after = [{ uses = "codecov/codecov-action@v5" }]', r"pin the action to a full"),
        ('steps-after = [{ run = "echo ${{ secrets.X }}" }]', r"run contains .*pass the value"),
        ('steps-after = [{ run = "a", uses = "b" }]', r"a step has either uses or run"),
        ('os = ["solaris-11"]', r"os: 'solaris-11'; expected ubuntu"),
        ('os = ["ubuntu-latest"]\npr-os = ["macos-latest"]', r"pr-os: expected a subset"),
        ("timeout-minutes = 0", r"timeout-minutes: expected a whole number from 1 to 360"),
        ('shell = "zsh"', r"unknown key 'shell'"),
    ],
)
def test_unsafe_or_bad_job_options_name_the_key(tmp_path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions.workflow.jobs.tests\] .*" + message):
        config_of(tmp_path, f"[tool.ci_sessions.workflow.jobs.tests]\n{table}\n")


def test_an_os_axis_narrowed_on_pull_requests(tmp_path) -> None:
    table = """
[tool.ci_sessions.workflow.jobs.tests]
os = ["ubuntu-latest", "windows-latest", "macos-latest"]
pr-os = ["ubuntu-latest"]
"""
    job = workflow(config_of(tmp_path, table))["jobs"]["tests"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["matrix"]["os"] == (
        "${{ github.event_name == 'pull_request' && fromJSON('[\"ubuntu-latest\"]') || "
        'fromJSON(\'["ubuntu-latest", "windows-latest", "macos-latest"]\') }}'
    )
    coverage, reports, records = [
        s for s in job["steps"] if "upload-artifact" in str(s.get("uses"))
    ]
    assert records["with"]["name"] == "pipeline-tests-${{ strategy.job-index }}-${{ matrix.os }}"
    # Every system's coverage data, named apart: the gate combines them all.
    assert coverage["with"]["name"] == "coverage-data-${{ matrix.python }}-${{ matrix.os }}"
    assert coverage["if"] == "always()"
    assert reports["with"]["name"].endswith("-${{ matrix.os }}")
    assert {s.get("shell") for s in job["steps"] if "SESSION" in s.get("env", {})} == {"bash"}


def test_a_linux_only_job_refuses_other_systems(tmp_path) -> None:
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    table = """
[tool.ci_sessions.integration]
services = ["postgres"]
[tool.ci_sessions.workflow.jobs.integration]
os = ["ubuntu-latest", "windows-latest"]
"""
    with pytest.raises(WorkflowError, match=r"integration runs on Linux only \(service containers"):
        workflow(config_of(tmp_path, table))


def test_an_unknown_job_is_an_error(tmp_path) -> None:
    with pytest.raises(WorkflowError, match=r"jobs: 'docs' is not a job of the workflow"):
        workflow(
            config_of(tmp_path, "[tool.ci_sessions.workflow.jobs.docs]\ntimeout-minutes = 5\n")
        )


def test_conditions_are_evaluated_as_github_would_or_refused() -> None:
    text = (
        "!cancelled() && !failure() && "
        "(github.event_name == 'push' || github.event.schedule == '0 2 * * *')"
    )
    assert evaluate(text, "push") and evaluate(text, "schedule:0 2 * * *")
    assert not evaluate(text, "pull_request") and not evaluate(text, "push", failed=True)
    with pytest.raises(ValueError, match=r"the context 'runner' of .* is not known here"):
        evaluate("runner.os == 'Linux'", "push")
    with pytest.raises(ValueError, match=r"the function hashfiles\(\) of .* is not evaluated"):
        evaluate("hashFiles('uv.lock') != ''", "push")


def test_the_projects_own_tagged_sessions_become_jobs(tmp_path) -> None:
    listed = [
        {"session": "docs-3.11", "name": "docs", "tags": ["pr", "docs"]},
        {"session": "docs-3.12", "name": "docs", "tags": ["pr", "docs"]},
        {"session": "e2e", "name": "e2e", "tags": ["weekly"]},
        {"session": "scratch", "name": "scratch", "tags": []},
        {"session": "tests-3.12", "name": "tests", "tags": ["pr"]},  # ci-sessions' own
    ]
    own = own_sessions(listed, ["tests", "lint"])
    assert [session.name for session in own] == ["docs", "e2e", "scratch"]
    table = '[tool.ci_sessions.workflow.triggers]\npr = { on = ["push", "pull_request"] }\n'
    table += 'nightly = { cron = "17 3 * * *" }\nweekly = { cron = "0 4 * * 1" }\n'
    document = workflow(config_of(tmp_path, table), own=own)
    assert "scratch" not in document["jobs"]  # no tier tag: stays local
    assert sessions_run(document, "pull_request")[-2:] == ["docs-3.11", "docs-3.12"]
    assert sessions_run(document, "schedule:0 4 * * 1") == ["e2e"]
    assert document["jobs"]["docs"]["needs"] == ["changes"]
    # A trigger for a tier only the project's own sessions carry is not a stray trigger.
    with pytest.raises(WorkflowError, match=r"'weekly' is not a tier with sessions"):
        workflow(config_of(tmp_path / "b", table))


def test_a_stage_that_warns_on_failure_lets_the_next_run(tmp_path) -> None:
    table = '[tool.ci_sessions.workflow.jobs.tests]\non-failure = "warn"\n'
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    nox = next(step for step in jobs["tests"]["steps"] if "SESSION" in step.get("env", {}))
    assert nox["continue-on-error"] is True
    lint = next(step for step in jobs["lint"]["steps"] if "SESSION" in step.get("env", {}))
    assert "continue-on-error" not in lint
    with pytest.raises(ConfigError, match=r"on-failure: expected one of 'fail', 'warn'"):
        config_of(tmp_path / "b", '[tool.ci_sessions.workflow.jobs.tests]\non-failure = "skip"\n')


def test_a_failed_scheduled_run_files_one_issue_with_gh(tmp_path) -> None:
    table = TIERS + TRIGGERS.replace(
        'nightly = { cron = "0 2 * * *", dispatch = true }',
        'nightly = { cron = "0 2 * * *", dispatch = true, issue-labels = ["ci", "nightly"] }',
    )
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    report = jobs["report-nightly"]
    assert report["if"] == "failure() && (github.event.schedule == '0 2 * * *')"
    assert report["needs"] == ["tests", "coverage", "security", "report"]
    assert {k: v.value for k, v in report["permissions"].items()} == {
        "issues": "write",
        "actions": "read",
    }
    download, step = report["steps"]  # the pipeline report goes into the issue
    assert download["with"] == {"name": "pipeline-report", "path": "reports"}
    assert download["continue-on-error"] is True
    assert step["env"]["REPORT"] == "reports/pipeline.md"
    assert step["env"]["LABELS"] == "ci,nightly" and "gh issue create" in step["run"]
    assert "${{" not in step["run"]  # everything from the event goes through env
    assert "report-nightly" not in jobs["ci-passed"]["needs"]
    assert "report-weekly" not in jobs
    with pytest.raises(ConfigError, match=r"triggers.pr\] issue-labels: only a scheduled tier"):
        config_of(
            tmp_path / "b",
            '[tool.ci_sessions.workflow.triggers]\npr = { on = ["push"], issue-labels = ["x"] }\n',
        )


def test_an_informational_job_is_left_out_of_the_required_check(tmp_path) -> None:
    table = "[tool.ci_sessions.workflow.jobs.security]\nblocking = false\n"
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    assert "security" in jobs and "security" not in jobs["ci-passed"]["needs"]


def test_bandit_sarif_goes_to_code_scanning_with_the_write_token_on_that_job_alone(
    tmp_path,
) -> None:
    jobs = workflow(config_of(tmp_path))["jobs"]
    sarif = [s for s in jobs["security"]["steps"] if "upload-sarif" in str(s.get("uses"))]
    assert sarif and sarif[0]["with"]["sarif_file"] == "reports/bandit.sarif"
    assert jobs["security"]["permissions"]["security-events"].value == "write"
    assert [name for name, job in jobs.items() if "permissions" in job] == ["security"]
    off = workflow(
        config_of(tmp_path / "b", "[tool.ci_sessions.security]\ncode-scanning = false\n")
    )
    assert "permissions" not in off["jobs"]["security"]


def test_dependabot_is_written_unless_the_project_has_its_own(tmp_path) -> None:
    import yaml

    from ci_sessions.workflow import DEPENDABOT_PATH, generated

    config = config_of(tmp_path, "")
    written = yaml.safe_load(generated(config)[DEPENDABOT_PATH] or "")
    assert [u["package-ecosystem"] for u in written["updates"]] == ["github-actions", "pip"]
    assert all(u["cooldown"] == {"default-days": 7} for u in written["updates"])
    (tmp_path / ".github").mkdir()
    (tmp_path / DEPENDABOT_PATH).write_text("version: 2\nupdates: []\n")
    assert DEPENDABOT_PATH not in generated(config)


def test_benchmarks_compare_against_mains_stored_figures_and_main_stores_its_own(
    tmp_path,
) -> None:
    (tmp_path / "benchmarks").mkdir(parents=True)
    job = workflow(config_of(tmp_path, '[tool.ci_sessions.benchmark]\npaths = ["benchmarks"]\n'))[
        "jobs"
    ]["benchmark-compare"]
    uses = [str(step.get("uses", "")) for step in job["steps"]]
    restore = next(s for s in job["steps"] if "cache/restore" in str(s.get("uses")))
    assert restore["with"]["restore-keys"] == "benchmark-baseline-${{ runner.os }}-"
    nox = next(s for s in job["steps"] if "SESSION" in s.get("env", {}))
    assert nox["env"]["BASELINE"] == "${{ steps.benchmark-baseline.outputs.cache-matched-key }}"
    assert nox["run"].endswith(
        "${BASELINE:+-- --baseline-file reports/benchmark-baseline/benchmark-results.json}"
    )
    save = next(s for s in job["steps"] if "cache/save" in str(s.get("uses")))
    assert save["if"] == (
        "success() && github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    )
    assert uses.index(str(restore["uses"])) < uses.index(str(save["uses"]))


def test_pypy_and_free_threaded_entries_join_the_matrix_but_not_the_single_sessions(
    tmp_path,
) -> None:
    from ci_sessions.config.resolve import language_version, newest
    from ci_sessions.coverage_data import python_of

    config_of(tmp_path, "")
    table = (
        (tmp_path / "pyproject.toml")
        .read_text()
        .replace('python = ["3.11", "3.12"]', 'python = ["3.12", "3.13t", "pypy3.11"]')
    )
    (tmp_path / "pyproject.toml").write_text(table)
    from ci_sessions.registry import load_config

    config = load_config(tmp_path / "pyproject.toml")
    document = workflow(config)
    assert document["jobs"]["tests"]["strategy"]["matrix"]["python"] == [
        "3.12",
        "3.13t",
        "pypy3.11",
    ]
    assert "tests-pypy3.11" in sessions_run(document, "pull_request")
    assert newest(["pypy3.11", "3.13t", "3.12"]) == "3.12"
    assert newest(["pypy3.11", "pypy3.10"]) == "pypy3.11"
    assert language_version("pypy3.11") == "3.11" and language_version("3.13t") == "3.13"
    assert python_of(".coverage.pypypy3.11") == "pypy3.11"
    download = next(s for s in document["jobs"]["coverage"]["steps"] if "download" in str(s))
    assert download["with"]["pattern"] == "coverage-data-[3p]*"
    (tmp_path / "pyproject.toml").write_text(table.replace('"pypy3.11"', '"pypy3.9"'))
    with pytest.raises(ConfigError, match=r"pypy3.9: older than 3.10"):
        load_config(tmp_path / "pyproject.toml")


def test_the_coverage_ratchet_restores_mains_figures_and_main_saves_its_own(tmp_path) -> None:
    job = workflow(config_of(tmp_path, "[tool.ci_sessions.coverage]\nmax-drop = 0.5\n"))["jobs"][
        "coverage"
    ]
    restore = next(s for s in job["steps"] if "cache/restore" in str(s.get("uses")))
    assert restore["with"]["path"] == "reports/coverage-baseline"
    copy = next(s for s in job["steps"] if "keep the main" in s.get("name", ""))
    assert copy["run"] == (
        "mkdir -p reports/coverage-baseline && cp reports/coverage-figures.json "
        "reports/coverage-baseline/"
    )
    plain = workflow(config_of(tmp_path / "b"))["jobs"]["coverage"]
    assert not any("cache/" in str(s.get("uses")) for s in plain["steps"])


def test_a_narrowed_tier_runs_fewer_pythons_on_its_own_occasions_only(tmp_path) -> None:
    from ci_sessions.families.tests.narrow import Narrowing, narrowed_occasions

    table = (
        TIERS
        + TRIGGERS
        + (
            '[tool.ci_sessions.narrow.smoke]\npython = ["3.12"]\n'
            '[tool.ci_sessions.narrow.pr]\npython = ["3.12"]\nskip-slow = true\n'
        )
    )
    document = workflow(config_of(tmp_path, table))
    tests = document["jobs"]["tests"]
    step = next(s for s in tests["steps"] if "SESSION" in s.get("env", {}))
    # pr runs the tests on push, pull requests and merge queues, and no full tier does.
    assert step["env"]["CI_SESSIONS_TIER"].startswith("${{ (github.event_name == 'push' ||")
    assert sessions_run(document, "pull_request").count("tests-3.11") == 0
    assert "tests-3.12" in sessions_run(document, "pull_request")
    assert {"tests-3.11", "tests-3.12"} <= set(sessions_run(document, "schedule:0 2 * * *"))
    # Where a full tier runs too, the whole suite runs.
    assert narrowed_occasions(["pr"], {"pr": ("push", "pull_request"), "full": ("push",)}) == [
        ("pr", ("pull_request",))
    ]
    assert Narrowing(("3.13",), True, "not e2e").label("pr", "slow") == (
        "tier pr: -m (not slow) and (not e2e); Python 3.13"
    )
    # Refused when the configuration loads, before any session or generator runs.
    with pytest.raises(ConfigError, match=r"narrow\] pr: Python 3.99 is not in the matrix"):
        config_of(tmp_path / "b", '[tool.ci_sessions.narrow.pr]\npython = ["3.99"]\n')


SUITE_TABLES = """
[tool.ci_sessions.suites.unit]
paths = ["tests"]
python = "matrix"
tier = ["pr"]
[tool.ci_sessions.suites.e2e]
paths = ["tests"]
tier = ["nightly"]
services = ["redis"]
"""


def test_named_suites_become_jobs_of_their_tiers(tmp_path) -> None:
    (tmp_path / "tests").mkdir()
    document = workflow(config_of(tmp_path, SUITE_TABLES))
    unit, e2e = document["jobs"]["unit"], document["jobs"]["e2e"]
    assert unit["strategy"]["matrix"]["python"] == ["3.11", "3.12"]
    assert "unit-3.11" in sessions_run(document, "pull_request")
    assert "e2e" in sessions_run(document, "schedule:17 3 * * *")
    assert "e2e" not in sessions_run(document, "pull_request")
    assert set(e2e["services"]) == {"redis"}
    step = next(s for s in e2e["steps"] if "SESSION" in s.get("env", {}))
    assert step["env"]["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_a_suite_no_trigger_runs_is_an_error(tmp_path) -> None:
    (tmp_path / "tests").mkdir()
    table = '[tool.ci_sessions.suites.soak]\npaths = ["tests"]\ntier = ["weekly"]\n'
    with pytest.raises(WorkflowError, match=r"no trigger runs a tier of suite 'soak'"):
        workflow(config_of(tmp_path, table))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[tool.ci_sessions.suites.lint]\npaths = ["tests"]\n',
            r"suites.lint\]: 'lint' is the name of a session ci-sessions defines",
        ),
        ("[tool.ci_sessions.suites.e2e]\nmarkers = 'x'\n", r"suites.e2e\] paths is required"),
        (
            '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\nshards = 2\n',
            r"suites.e2e\] unknown key 'shards'",
        ),
        (
            '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\nservices = ["kafka"]\n',
            r"suites.e2e\] services: unknown entry \"kafka\"",
        ),
        (
            '[tool.ci_sessions.suites.e2e]\npaths = ["tests"]\npython = "2.7"\n',
            r'suites.e2e\] python: expected "matrix" or a version such as "3.12", got "2.7"',
        ),
    ],
)
def test_bad_suites_name_the_key(tmp_path, table: str, message: str) -> None:
    (tmp_path / "tests").mkdir()
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions\." + message):
        config_of(tmp_path, table)


def test_integration_is_a_suite_and_may_be_declared_as_one_but_not_twice(tmp_path) -> None:
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    table = (
        '[tool.ci_sessions.suites.integration]\npaths = ["tests/integration"]\n'
        'services = ["postgres"]\ntier = ["nightly"]\n'
        'images = { postgres = "postgres:17" }\n'
    )
    jobs = workflow(config_of(tmp_path, table))["jobs"]
    assert jobs["integration"]["services"]["postgres"]["image"] == "postgres:17"
    twice = table + '[tool.ci_sessions.integration]\npaths = ["tests/integration"]\n'
    with pytest.raises(ConfigError, match=r"both declare the integration suite: keep one"):
        config_of(tmp_path / "b", twice)


def test_a_named_suite_listed_by_nox_keeps_its_own_job(tmp_path) -> None:
    """nox lists a suite's session like the project's own; its job stays the suite's."""
    (tmp_path / "tests").mkdir()
    listed = [{"session": "e2e", "name": "e2e", "tags": ["e2e", "nightly"]}]
    document = workflow(config_of(tmp_path, SUITE_TABLES), own=own_sessions(listed, []))
    assert set(document["jobs"]["e2e"]["services"]) == {"redis"}
    assert sessions_run(document, "schedule:17 3 * * *").count("e2e") == 1


def test_the_main_branch_is_a_name_even_when_every_branch_runs(tmp_path) -> None:
    everything = '[tool.ci_sessions.workflow]\nbranches = ["**"]\n'
    with pytest.raises(ConfigError, match=r"the first of branches is '\*\*', a pattern"):
        config_of(tmp_path / "a", everything)
    config = config_of(
        tmp_path / "b",
        everything + 'main-branch = "develop"\n[tool.ci_sessions.coverage]\nmax-drop = 1\n',
    )
    document = workflow(config)
    saved = [
        step
        for step in document["jobs"]["coverage"]["steps"]
        if step.get("name") == "keep the main branch's figures for the next comparison"
    ]
    assert saved and "refs/heads/develop" in saved[0]["if"]
    assert "refs/heads/**" not in str(document)


def test_a_project_session_s_job_may_write_no_record_and_the_report_hears_its_result(
    tmp_path,
) -> None:
    listed = [{"session": "docs", "name": "docs", "tags": ["pr"]}]
    document = workflow(config_of(tmp_path), own=own_sessions(listed, ["tests", "lint"]))
    uploads = [s for s in document["jobs"]["docs"]["steps"] if "pipeline-docs" in str(s)]
    assert [s["with"]["if-no-files-found"] for s in uploads] == ["ignore"]
    report = document["jobs"]["report"]
    step = next(s for s in report["steps"] if s.get("env", {}).get("SESSION") == "report")
    assert step["env"]["CI_SESSIONS_JOBS"] == "${{ toJSON(needs) }}"
    assert "docs" in report["needs"]


def test_each_job_sets_up_the_python_its_session_runs_on(tmp_path, monkeypatch) -> None:
    """#29: every job set up every Python of the matrix, a download each in CI."""
    monkeypatch.setenv("CI", "true")  # as in CI: the newest of the matrix, not probed
    document = workflow(config_of(tmp_path, '[tool.ci_sessions.session-python]\nlint = "3.11"\n'))
    setups = {
        name: step["with"]["python-version"]
        for name, job in document["jobs"].items()
        for step in job.get("steps", [])
        if "setup-python" in str(step.get("uses", ""))
    }
    assert setups.pop("tests") == "${{ matrix.python }}"
    assert setups.pop("lint") == "3.11"  # its session-python entry
    assert setups and set(setups.values()) == {"3.12"}, setups  # the newest
