"""``python -m ci_sessions``: check a project's configuration and this machine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ci_sessions import doctor
from ci_sessions.config import ConfigError, load_config


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ci-sessions", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("check-config", "validate [tool.ci_sessions] and print what it resolves to"),
        ("doctor", "which interpreters, tools and services the sessions find here"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("pyproject", nargs="?", default="pyproject.toml", type=Path)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.pyproject.resolve())
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "doctor":
        found = doctor.checks(config, doctor.working_which)
        print(doctor.render(found))
        return doctor.exit_code(found)
    print(f"{config.pyproject}: OK")
    for field, value in vars(config).items():
        print(f"  {field} = {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
