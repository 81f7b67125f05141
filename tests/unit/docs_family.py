"""A session family written in a test module: the shape a new family takes.

One module, and one line where the families are listed (the tests pass
``families=(*FAMILIES, docs_family)`` instead of editing the registry).
"""

from __future__ import annotations

from dataclasses import dataclass

import nox

from ci_sessions.config import Config, Section, values
from ci_sessions.config.schema import setting
from ci_sessions.families.base import Check, CiJob, CiKit, Which
from ci_sessions.glue.session import install_tools, session

NAME = "docs"
MEMBERS = {"docs": ("pr", "nightly")}
SESSIONS = ("docs",)
TOOLS = {"sphinx": "sphinx>=8,<9"}
REPORTS = {"docs/": "`docs`: the built HTML"}


@dataclass(frozen=True)
class DocsConfig:
    source: str = setting(values.relative_dir, "docs", "the Sphinx source folder")
    builder: str = setting(values.choices(("html", "dirhtml")), "html", "the Sphinx builder")


SECTIONS = (Section(table="docs", build=DocsConfig),)


def register(config: Config) -> None:
    settings = config.of(DocsConfig)

    @session(config, "docs", python=config.session_python)
    def docs(session: nox.Session) -> None:
        """Build the documentation."""
        install_tools(session, config, *TOOLS.values())
        session.run("sphinx-build", "-b", settings.builder, settings.source, "reports/docs")


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    return [CiJob("docs", "docs", kit.job("docs", kit.upload("docs", "reports/docs/")))]


def checks(config: Config, which: Which) -> list[Check]:
    return [Check("sphinx-build", which("sphinx-build"), "docs", "`pip install sphinx`")]
