"""``docs``: the documentation built as strictly as its tool allows, where a project has
documentation: MkDocs with `--strict` (a broken link or a page missing from the navigation
fails), Sphinx with `-W --keep-going` (every warning fails, all of them listed)."""

from __future__ import annotations

import shutil

import nox

from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks, pins
from ci_sessions.families.docs.settings import DOCS, DocsConfig
from ci_sessions.glue.session import install, reports_dir, session

NAME = "docs"
MEMBERS = {"docs": ("pr", "nightly")}
SESSIONS = ("docs",)
SECTIONS = (DOCS,)
TOOLS = {"mkdocs": "mkdocs>=1.6,<2", "sphinx": "sphinx>=8,<10"}
REPORTS = {"docs/": "`docs`: the built documentation"}
checks = no_checks


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    if config.of(DocsConfig).tool is None:
        return []
    return [
        CiJob(
            "docs",
            "docs",
            kit.job("docs", kit.upload("docs", f"{kit.reports}/docs/")),
        )
    ]


def commands(settings: DocsConfig, out: str) -> list[list[str]]:
    """The build commands, strict: what the docs session runs."""
    if settings.tool == "mkdocs":
        return [["mkdocs", "build", "--strict", "-f", str(settings.source), "--site-dir", out]]
    source = str(settings.source)
    found = [["sphinx-build", "-W", "--keep-going", "-b", "html", source, out]]
    if settings.doctest:
        found.append(
            ["sphinx-build", "-W", "--keep-going", "-b", "doctest", source, f"{out}-doctest"]
        )
    return found


def register(config: Config) -> None:
    settings = config.of(DocsConfig)
    if settings.tool is None:
        return  # no documentation found, none configured: nothing to build

    @session(config, "docs", python=config.python_of("docs"), allow_parallel=True)
    def docs(session: nox.Session) -> None:
        """Build the documentation strictly: a broken reference or any warning fails."""
        install(
            session,
            config,
            extras=settings.extras,
            groups=settings.groups,
            tools=pins(TOOLS, str(settings.tool)),
        )
        out = reports_dir(config) / "docs"
        shutil.rmtree(out, ignore_errors=True)
        for command in commands(settings, str(out)):
            session.run(*command)
        if not (out / "index.html").is_file():
            session.error(
                f"docs: the build wrote no {out / 'index.html'}: nothing was built; check "
                f"{config.key_ref('docs.source')}"
            )
        session.log(f"docs: built into {out}")
