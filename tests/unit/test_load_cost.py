"""What loading a noxfile imports: declarations, not the code that runs sessions (#32).

Every `nox` start loads the noxfile, so every module register() imports is paid on each
run, `nox -l` included. A session's own machinery (affected selection, the verdicts,
the gates, the statistics, the workflow generator) is imported when that session runs.
This checks the module set, not a timing: a timing would be noise on a shared runner,
and the set is what drifted when the fixed cost doubled.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO_ROOT = FIXTURES.parent.parent

# Imported by a session when it runs, or by `python -m ci_sessions workflow`.
RUN_TIME_ONLY = (
    "ci_sessions.workflow.generator",
    "ci_sessions.workflow.emit",
    "ci_sessions.families.tests.affected",
    "ci_sessions.families.tests.affected_map",
    "ci_sessions.families.tests.affected_run",
    "ci_sessions.families.tests.fingerprints",
    "ci_sessions.families.tests.classes",
    "ci_sessions.glue.pytest_session",
    "ci_sessions.pytest_verdict",
    "ci_sessions.test_outcomes",
    "ci_sessions.families.coverage.gate",
    "ci_sessions.families.coverage.ratchet",
    "ci_sessions.families.security.gate",
    "ci_sessions.families.security.vulndb",
    "ci_sessions.families.benchmark.stats",
    "ci_sessions.families.benchmark.stored",
    "ci_sessions.families.flaky.analysis",
    "ci_sessions.verdicts",
    "ci_sessions.pipeline_report",
    "statistics",
)

LOAD = """
import json, sys
import nox
import ci_sessions
ci_sessions.register()
print(json.dumps(sorted(name for name in sys.modules)))
"""


def modules_after_register(project: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_"))}
    env["CI"] = "true"  # no interpreter probing: the same modules either way
    env["PYTHONPATH"] = str(REPO_ROOT)
    done = subprocess.run(
        [sys.executable, "-c", LOAD],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_loading_the_noxfile_imports_no_session_machinery(tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(FIXTURES / "sample", project)
    loaded = modules_after_register(project)
    assert "ci_sessions.families.tests.settings" in loaded  # it did load the families
    assert sorted(loaded & set(RUN_TIME_ONLY)) == []
