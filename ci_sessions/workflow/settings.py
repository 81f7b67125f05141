"""``[tool.ci_sessions.workflow]``: the generated GitHub Actions workflow's keys."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import values
from ci_sessions.config.schema import Key, Section
from ci_sessions.families.changes.docs import DEFAULT_DOCS


@dataclass(frozen=True)
class WorkflowConfig:
    # action -> "sha # tag", replacing the built-in pin of that action.
    pins: tuple[tuple[str, str], ...]
    # A change that touches only these skips every job but lint.
    docs: tuple[str, ...]
    # The branches whose pushes run the pr tier. Never read off git here: the
    # workflow (and its drift check) must not depend on which branch is checked
    # out; `init` detects the default branch and writes it.
    branches: tuple[str, ...]
    # Publish the build job's sdist and wheel to PyPI when a v* tag is pushed.
    release: bool


WORKFLOW = Section(
    table="workflow",
    build=WorkflowConfig,
    title="the generated workflow",
    keys=(
        Key(
            "pins",
            "pins",
            values.action_pins,
            (),
            '`{ "owner/action" = "<40-hex sha> # <tag>" }`: replaces the built-in pin of an action',
        ),
        Key(
            "docs",
            "docs",
            values.str_list,
            DEFAULT_DOCS,
            "globs of documentation: a change touching only these skips every job but lint",
        ),
        Key(
            "branches",
            "branches",
            values.non_empty_str_list,
            ("main",),
            "the branches whose pushes run the pr tier (`init` writes the repository's "
            "default branch here)",
        ),
        Key(
            "release",
            "release",
            values.boolean,
            False,
            "on a pushed `v*` tag, once every job passed, publish the build job's sdist and wheel "
            "to PyPI with trusted publishing (`id-token: write` on that job alone)",
        ),
    ),
)
