"""The registry: one module and one line add a family everywhere it belongs."""

from __future__ import annotations

from pathlib import Path

import nox.registry
import pytest

from ci_sessions import doctor
from ci_sessions.config import Config, ConfigError, Section
from ci_sessions.config.schema import keys_of, nested_sections
from ci_sessions.registry import FAMILIES, default_tiers, load_config, register_all, sections
from ci_sessions.workflow import sessions_run, workflow
from tests.unit import spelling_family
from tests.unit.spelling_family import SpellingConfig

WITH_SPELLING = (*FAMILIES, spelling_family)


def project(tmp_path: Path, table: str = "") -> Path:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n[tool.ci_sessions]\npython = ["3.12"]\n' + table
    )
    return tmp_path / "pyproject.toml"


def test_a_new_family_is_validated_generated_and_checked(tmp_path: Path) -> None:
    pyproject = project(tmp_path, '[tool.ci_sessions.spelling]\nbuiltin = "rare"\n')
    config = load_config(pyproject, families=WITH_SPELLING, environ={"CI": "true"})
    # The configuration: its keys, with defaults for the rest.
    assert config.of(SpellingConfig) == SpellingConfig(source="docs", builtin="rare")
    # Its member joins the tiers it declares.
    assert config.tiers_of("spelling") == ["pr", "nightly"]
    # The workflow runs it where its tiers say.
    document = workflow(config)
    assert "spelling" in document["jobs"]
    assert "spelling" in sessions_run(document, "pull_request")
    assert document["jobs"]["spelling"]["needs"] == ["changes"]
    # doctor looks for what it needs.
    (pyproject.parent / "noxfile.py").write_text('# /// script\n# dependencies = ["nox"]\n# ///\n')
    found = doctor.run_checks(config, {"python3.12": "/usr/bin/python3.12"}.get, lambda d: None)
    assert [c.name for c in found if c.missing_but_needed] == ["codespell"]
    # Its sessions are defined (in a registry of their own: a second definition warns).
    nox.registry.reset()
    register_all(config)
    assert "spelling" in nox.registry.get()
    # The README's tables include it.
    assert any(section.table == "spelling" for section in sections(WITH_SPELLING))


def test_a_new_family_s_keys_are_checked_like_any_other(tmp_path: Path) -> None:
    pyproject = project(tmp_path, '[tool.ci_sessions.spelling]\nbuiltin = "pdf"\n')
    with pytest.raises(
        ConfigError, match=r"\[tool.ci_sessions.spelling\] builtin: expected one of"
    ):
        load_config(pyproject, families=WITH_SPELLING, environ={"CI": "true"})
    unknown = project(tmp_path / "b", '[tool.ci_sessions.spelling]\nbuiltins = "rare"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'builtins' \(did you mean 'builtin'\?\)"):
        load_config(unknown, families=WITH_SPELLING, environ={"CI": "true"})
    # Without the family, its table is an unknown key, named as such.
    with pytest.raises(ConfigError, match=r"\[tool.ci_sessions\] unknown key 'spelling'"):
        load_config(pyproject, environ={"CI": "true"})
    tiers = project(tmp_path / "c", '[tool.ci_sessions.tiers]\npr = ["spelling"]\n')
    with pytest.raises(ConfigError, match=r'tiers: pr: unknown entry "spelling"'):
        load_config(tiers, environ={"CI": "true"})


def test_default_tiers_come_from_the_families() -> None:
    assert default_tiers(FAMILIES) == (
        ("smoke", ("lint", "collect")),
        ("pr", ("lint", "tests", "coverage", "security", "build", "docs")),
        (
            "nightly",
            (
                "lint",
                "tests",
                "integration",
                "coverage",
                "security",
                "build",
                "docs",
                "flaky",
                "benchmark-compare",
            ),
        ),
    )


@pytest.mark.parametrize("section", sections(), ids=lambda section: section.label)
def test_every_section_declares_every_field_and_builds_from_its_defaults(section: Section) -> None:
    assert len({key.name for key in section.keys}) == len(section.keys)
    assert section.keys, "a section without keys"
    if section.build is not Config:
        section.make({})  # every field has a default (a key's, or a resolved field's own)
    for _, kind in nested_sections(section):
        assert keys_of(kind), kind


def test_every_family_has_the_whole_shape() -> None:
    for family in FAMILIES:
        for part in ("NAME", "MEMBERS", "SECTIONS", "TOOLS", "REPORTS"):
            assert hasattr(family, part), (family.NAME, part)
        for part in ("register", "ci_jobs", "checks"):
            assert callable(getattr(family, part)), (family.NAME, part)
