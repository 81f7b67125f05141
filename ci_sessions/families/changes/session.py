"""``changes``: tell the workflow whether a change touches code (for skipping jobs)."""

from __future__ import annotations

import os

import nox

from ci_sessions import git
from ci_sessions.config import Config
from ci_sessions.families.changes import docs as changes
from ci_sessions.glue.session import session
from ci_sessions.workflow.filters import matches
from ci_sessions.workflow.kit import placed_triggers
from ci_sessions.workflow.settings import WorkflowConfig
from ci_sessions.workflow.triggers import paths_output


def register(config: Config) -> None:
    @session(config, "changes", python=False, default=False, venv_backend="none")
    def changes_(session: nox.Session) -> None:
        """Write code=true|false to $GITHUB_OUTPUT (false when only docs changed), and
        paths-<tier>=true|false for each tier that runs when its paths change."""
        base = changes.base_ref(os.environ)
        paths: list[str] | None = None
        if base is None:
            code = True
            session.log("no base to compare with: every job runs")
        else:
            paths, problem = git.changed_since(config.root, base)
            if paths is None:
                session.error(
                    f"git diff against {base} failed: {problem} (the checkout needs fetch-depth: 0)"
                )
            code = not changes.docs_only(paths, config.of(WorkflowConfig).docs)
            session.log(f"{len(paths)} changed file(s): {'code' if code else 'documentation only'}")
        found = {"code": code, **tiers_changed(config, paths)}
        for name, value in found.items():
            if name != "code":
                session.log(f"{name}: {'changed' if value else 'unchanged'}")
        output = os.environ.get("GITHUB_OUTPUT")
        if output:
            with open(output, "a", encoding="utf-8") as sink:
                sink.writelines(f"{k}={'true' if v else 'false'}\n" for k, v in found.items())


def tiers_changed(config: Config, paths: list[str] | None) -> dict[str, bool]:
    """paths-<tier> -> whether a changed file matches the tier's paths (True when there
    is no base to compare with: every tier runs then)."""
    return {
        paths_output(tier): paths is None or any(matches(p, trigger.paths) for p in paths)
        for tier, trigger in placed_triggers(config).items()
        if trigger.paths
    }
