"""``python -m ci_sessions``: check a project's configuration without running nox."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ci_sessions.config import ConfigError, load_config


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ci-sessions", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-config", help="validate [tool.ci_sessions]")
    check.add_argument("pyproject", nargs="?", default="pyproject.toml", type=Path)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.pyproject.resolve())
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    print(f"{config.pyproject}: OK")
    for field, value in vars(config).items():
        print(f"  {field} = {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
