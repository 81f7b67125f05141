"""OSV -> safety database conversion, on advisories shaped like the PyPA database's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ci_sessions.families.security.vulndb import (
    DatabaseError,
    advisory_ids,
    affected_packages,
    age_problem,
    check_safety_db,
    database_time,
    fingerprint,
    pinned_pairs,
    prepare,
    range_specifiers,
    to_safety_db,
)

REQUESTS: dict[str, Any] = {
    "id": "PYSEC-2018-28",
    "summary": "",
    "details": "Requests before 2.20.0 sends an HTTP Authorization header to an http URI.",
    "aliases": ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"],
    "modified": "2021-06-16T00:03:24.800813Z",
    "published": "2018-10-09T17:29:00Z",
    "affected": [
        {
            "package": {"name": "Requests", "ecosystem": "PyPI"},
            "ranges": [
                {"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "c45d7c4"}]},
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("events", "specs"),
    [
        ([{"introduced": "0"}, {"fixed": "2.20.0"}], ["<2.20.0"]),
        (
            [{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"}],
            [">=1.0,<1.5", ">=2.0,<2.3"],
        ),
        ([{"introduced": "1.2"}, {"last_affected": "1.4"}], [">=1.2,<=1.4"]),
        ([{"introduced": "3.1"}], [">=3.1"]),
        ([{"introduced": "0"}, {"fixed": "not a version!"}], []),
    ],
)
def test_range_specifiers(events: list[dict[str, str]], specs: list[str]) -> None:
    assert range_specifiers(events) == specs


def test_affected_packages_ignores_git_ranges_and_other_ecosystems() -> None:
    npm = {"package": {"name": "left-pad", "ecosystem": "npm"}, "versions": ["1.0"]}
    advisory = {**REQUESTS, "affected": [*REQUESTS["affected"], npm]}
    [affected] = affected_packages(advisory)
    assert (affected.package, affected.specifiers, affected.fixed) == (
        "requests",
        ("<2.20.0",),
        ("2.20.0",),
    )


def test_exact_versions_when_there_is_no_range() -> None:
    advisory = {
        "id": "X",
        "affected": [{"package": {"name": "pkg", "ecosystem": "PyPI"}, "versions": ["1.0", "1.1"]}],
    }
    assert affected_packages(advisory)[0].specifiers == ("==1.0", "==1.1")


def test_to_safety_db_builds_both_files() -> None:
    withdrawn = {**REQUESTS, "id": "PYSEC-0", "withdrawn": "2022-01-01T00:00:00Z"}
    short, full = to_safety_db([REQUESTS, withdrawn], source="mirror")
    assert short["meta"]["schema_version"] == "2.0.0"
    assert short["vulnerable_packages"] == {"requests": ["<2.20.0"]}
    [entry] = full["vulnerable_packages"]["requests"]
    assert entry["ids"] == [
        {"type": "pyup", "id": "PYSEC-2018-28"},
        {"type": "cve", "id": "CVE-2018-18074"},
    ]
    assert entry["fixed_versions"] == ["2.20.0"]
    assert entry["advisory"].startswith("Requests before 2.20.0")
    assert short["meta"]["ci_sessions"]["advisories"] == 1
    assert database_time(short) == datetime(2021, 6, 16, 0, 3, 24, tzinfo=UTC)


def test_an_empty_mirror_is_an_error() -> None:
    with pytest.raises(DatabaseError, match="holds no OSV advisory"):
        to_safety_db([], source="mirror")


def test_a_mirror_of_other_ecosystems_is_an_error() -> None:
    npm_only = {
        **REQUESTS,
        "id": "GHSA-npm",
        "affected": [{"package": {"name": "left-pad", "ecosystem": "npm"}}],
    }
    with pytest.raises(DatabaseError, match=r"holds no PyPI advisory \(1 advisories of other"):
        to_safety_db([npm_only], source="mirror")


def test_advisory_ids_know_ids_and_aliases(tmp_path: Path) -> None:
    converted = prepare(write_mirror(tmp_path / "vulns"), tmp_path / "cache")
    assert {"PYSEC-2018-28", "CVE-2018-18074"} <= advisory_ids(converted)


def test_age_problem() -> None:
    built = datetime(2024, 10, 10, tzinfo=UTC)
    assert age_problem(built, datetime(2024, 10, 20, tzinfo=UTC), 30) is None
    problem = age_problem(built, datetime(2024, 12, 10, tzinfo=UTC), 30)
    assert problem is not None and "(61 days old), older than max-db-age-days = 30" in problem
    assert age_problem(None, built, 30) == (
        "the database carries no date, so its age cannot be checked"
    )


def write_mirror(folder: Path) -> Path:
    (folder / "requests").mkdir(parents=True)
    (folder / "requests" / "PYSEC-2018-28.json").write_text(json.dumps(REQUESTS))
    return folder


def test_prepare_converts_once_and_again_after_a_change(tmp_path: Path) -> None:
    mirror = write_mirror(tmp_path / "vulns")
    first = prepare(mirror, tmp_path / "cache")
    assert check_safety_db(first)["vulnerable_packages"] == {"requests": ["<2.20.0"]}
    assert prepare(mirror, tmp_path / "cache") == first
    before = fingerprint(mirror)
    (mirror / "requests" / "PYSEC-2014-13.json").write_text(
        json.dumps({**REQUESTS, "id": "PYSEC-2014-13"})
    )
    assert fingerprint(mirror) != before
    assert prepare(mirror, tmp_path / "cache") != first


def test_prepare_uses_a_safety_database_folder_as_it_is(tmp_path: Path) -> None:
    converted = prepare(write_mirror(tmp_path / "vulns"), tmp_path / "cache")
    assert prepare(converted, tmp_path / "other-cache") == converted


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.symlink_to(p), "cannot be resolved"),
        (lambda p: p.write_text("x"), "is not a folder"),
        (lambda p: (p / "a").mkdir(parents=True), "holds no OSV advisory"),
        (
            lambda p: write_mirror(p) and (p / "requests" / "bad.yaml").write_text(": ["),
            "bad.yaml: not a readable OSV advisory",
        ),
        (lambda p: p.mkdir() or (p / "x.json").write_text("[1]"), "x.json: not an OSV advisory"),
    ],
)
def test_unusable_sources(tmp_path: Path, setup: Any, message: str) -> None:
    source = tmp_path / "db"
    setup(source)
    with pytest.raises(DatabaseError, match=message):
        prepare(source, tmp_path / "cache")


def test_a_safety_folder_with_the_wrong_schema(tmp_path: Path) -> None:
    for name in ("insecure.json", "insecure_full.json"):
        (tmp_path / name).write_text(json.dumps({"meta": {"schema_version": "1.0"}}))
    with pytest.raises(DatabaseError, match=r"schema version '1\.0', safety 3\.7 reads '2\.0\.0'"):
        prepare(tmp_path, tmp_path / "cache")
    (tmp_path / "insecure.json").write_text("{not json")
    with pytest.raises(DatabaseError, match=r"insecure\.json: unreadable"):
        check_safety_db(tmp_path)


def test_pinned_pairs_keep_each_version_a_universal_resolution_gives() -> None:
    text = (
        "certifi==2024.8.30\n"
        "requests==2.19.1 ; python_full_version < '3.12'\n"
        "requests==2.32.3 ; python_full_version >= '3.12'\n"
        "colorama==0.4.6 ; sys_platform == 'win32'\n"
        "requests==2.19.1 ; python_full_version < '3.12'\n"
        "# a comment\n"
    )
    assert pinned_pairs(text) == [
        ("certifi", "2024.8.30"),
        ("requests", "2.19.1"),
        ("requests", "2.32.3"),
        ("colorama", "0.4.6"),
    ]
