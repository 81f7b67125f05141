"""The coverage.py configuration every session measures with.

The project's own ``[tool.coverage]`` settings are kept (omit, exclude_lines,
precision, ...); ci-sessions forces only what the matrix needs to combine:
branch coverage, measurement by import name (``source_pkgs``, so the installed
copy is measured even in a flat layout), relative paths, and ``[paths]`` that
map every venv's site-packages and every system's checkout back to the source tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ci_sessions.config import Config
from ci_sessions.config.project import source_dir

# Keys ci-sessions sets itself; the project's values for them are replaced.
FORCED_RUN_KEYS = {"branch", "source", "source_pkgs", "relative_files", "data_file", "parallel"}


def coverage_settings(
    user: Mapping[str, Any], packages: Iterable[str], source_dirs: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Merge the project's [tool.coverage] with what the matrix needs."""
    sections: dict[str, dict[str, Any]] = {
        name: dict(values) for name, values in user.items() if isinstance(values, Mapping)
    }
    run = {k: v for k, v in sections.get("run", {}).items() if k not in FORCED_RUN_KEYS}
    run.update(branch=True, relative_files=True, source_pkgs=list(packages))
    sections["run"] = run
    # fail_under would fail each Python's partial figure (and make coverage exit
    # 2 while writing reports); the coverage session applies it to the total.
    sections["report"] = {k: v for k, v in sections.get("report", {}).items() if k != "fail_under"}
    paths = dict(sections.get("paths", {}))
    for package, source in source_dirs.items():
        # A package folder, or a single module (typing_extensions.py): the venv's
        # copy is mapped back to the same kind of path.
        top = package.replace(".", "/") + (".py" if source.endswith(".py") else "")
        # coverage.py's `/` in a pattern matches `\` too, `*/` any prefix, and a relative
        # source matches inside an absolute path: so these also map a Windows runner's
        # `D:\a\proj\proj\src\pkg` and `...\Lib\site-packages\pkg`, and a macOS runner's
        # `/Users/runner/work/...`, to this checkout (tests/unit/test_coverage_rc.py).
        paths[f"ci_sessions_{package.replace('.', '_')}"] = [source, f"*/site-packages/{top}"]
    sections["paths"] = paths
    return sections


def render_ini(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """coverage.py's INI format: lists one item per indented line."""
    lines: list[str] = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {_ini_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _ini_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "".join(f"\n    {item}" for item in value)
    return str(value)


def write_rc(config: Config, folder: Path) -> Path:
    """The project's [tool.coverage] plus what the matrix needs, as an rc file in folder."""
    source_dirs = {
        package: found
        for package in config.packages
        if (found := source_dir(config.root, package)) is not None
    }
    project = config.coverage_tables
    settings = coverage_settings(project, config.packages, source_dirs)
    rcfile = folder / "coveragerc"
    rcfile.write_text(render_ini(settings), encoding="utf-8")
    return rcfile
