"""`python -m ci_sessions init`: adopt ci-sessions in an existing project.

Adds what is missing (the thin noxfile, a starter [tool.ci_sessions], the
workflow) and never overwrites what exists: each step says what it did.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ci_sessions.config import TABLE, ConfigError, read_pyproject
from ci_sessions.registry import load_config

NOXFILE = '''# /// script
# dependencies = ["nox>=2026.10.20", "ci-sessions"]
# ///
"""This project's sessions come from ci-sessions, configured in [tool.ci_sessions]."""

import nox

import ci_sessions

nox.needs_version = ">=2026.10.20"
ci_sessions.register()

if __name__ == "__main__":
    nox.main()
'''


def starter_table(python: tuple[str, ...], packages: tuple[str, ...]) -> str:
    """What init appends to pyproject.toml: the resolved defaults, made explicit."""
    listed = ", ".join(f'"{version}"' for version in python)
    package = packages[0] if len(packages) == 1 else list(packages)
    package_value = f'"{package}"' if isinstance(package, str) else str(package).replace("'", '"')
    return (
        f"\n[{TABLE}]\n"
        "# Added by `python -m ci_sessions init`; every key is optional (see its README).\n"
        f"python = [{listed}]\n"
        f"package = {package_value}\n"
    )


def init(root: Path, write_workflow: Callable[[Path], Path]) -> list[str]:
    """Add what is missing to the project at root; return one line per step."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ConfigError(f"{pyproject}: not found; init adds ci-sessions to an existing project")
    done = []
    noxfile = root / "noxfile.py"
    if noxfile.exists():
        done.append(f"kept {noxfile} (exists; add `ci_sessions.register()` to it yourself)")
    else:
        noxfile.write_text(NOXFILE, encoding="utf-8")
        done.append(f"wrote {noxfile}")
    if "ci_sessions" in read_pyproject(pyproject).get("tool", {}):
        done.append(f"kept [{TABLE}] in {pyproject}")
    else:
        config = load_config(pyproject)  # the defaults, checked before anything is written
        with pyproject.open("a", encoding="utf-8") as file:
            file.write(starter_table(config.python, config.packages))
        done.append(f"added [{TABLE}] to {pyproject}")
    workflow = root / ".github" / "workflows" / "ci.yml"
    if workflow.exists():
        done.append(f"kept {workflow}")
    else:
        done.append(f"wrote {write_workflow(pyproject)}")
    return done
