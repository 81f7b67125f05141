"""bandit's command line, shared by the security session and `init`, and the baseline
`init` writes when a project adopts the scan with findings it already has (#29 7).

A first run must be green and honest: the findings the code has today are written to a
baseline file (bandit's own JSON report, the format `bandit -b` reads back), each one
listed by `init`, and named in [tool.ci_sessions.security]; the security session then
counts them as accepted on every run, and a new finding fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ci_sessions.config import Config
from ci_sessions.config.project import source_dir
from ci_sessions.families.security import gate
from ci_sessions.families.security.family import TOOLS
from ci_sessions.families.security.settings import SecurityConfig

BASELINE_FILE = ".bandit-baseline.json"
INSTALL_TIMEOUT = 300


def bandit_paths(config: Config) -> tuple[str, ...]:
    """`bandit-paths`, else the source folder of each import package."""
    settings = config.of(SecurityConfig)
    return settings.bandit_paths or tuple(
        found for package in config.packages if (found := source_dir(config.root, package))
    )


def bandit_command(config: Config, paths: tuple[str, ...]) -> list[str]:
    """bandit over paths at the advisory levels when set (so that it reports what only
    warns too), reading [tool.bandit] when the project has one."""
    settings = config.of(SecurityConfig)
    command = [
        "bandit",
        "-r",
        *paths,
        "-q",
        f"--severity-level={settings.bandit_warn_severity or settings.bandit_severity}",
        f"--confidence-level={settings.bandit_warn_confidence or settings.bandit_confidence}",
    ]
    if settings.bandit_config:
        command += ["-c", str(config.pyproject)]  # bandit ignores [tool.bandit] otherwise
    return command


def first_baseline(config: Config) -> tuple[str | None, list[str]]:
    """For init: bandit run once over the project; where it fails on findings, they are
    written to BASELINE_FILE. (the file's name or None, lines saying what happened)."""
    settings = config.of(SecurityConfig)
    if "bandit" not in settings.scanners or settings.bandit_baseline:
        return None, []
    paths = bandit_paths(config)
    if not paths or not all((config.root / path).exists() for path in paths):
        return None, []  # the security session names the missing path itself
    with tempfile.TemporaryDirectory(prefix="ci-sessions-init-") as scratch:
        try:
            bandit = _install_bandit(Path(scratch))
            report = Path(scratch) / "bandit.json"
            subprocess.run(
                [bandit, *bandit_command(config, paths)[1:], "-f", "json", "-o", str(report)],
                cwd=config.root,
                capture_output=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
            found = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            return None, [
                f"note: bandit did not run ({error}), so no baseline was written: the first "
                "security run fails on any finding the code already has (see "
                "security.bandit-baseline)"
            ]
    failing, _ = gate.split_findings(
        gate.bandit_findings(found), settings.bandit_severity, settings.bandit_confidence
    )
    if not failing:
        return None, [f"bandit found nothing to accept in {', '.join(paths)}"]
    (config.root / BASELINE_FILE).write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"wrote {config.root / BASELINE_FILE}: {len(failing)} bandit finding(s) the code has "
        "today, accepted (a new one fails the security session); review them:"
    ]
    lines += [
        f"  {f.file}:{f.line}: {f.test_id} ({f.severity} severity): {f.text}" for f in failing
    ]
    return BASELINE_FILE, lines


def _install_bandit(scratch: Path) -> str:
    """bandit at ci-sessions' pin in a throwaway venv (uv when it is there: faster)."""
    venv = scratch / "venv"
    uv = shutil.which("uv")
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if uv:
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
        install = [uv, "pip", "install", "-q", "-p", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run(
        [*install, TOOLS["bandit"]], check=True, capture_output=True, timeout=INSTALL_TIMEOUT
    )
    return str(python.parent / "bandit")
