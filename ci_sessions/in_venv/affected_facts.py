"""What affected-test selection needs from the project's venv, run by its Python.

``facts PROJECT OUT``: this Python's version and a hash of the installed distributions
(the project itself left out: its own version moves with every commit) as JSON in OUT.
``contexts DATAFILE OUT``: from coverage data measured with pytest-cov's
``--cov-context=test``, every measured file's lines with the contexts that ran them.
Copied beside the run, like the pytest plugin: it imports nothing from ci_sessions.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import sys
from importlib import metadata
from pathlib import Path


def _normal(name: str) -> str:
    # PEP 503's normal form, written out: this runs in the project's venv, where
    # packaging may not be installed.
    return re.sub(r"[-_.]+", "-", name).lower()


def facts(project: str) -> dict[str, str]:
    installed = sorted(
        f"{_normal(d.metadata['Name'])}=={d.version}"
        for d in metadata.distributions()
        if d.metadata["Name"] and _normal(d.metadata["Name"]) != _normal(project)
    )
    digest = hashlib.blake2b("\n".join(installed).encode(), digest_size=8).hexdigest()
    return {"python": platform.python_version(), "packages": digest}


def contexts(data_file: str) -> dict[str, dict[str, list[str]]]:
    from coverage import CoverageData

    data = CoverageData(data_file)
    data.read()
    return {
        path: {str(line): sorted(found) for line, found in data.contexts_by_lineno(path).items()}
        for path in data.measured_files()
    }


if __name__ == "__main__":
    command, argument, out = sys.argv[1:4]
    found = facts(argument) if command == "facts" else contexts(argument)
    Path(out).write_text(json.dumps(found), encoding="utf-8")
