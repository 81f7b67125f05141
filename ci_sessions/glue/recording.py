"""Each session's record for the pipeline report: verdict, duration, warnings, figures.

Wraps a session function so that however it ends (passed, session.error, session.skip,
a crash) its record is written; a cancel (Ctrl-C, SIGTERM) writes none, since the run
did not finish.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import nox
import nox.sessions

from ci_sessions.glue.nox_mode import installing_only

SessionFunc = Callable[[nox.Session], None]


def recorded(func: SessionFunc, tiers: Sequence[str], reports: Callable[[], Path]) -> SessionFunc:
    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        if installing_only(session):  # nothing ran: no verdict to record
            func(session)
            return
        # Imported when a session runs, not when the noxfile loads (#32: every start pays
        # for what register() imports).
        from ci_sessions import pipeline_report

        pipeline_report.begin()
        started = time.monotonic()
        outcome: tuple[bool, bool, str] | None = None  # (failed, skipped, why)
        try:
            func(session)
            outcome = (False, False, "")
        except nox.sessions._SessionSkip as exc:  # session.skip(): said why
            outcome = (False, True, str(exc))
            raise
        except nox.sessions._SessionQuit as exc:  # session.error(): said why
            outcome = (True, False, str(exc))
            raise
        except Exception as exc:
            outcome = (True, False, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            if outcome is not None:
                failed, skipped, why = outcome
                pipeline_report.finish(
                    reports(),
                    session.name,
                    tiers,
                    time.monotonic() - started,
                    failed=failed,
                    skipped=skipped,
                    reason=why,
                )

    return run
