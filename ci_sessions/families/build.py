"""``build``: the sdist and the wheel, checked with twine, kept in the reports folder."""

from __future__ import annotations

import shutil

import nox
import nox.virtualenv

from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks
from ci_sessions.glue.session import (
    install_tools,
    publish_summary,
    reports_dir,
    session,
    warn_visibly,
)

NAME = "build"
MEMBERS = {"build": ("pr", "nightly")}
SESSIONS = ("build",)
SECTIONS = ()
TOOLS = {"build": "build[uv]>=1.2,<2", "twine": "twine>=6,<8"}
REPORTS = {"dist/": "`build`: the sdist and the wheel, checked with twine"}
checks = no_checks


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    return [
        CiJob(
            "build",
            "build",
            kit.job("build", kit.upload("dist", f"{kit.reports}/dist/")),
        )
    ]


def register(config: Config) -> None:
    @session(config, "build", python=config.python_of("build"), allow_parallel=True)
    def build(session: nox.Session) -> None:
        """python -m build (sdist + wheel), then twine check on both."""
        from ci_sessions import verdicts

        install_tools(session, config, *TOOLS.values())
        dist = reports_dir(config) / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        has_uv, _, _ = nox.virtualenv.find_uv()
        # build's isolated environments install with uv when it is there: faster.
        installer = ["--installer=uv"] if has_uv else []
        session.run("python", "-m", "build", *installer, "--outdir", str(dist), ".")
        artefacts = sorted(path.name for path in dist.iterdir())
        problem = verdicts.distribution_problem(artefacts)
        if problem:
            session.error(f"build: {problem}")
        # Not --strict: a missing description is a warning on PyPI too; broken
        # markup, which PyPI would not render, is an error and fails.
        session.run("twine", "check", *(str(dist / name) for name in artefacts))
        session.log(f"built and checked: {', '.join(artefacts)} in {dist}")
        # Not a failure: the wheel is fine for this machine, and tests can use it.
        warnings = [w for name in artefacts if (w := verdicts.wheel_platform_problem(name))]
        warn_visibly(session, "build", warnings)
        publish_summary(
            config,
            None,
            f"## build: {'passed with warnings' if warnings else 'passed'}\n\n"
            f"{', '.join(f'`{name}`' for name in artefacts)}, checked with twine.\n"
            + "".join(f"\n- {warning}" for warning in warnings),
        )
