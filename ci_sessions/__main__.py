"""``python -m ci_sessions``: check a project's configuration and this machine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ci_sessions import check_config, doctor, workflow
from ci_sessions.config import Config, ConfigError
from ci_sessions.init import init, init_workspace
from ci_sessions.registry import load_config
from ci_sessions.replay import cli as replay_cli
from ci_sessions.workflow import files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ci-sessions", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("check-config", "validate [tool.ci_sessions] and print what it resolves to"),
        ("doctor", "which interpreters, tools and services the sessions find here"),
        ("workflow", f"write {workflow.WORKFLOW_PATH} from the configured sessions"),
        ("init", "add the noxfile, [tool.ci_sessions] and the workflow; overwrite nothing"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("pyproject", nargs="?", default="pyproject.toml", type=Path)
        if name == "workflow":
            command.add_argument(
                "--check", action="store_true", help="exit 1 if the committed file differs"
            )
            command.add_argument(
                "--force",
                action="store_true",
                help="replace workflow files ci-sessions did not write (no generated header)",
            )
            replay_cli.add_arguments(command)
    args = parser.parse_args(argv)
    try:
        members = _workspace_members(args.pyproject.resolve())
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    if members is not None:
        return _workspace(args, members)
    if args.command == "init":
        try:
            steps = init(args.pyproject.resolve().parent, _write_workflow)
        except (ConfigError, workflow.WorkflowError) as exc:
            print(f"ci-sessions: error: {exc}", file=sys.stderr)
            return 2
        print("\n".join(steps))
        return 0
    try:
        config = load_config(args.pyproject.resolve())
    except ConfigError as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "workflow" and args.replay:
        return replay_cli.replay(args, config)
    if args.command == "workflow":
        try:
            return _workflow(config, check=args.check, force=args.force)
        except workflow.WorkflowError as exc:
            print(f"ci-sessions: error: {exc}", file=sys.stderr)
            return 2
    if args.command == "doctor":
        try:
            defined, _ = workflow.project_sessions(config)  # what register() defines
        except workflow.WorkflowError as exc:
            print(f"ci-sessions: error: {exc}", file=sys.stderr)
            return 2
        found = doctor.run_checks(defined, doctor.working_which)
        print(doctor.render(found))
        return doctor.exit_code(found)
    print(check_config.render(config), end="")
    return 0


def _workspace_members(pyproject: Path) -> list[Config] | None:
    """Every member's configuration at a uv workspace root; None elsewhere."""
    from ci_sessions.families import workspace as workspace_sessions

    found = workspace_sessions.at_root(pyproject, None, (), load_config)
    return None if found is None else found.configs


def _workspace(args: argparse.Namespace, members: list[Config]) -> int:
    """At a uv workspace root: check-config prints each member's configuration, workflow
    writes (checks, replays) the workspace's workflow, doctor checks every member's needs,
    init adds the noxfile, a root table and the workflow."""
    root = args.pyproject.resolve().parent
    if args.command == "check-config":
        for config in members:
            print(f"# member {config.member} ({config.root})")
            print(check_config.render(config), end="")
        return 0
    if args.command == "workflow":
        # The replay and the file checks see the repository from its root.
        at_root = replace(
            members[0], root=root, pyproject=args.pyproject.resolve(), reports_dir="reports"
        )
        if args.replay:
            return replay_cli.replay(args, at_root)
        try:
            written = workflow.workspace_generated(root, members)
            return _write_or_check(at_root, written, check=args.check, force=args.force)
        except workflow.WorkflowError as exc:
            print(f"ci-sessions: error: {exc}", file=sys.stderr)
            return 2
    if args.command == "doctor":
        found = doctor.workspace_checks(root, members, doctor.working_which)
        print(doctor.render(found))
        return doctor.exit_code(found)

    # init: the members are loaded (a problem stopped it above), and the workflow is
    # written from the configuration as init leaves it.
    def write_workflow() -> list[str]:
        reloaded = _workspace_members(args.pyproject.resolve()) or members
        generated = workflow.workspace_generated(root, reloaded)
        return files.write(root, generated, force=False, keep_foreign=True)

    try:
        steps = init_workspace(root, members, write_workflow)
    except (ConfigError, workflow.WorkflowError) as exc:
        print(f"ci-sessions: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(steps))
    return 0


def _write_workflow(pyproject: Path) -> list[str]:
    """For init: write the generated files, keeping (and naming) any a person wrote."""
    config = load_config(pyproject)
    return files.write(config.root, workflow.generated(config), force=False, keep_foreign=True)


def _workflow(config: Config, *, check: bool, force: bool = False) -> int:
    return _write_or_check(config, workflow.generated(config), check=check, force=force)


def _write_or_check(
    config: Config, generated: dict[str, str | None], *, check: bool, force: bool = False
) -> int:
    if not check:
        try:
            lines = files.write(config.root, generated, force=force, keep_foreign=False)
        except files.ForeignFile as exc:
            print(f"ci-sessions: error: {exc}", file=sys.stderr)
            return 2
        print("\n".join(lines))
        return 0
    stale = 0
    for path, expected in generated.items():
        target = config.root / path
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        difference = workflow.drift(current, expected, path)
        if difference:
            print(difference)
            stale += 1
        elif expected is not None:
            print(f"{target}: up to date")
    if stale:
        print(
            "ci-sessions: the workflow files differ from what the sessions give; run "
            "`python -m ci_sessions workflow` and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
