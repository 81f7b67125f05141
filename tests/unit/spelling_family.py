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

NAME = "spelling"
MEMBERS = {"spelling": ("pr", "nightly")}
SESSIONS = ("spelling",)
TOOLS = {"codespell": "codespell>=2.3,<3"}
REPORTS = {"spelling.txt": "`spelling`: the words codespell doubts"}


@dataclass(frozen=True)
class SpellingConfig:
    source: str = setting(values.relative_dir, "docs", "the folder to check")
    builtin: str = setting(values.choices(("clear", "rare")), "clear", "codespell's dictionary")


SECTIONS = (Section(table="spelling", build=SpellingConfig),)


def register(config: Config) -> None:
    settings = config.of(SpellingConfig)

    @session(config, "spelling", python=config.session_python)
    def spelling(session: nox.Session) -> None:
        """Check the spelling of the documentation."""
        install_tools(session, config, *TOOLS.values())
        session.run("codespell", "--builtin", settings.builtin, settings.source)


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    return [CiJob("spelling", "spelling", kit.job("spelling"))]


def checks(config: Config, which: Which) -> list[Check]:
    return [Check("codespell", which("codespell"), "spelling", "`pip install codespell`")]
