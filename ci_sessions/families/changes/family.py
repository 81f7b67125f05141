"""The changes family: whether a change touches code, for the workflow's plumbing.

Its session is the workflow's first job, which the generator itself writes
(every other job waits for it); it belongs to no tier.
"""

from __future__ import annotations

from ci_sessions.families.base import no_checks, no_ci_jobs
from ci_sessions.families.changes import session

NAME = "changes"
MEMBERS: dict[str, tuple[str, ...]] = {}
SESSIONS = ("changes",)
SECTIONS = ()
TOOLS: dict[str, str] = {}
REPORTS: dict[str, str] = {}
register = session.register
ci_jobs = no_ci_jobs
checks = no_checks
