"""Combine coverage data files and write the reports, in the coverage session's venv.

    python combine_coverage.py RCFILE STATUS_JSON JSON XML HTML_DIR DATA_FILE...

$COVERAGE_FILE is the combined data file. STATUS_JSON also lists, per input, the files
it measured a line or an arc of. One process through coverage's API
instead of five CLI runs (a second of start-up saved on a small project).
Nothing is decided here: STATUS_JSON says what happened, and the session
judges. Every input is read first, so a corrupt file is named, not skipped
with a CoverageWarning as `coverage combine` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import coverage
from coverage.exceptions import CoverageException, NoDataError


def main(argv: list[str]) -> int:
    rcfile, status_path, json_out, xml_out, html_dir, *inputs = argv
    unreadable: list[dict[str, str]] = []
    # Each input's measured files that hold a line or an arc: the session checks that
    # every one measured its package (a 0-byte file, or rows deleted, measures nothing).
    measured: dict[str, list[str]] = {}
    no_data: str | None = None
    for name in inputs:
        try:
            data = coverage.CoverageData(basename=name)
            data.read()
            measured[name] = sorted(
                path for path in data.measured_files() if data.lines(path) or data.arcs(path)
            )
        except Exception as exc:  # every reason a file is unusable counts
            unreadable.append({"file": name, "error": str(exc)})
    if not unreadable:
        cov = coverage.Coverage(config_file=rcfile)
        try:
            cov.combine(inputs, keep=True, strict=True)
            cov.save()
            cov.load()
            cov.json_report(outfile=json_out)
            cov.xml_report(outfile=xml_out)
            cov.html_report(directory=html_dir)
            cov.report()
        except NoDataError as exc:
            no_data = str(exc)
        except CoverageException as exc:
            unreadable.append({"file": "(combined)", "error": str(exc)})
    status = {"unreadable": unreadable, "no_data": no_data, "measured": measured}
    Path(status_path).write_text(json.dumps(status), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
