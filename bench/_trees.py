"""The project trees bench/affected.py replays on: sdists from PyPI, unpacked, committed and
adopted with `init` alone; and what a tests run leaves in them (JUnit, the summary, the map)."""

from __future__ import annotations

import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from _common import git, run

SESSION = "tests-3.13"
UV = str(Path(sys.executable).parent / "uv")


def download(requirements: list[str], into: Path) -> None:
    pip = [UV, "tool", "run", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    # One at a time: pip resolves the requirements of one command together, and two
    # versions of one project conflict.
    for requirement in requirements:
        run([*pip, "-d", str(into), requirement], into)


def unpack(sdists: Path, name: str, into: Path) -> Path:
    [archive] = [p for p in sdists.glob("*.tar.gz") if p.name.lower() == f"{name.lower()}.tar.gz"]
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    [root] = [p for p in into.iterdir() if p.name.lower() == name.lower()]
    return root


def adopt(root: Path) -> None:
    """Committed as its checkout would be, then adopted with `init` alone and committed."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "import")
    adopt_committed(root)


def adopt_committed(root: Path) -> None:
    """A tree already committed in git (an sdist imported above, a clone's checkout in the
    history mode) adopted with `init` alone, the adoption committed on top."""
    run([sys.executable, "-m", "ci_sessions", "init"], root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "adopt ci-sessions")


def reports(root: Path) -> Path:
    return root / "reports"


def map_file(root: Path) -> Path:
    return reports(root) / "affected-map" / "py3.13" / "map.json"


def junit_cases(root: Path) -> dict[str, bool] | None:
    """Test ID -> whether it failed (a failure or an error), from the last run's JUnit
    report; None without one."""
    path = reports(root) / f"junit-{SESSION}.xml"
    if not path.is_file():
        return None
    try:
        cases = ElementTree.parse(path).getroot().iter("testcase")
    except ElementTree.ParseError:
        return None
    return {
        f"{case.get('classname', '')}::{case.get('name', '')}": (
            case.find("failure") is not None or case.find("error") is not None
        )
        for case in cases
    }


def affected_line(root: Path) -> str:
    summary = reports(root) / f"summary-{SESSION}.md"
    if summary.is_file():
        for line in summary.read_text(encoding="utf-8").splitlines():
            if line.startswith("Affected tests:"):
                return line.removeprefix("Affected tests:").strip().rstrip(".")
    return ""
