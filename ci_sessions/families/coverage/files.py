"""Coverage files shared by the sessions that measure and the one that gates."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.config import Config
from ci_sessions.config.project import source_dir
from ci_sessions.families.coverage import rc as coverage_rc


def coverage_data_dir(config: Config) -> Path:
    """Where every measuring session writes `.coverage.py<version>` (CI artifacts too)."""
    folder = config.root / config.reports_dir / "coverage-data"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_coverage_rc(config: Config, folder: Path) -> Path:
    """The project's [tool.coverage] plus what the matrix needs, as an rc file."""
    source_dirs = {
        package: found
        for package in config.packages
        if (found := source_dir(config.root, package)) is not None
    }
    settings = coverage_rc.coverage_settings(config.coverage_settings, config.packages, source_dirs)
    rcfile = folder / "coveragerc"
    rcfile.write_text(coverage_rc.render_ini(settings), encoding="utf-8")
    return rcfile
