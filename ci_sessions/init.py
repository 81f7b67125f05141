"""`python -m ci_sessions init`: adopt ci-sessions in an existing project.

Adds what is missing (the thin noxfile, a starter [tool.ci_sessions] that
writes down what was found in the project, the workflow, `reports/` in
.gitignore) and never overwrites what exists: each step says what it did.
Everything is checked before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from ci_sessions import git
from ci_sessions.config import TABLE, Config, ConfigError, read_pyproject
from ci_sessions.config.values import toml
from ci_sessions.families.lint.settings import LintConfig
from ci_sessions.families.security.baseline import first_baseline
from ci_sessions.git import default_branch
from ci_sessions.registry import load_config
from ci_sessions.requirement import installed_requirement
from ci_sessions.workflow.emit import WORKFLOW_PATH

NOXFILE = '''# /// script
# dependencies = ["nox>=2026.10.20", {requirement}]
# ///
"""This project's sessions come from ci-sessions, configured in [tool.ci_sessions]."""

import nox

import ci_sessions

nox.needs_version = ">=2026.10.20"
ci_sessions.register()

if __name__ == "__main__":
    nox.main()
'''


def starter_table(config: Config, branch: str | None, bandit_baseline: str | None = None) -> str:
    """What init appends to pyproject.toml: what it found, made explicit, and why."""
    lint = config.of(LintConfig)
    package = config.packages[0] if len(config.packages) == 1 else list(config.packages)
    lines = [
        "",
        f"[{TABLE}]",
        "# Added by `python -m ci_sessions init`: what it found in the project, written down.",
        "# Every key is optional; see ci-sessions' README for the others.",
        f"python = {toml(config.python)}" + _source_comment(config, "python = "),
        f"package = {toml(package)}",
        *(f"# {reason}" for reason in lint.reasons),
        f"lint-tools = {toml(lint.tools)}",
    ]
    found = {
        "test-extras": config.test_extras,
        "test-groups": config.test_groups,
        "test-requirements": config.test_requirements,
        "lint-groups": lint.groups,
        "lint-requirements": lint.requirements,
    }
    lines += [
        f"{key} = {toml(value)}  # found in the project" for key, value in found.items() if value
    ]
    if bandit_baseline:
        lines += [
            "",
            f"[{TABLE}.security]",
            "# The bandit findings the code had at adoption, accepted; a new one fails.",
            f"bandit-baseline = {toml(bandit_baseline)}",
        ]
    if branch:
        lines += ["", f"[{TABLE}.workflow]", f"branches = {toml([branch])}  # the default branch"]
    return "\n".join(lines) + "\n"


def _source_comment(config: Config, prefix: str) -> str:
    """`  # what tox.ini tests`: where a key's value came from, from the load's notes."""
    for note in config.notes:
        if note.startswith(prefix) and ": " in note:
            return "  # " + note.split(": ", 1)[1]
    return ""


# bandit once over the project: (the baseline file written or None, what to say).
Scan = Callable[[Config], "tuple[str | None, list[str]]"]


def init(
    root: Path, write_workflow: Callable[[Path], list[str]], scan: Scan = first_baseline
) -> list[str]:
    """Add what is missing to the project at root; return one line per step."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ConfigError(f"{pyproject}: not found; init adds ci-sessions to an existing project")
    config = load_config(pyproject)  # every problem raised before anything is written
    has_table = "ci_sessions" in read_pyproject(pyproject).get("tool", {})
    requirement, problem = installed_requirement()
    done = [_noxfile(root / "noxfile.py", requirement, problem)]
    if has_table:
        done.append(f"kept [{TABLE}] in {pyproject}")
    else:
        # bandit once: the findings the code has today become the baseline (#29 7).
        baseline, said = scan(config)
        with pyproject.open("a", encoding="utf-8") as file:
            file.write(starter_table(config, default_branch(root), baseline))
        done.append(f"added [{TABLE}] to {pyproject}: " + ", ".join(_found(config)))
        done += said
    done += _gitignore(root, config.reports_dir)
    done += [f"note: {note}" for note in config.notes]
    workflow = root / WORKFLOW_PATH
    others = sorted(p.name for p in workflow.parent.glob("*.y*ml") if p.name != workflow.name)
    if workflow.exists():
        done.append(f"kept {workflow}")
    else:
        done += write_workflow(pyproject)
    if others:
        done.append(
            f"note: {workflow.parent} also holds {', '.join(others)}, which runs beside "
            f"{workflow.name}: remove what it duplicates"
        )
    return done


def _noxfile(noxfile: Path, requirement: str, problem: str | None) -> str:
    if noxfile.exists():
        if "ci_sessions.register(" in noxfile.read_text(encoding="utf-8"):
            return f"kept {noxfile}: it already calls ci_sessions.register()"
        return (
            f"kept {noxfile} (exists): add `import ci_sessions` and `ci_sessions.register()` "
            "to it; your own sessions can stay, defined after the call"
        )
    noxfile.write_text(NOXFILE.format(requirement=json.dumps(requirement)), encoding="utf-8")
    return f"wrote {noxfile}, which installs {requirement}" + (
        f"; note: {problem}" if problem else ""
    )


def _found(config: Config) -> list[str]:
    lint = config.of(LintConfig)
    found = [f"python {', '.join(config.python)}", f"lint-tools {', '.join(lint.tools)}"]
    for name, value in (
        ("test-extras", config.test_extras),
        ("test-groups", config.test_groups),
        ("test-requirements", config.test_requirements),
        ("lint-groups", lint.groups),
        ("lint-requirements", lint.requirements),
    ):
        if value:
            found.append(f"{name} {', '.join(value)}")
    return found


def _gitignore(root: Path, reports: str) -> list[str]:
    """The reports folder and .nox/ kept out of git, so that a first run leaves the tree
    clean."""
    missing = [name for name in (f"{reports.rstrip('/')}/", ".nox/") if not _ignored(root, name)]
    if not missing:
        return []
    target = root / ".gitignore"
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    separator = "" if not text or text.endswith("\n") else "\n"
    target.write_text(text + separator + "".join(f"{name}\n" for name in missing), encoding="utf-8")
    return [f"added {', '.join(missing)} to {target}"]


def _ignored(root: Path, name: str) -> bool:
    """Whether git ignores a folder (a trailing slash: git matches it as one, existing or not)."""
    found = git.ignored(root, name)
    if found is not None:
        return found
    gitignore = root / ".gitignore"  # not a git work tree: read the file itself
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    return any(line.strip().strip("/") == name.strip("/") for line in lines)


WORKSPACE_TABLE = f"""
[{TABLE}]
# Added by `python -m ci_sessions init`: shared by every member of the workspace (a member's
# own [{TABLE}] wins, key by key); each member's defaults come from its own pyproject.toml.
"""


def init_workspace(
    root: Path, members: Sequence[Config], write_workflow: Callable[[], list[str]]
) -> list[str]:
    """At a uv workspace root (every member's configuration already loaded, so a problem
    stops init before anything is written): the noxfile, a root table, .gitignore, the
    workspace's workflow; each member's notes."""
    pyproject = root / "pyproject.toml"
    requirement, problem = installed_requirement()
    done = [_noxfile(root / "noxfile.py", requirement, problem)]
    if "ci_sessions" in read_pyproject(pyproject).get("tool", {}):
        done.append(f"kept [{TABLE}] in {pyproject}")
    else:
        branch = default_branch(root)
        table = WORKSPACE_TABLE + (
            f"\n[{TABLE}.workflow]\nbranches = {toml([branch])}  # the default branch\n"
            if branch
            else ""
        )
        with pyproject.open("a", encoding="utf-8") as file:
            file.write(table)
        done.append(f"added [{TABLE}] to {pyproject}: shared by the members")
    done += _gitignore(root, "reports")
    for config in members:
        done.append(f"member {config.member}: python {', '.join(config.python)}")
        done += [f"note: {config.member}: {note}" for note in config.notes]
    workflow = root / WORKFLOW_PATH
    done += [f"kept {workflow}"] if workflow.exists() else write_workflow()
    return done
