"""The replay's command line: which event, on which branch, and what to print."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from ci_sessions.config import Config
from ci_sessions.replay.events import EVENTS, Event
from ci_sessions.replay.run import Replay, ReplayError, table
from ci_sessions.workflow.settings import WorkflowConfig


def add_arguments(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("replay (run the committed workflow here)")
    group.add_argument(
        "--replay", choices=EVENTS, metavar="EVENT", help=f"one of {', '.join(EVENTS)}"
    )
    group.add_argument(
        "--branch", help="the branch pushed, or a pull request's head (default: main-branch)"
    )
    group.add_argument(
        "--base", help="a pull request's or merge queue's base (default: main-branch)"
    )
    group.add_argument("--cron", default="", help="the schedule that fired (default: the only one)")
    group.add_argument(
        "--input", action="append", default=[], metavar="NAME=VALUE", help="a dispatch input"
    )
    group.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="job entries run at once (default: one per core); jobs still wait for their needs",
    )
    group.add_argument(
        "--envdir",
        type=Path,
        help="nox venvs shared by every job (reused with -r; each job still installs)",
    )


def event_of(args: argparse.Namespace, config: Config) -> Event:
    main = config.of(WorkflowConfig).main
    inputs = dict(item.split("=", 1) for item in args.input if "=" in item)
    bad = [item for item in args.input if "=" not in item]
    if bad:
        raise ReplayError(f"--input {bad[0]!r}: write NAME=VALUE")
    base = args.base or (main if args.replay in ("pull_request", "merge_group") else "")
    return Event(args.replay, args.branch or main, base, args.cron, inputs)


def _cancel(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def replay(args: argparse.Namespace, config: Config) -> int:
    """Exit 0 when every job that ran passed, 1 when one failed, 2 when the replay could not
    start, 130 on a cancel (every process of the running step stopped, clones removed)."""
    try:
        event = event_of(args, config)
        runner = Replay(
            config.root,
            event,
            config.root / config.reports_dir / "replay",
            args.envdir,
            _say,
            max(args.workers, 1),
        )
        previous = signal.signal(signal.SIGTERM, _cancel)
        try:
            rows = runner.run()
        finally:
            signal.signal(signal.SIGTERM, previous)
    except ReplayError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "ci-sessions: replay cancelled: its processes were stopped and its clones removed",
            file=sys.stderr,
        )
        return 130
    if not rows:
        return 0
    print()
    print(table(rows))
    for tail in runner.tails:
        print("\n" + tail)
    return 1 if any(row.result in ("failure", "cancelled") for row in rows) else 0


def _say(text: str) -> None:
    print(text, flush=True)  # progress, as each job ends
