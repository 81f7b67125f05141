"""The GitHub Actions workflow, generated from the families a configuration loaded.

The generator lives in :mod:`ci_sessions.workflow.generator`; this package exports its
names lazily. Every family's settings import ``ci_sessions.workflow.settings``, so this
``__init__`` runs when a noxfile loads: importing the generator (emit, own, triggers,
expressions, the kit, ...) there cost every `nox` start about 20 ms for a workflow no
session writes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `X as X`: mypy's explicit re-export
    from ci_sessions.workflow.dependabot import DEPENDABOT_PATH as DEPENDABOT_PATH
    from ci_sessions.workflow.emit import HEADER as HEADER
    from ci_sessions.workflow.emit import RELEASE_PATH as RELEASE_PATH
    from ci_sessions.workflow.emit import WORKFLOW_PATH as WORKFLOW_PATH
    from ci_sessions.workflow.emit import Uses as Uses
    from ci_sessions.workflow.emit import drift as drift
    from ci_sessions.workflow.emit import render as render
    from ci_sessions.workflow.generator import WorkflowError as WorkflowError
    from ci_sessions.workflow.generator import generated as generated
    from ci_sessions.workflow.generator import project_sessions as project_sessions
    from ci_sessions.workflow.generator import release as release
    from ci_sessions.workflow.generator import sessions_run as sessions_run
    from ci_sessions.workflow.generator import workflow as workflow
    from ci_sessions.workflow.generator import workspace_generated as workspace_generated
    from ci_sessions.workflow.kit import CiJob as CiJob
    from ci_sessions.workflow.kit import CiKit as CiKit

# Each exported name and the module that defines it.
_HOMES = {
    "dependabot": ("DEPENDABOT_PATH",),
    "emit": ("HEADER", "RELEASE_PATH", "WORKFLOW_PATH", "Uses", "drift", "render"),
    "generator": (
        "WorkflowError",
        "generated",
        "project_sessions",
        "release",
        "sessions_run",
        "workflow",
        "workspace_generated",
    ),
    "kit": ("CiJob", "CiKit"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    """The exported names, imported when first asked for (PEP 562).

    Any other name is not ours: `from ci_sessions.workflow import options` must see an
    AttributeError here so that Python imports the submodule instead.
    """
    if name not in _HOME_OF:
        raise AttributeError(f"module 'ci_sessions.workflow' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ci_sessions.workflow.{_HOME_OF[name]}"), name)
