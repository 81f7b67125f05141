"""``changes``: tell the workflow whether a change touches code (for skipping jobs)."""

from __future__ import annotations

import os

import nox

from ci_sessions import git
from ci_sessions.config import Config
from ci_sessions.families.changes import docs as changes
from ci_sessions.glue.session import session
from ci_sessions.workflow.settings import WorkflowConfig


def register(config: Config) -> None:
    @session(config, "changes", python=False, default=False, venv_backend="none")
    def changes_(session: nox.Session) -> None:
        """Write code=true|false to $GITHUB_OUTPUT: false when only docs changed."""
        base = changes.base_ref(os.environ)
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
        output = os.environ.get("GITHUB_OUTPUT")
        if output:
            with open(output, "a", encoding="utf-8") as sink:
                sink.write(f"code={'true' if code else 'false'}\n")
