"""The generated workflow's structure, over plain Config values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from ci_sessions.config import Config
from ci_sessions.registry import load_config
from ci_sessions.workflow import HEADER, WorkflowError, drift, render, sessions_run, workflow

NIGHTLY = "schedule:17 3 * * *"


def config_of(tmp_path: Path, table: str = "") -> Config:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.11", "3.12"]\n'
        + textwrap.dedent(table)
    )
    return load_config(tmp_path / "pyproject.toml")


def test_one_job_per_session_each_a_single_nox_step(tmp_path: Path) -> None:
    document = workflow(config_of(tmp_path))
    assert sessions_run(document, "pull_request") == [
        "lint",
        "tests-3.11",
        "tests-3.12",
        "coverage",
        "security",
        "build",
    ]
    assert sessions_run(document, NIGHTLY)[-1] == "flaky"
    for name, job in document["jobs"].items():
        if name == "ci-passed":
            continue
        runs = [step["run"] for step in job["steps"] if "run" in step]
        assert runs == ["uvx --from 'nox>=2026.10.20' nox -s \"$SESSION\""]


def test_it_parses_as_yaml_with_pins_kept_as_comments(tmp_path: Path) -> None:
    text = render(workflow(config_of(tmp_path)))
    assert text.startswith(HEADER)
    parsed = yaml.safe_load(text)
    assert parsed["permissions"] == {"contents": "read"}
    assert parsed["concurrency"]["cancel-in-progress"] is True
    checkout = parsed["jobs"]["lint"]["steps"][0]
    assert checkout["uses"] == "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"
    assert "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1" in text
    assert parsed["jobs"]["tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12"]
    upload = parsed["jobs"]["tests"]["steps"][4]["with"]
    assert upload["include-hidden-files"] is True
    assert upload["name"] == "coverage-data-${{ matrix.python }}"


def test_configured_pins_replace_the_defaults(tmp_path: Path) -> None:
    pin = {"actions/checkout": "0123456789abcdef0123456789abcdef01234567 # v9.9.9"}
    text = render(workflow(config_of(tmp_path), pin))
    assert "actions/checkout@0123456789abcdef0123456789abcdef01234567 # v9.9.9" in text


def test_integration_uses_service_containers_and_feeds_coverage(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        """
        [tool.ci_sessions.integration]
        services = ["postgres", "redis"]
        url-env = { postgres = "PG_URL" }
        [tool.ci_sessions.coverage]
        include-integration = true
        patch-fail-under = 90
        """,
    )
    jobs = workflow(config)["jobs"]
    job = jobs["integration"]
    assert set(job["services"]) == {"postgres", "redis"}
    assert job["steps"][3]["env"] == {
        "SESSION": "integration",
        "PG_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    assert jobs["coverage"]["needs"] == ["changes", "tests", "integration"]
    assert jobs["coverage"]["steps"][0]["with"]["fetch-depth"] == 0


def test_drift() -> None:
    assert drift("a\n", "a\n") is None
    assert drift(None, "a\n") == ".github/workflows/ci.yml does not exist"
    difference = drift("a\nb\n", "a\nc\n")
    assert difference is not None and "-b\n+c\n" in difference


def test_pins_from_the_configuration(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        """
        [tool.ci_sessions.workflow]
        pins = { "actions/checkout" = "0123456789abcdef0123456789abcdef01234567 # v9.9.9" }
        """,
    )
    assert "actions/checkout@0123456789abcdef0123456789abcdef01234567 # v9.9.9" in render(
        workflow(config)
    )


def test_a_tag_is_not_a_pin(tmp_path: Path) -> None:
    import pytest

    from ci_sessions.config import ConfigError

    with pytest.raises(ConfigError, match=r"pins: actions/checkout: expected a full 40-character"):
        config_of(tmp_path, '[tool.ci_sessions.workflow]\npins = { "actions/checkout" = "v4" }\n')


def test_tiers_decide_which_event_runs_which_job(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        """
        [tool.ci_sessions.tiers]
        pr = ["lint", "tests"]
        nightly = ["tests", "coverage", "security"]
        """,
    )
    document = workflow(config)
    assert sorted(document["jobs"]) == [
        "changes",
        "ci-passed",
        "coverage",
        "lint",
        "report",
        "security",
        "tests",
    ]
    assert sessions_run(document, "pull_request") == ["lint", "tests-3.11", "tests-3.12"]
    assert sessions_run(document, "merge_group") == ["lint", "tests-3.11", "tests-3.12"]
    assert sessions_run(document, "dispatch:nightly") == sessions_run(document, NIGHTLY)
    assert sessions_run(document, NIGHTLY) == [
        "tests-3.11",
        "tests-3.12",
        "coverage",
        "security",
    ]
    assert document["jobs"]["coverage"]["if"] == (
        "always() && needs.tests.result != 'skipped' && needs.tests.result != 'cancelled' && "
        "(github.event.schedule == '17 3 * * *' || (github.event_name == "
        "'workflow_dispatch' && inputs.tier == 'nightly')) && needs.changes.outputs.code == 'true'"
    )


def test_shards_multiply_the_tests_jobs(tmp_path: Path) -> None:
    document = workflow(config_of(tmp_path, "shards = 3\n"))
    tests = document["jobs"]["tests"]
    assert tests["strategy"]["matrix"] == {"python": ["3.11", "3.12"], "shard": [1, 2, 3]}
    step = tests["steps"][3]
    assert step["env"]["SHARD"] == "${{ matrix.shard }}/3"
    assert step["run"].endswith('nox -s "$SESSION" -- --shard "$SHARD"')
    assert tests["steps"][4]["with"]["name"] == (
        "coverage-data-${{ matrix.python }}-shard${{ matrix.shard }}"
    )


def test_docs_only_changes_skip_every_job_but_lint(tmp_path: Path) -> None:
    jobs = workflow(config_of(tmp_path))["jobs"]
    assert jobs["changes"]["outputs"] == {"code": "${{ steps.nox.outputs.code }}"}
    assert jobs["changes"]["steps"][0]["with"]["fetch-depth"] == 0
    assert "if" not in jobs["lint"] and "needs" not in jobs["lint"]
    for name in ("tests", "security", "build", "coverage"):
        assert jobs[name]["needs"][0] == "changes"
        assert jobs[name]["if"].endswith("needs.changes.outputs.code == 'true'")


def test_a_tier_the_workflow_cannot_place_is_an_error_naming_it(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        """
        [tool.ci_sessions.tiers]
        smoke = ["lint"]
        fast = ["tests"]
        comprehensive = ["tests", "coverage"]
        """,
    )
    with pytest.raises(WorkflowError, match=r"no trigger runs tier 'fast', 'comprehensive'"):
        workflow(config)


def test_a_release_is_a_workflow_of_its_own_with_the_token_on_one_job(tmp_path: Path) -> None:
    from ci_sessions.workflow import RELEASE_PATH, generated, release

    config = config_of(tmp_path, "[tool.ci_sessions.workflow]\nrelease = true\n")
    document = release(config)
    assert document["on"] == {"push": {"tags": ["v*"]}}
    assert document["permissions"] == {"contents": "read"}
    build, publish = document["jobs"]["build"], document["jobs"]["publish"]
    assert "permissions" not in build
    assert list(publish["permissions"]) == ["id-token"] and publish["needs"] == ["build"]
    assert publish["permissions"]["id-token"].value == "write"
    # No cache in a workflow that publishes: a pull request's cache must not reach PyPI.
    assert build["steps"][2]["with"] == {"enable-cache": False}
    assert generated(config)[RELEASE_PATH] is not None
    assert generated(config_of(tmp_path / "off"))[RELEASE_PATH] is None
