"""GitHub integration: `::error file=,line=::` annotations and the step summary.

Annotations are printed only when GITHUB_ACTIONS=true, with repository-relative
paths (ruff's own github format writes absolute ones, so its concise output is
read instead).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ci_sessions.masking import redact

MYPY_ERROR = re.compile(
    r"^(?P<file>[^:\n]+\.pyi?):(?P<line>\d+):(?:\d+:)? error: (?P<message>.+?)"
    r"(?:  \[(?P<code>[\w-]+)\])?$",
    re.MULTILINE,
)


RUFF_FINDING = re.compile(
    r"^(?P<file>[^:\n]+\.pyi?):(?P<line>\d+):\d+: (?P<code>[A-Z]+\d+) (?:\[\*\] )?"
    r"(?P<message>.+)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Annotation:
    file: str
    line: int
    title: str
    message: str
    level: str = "error"  # or "warning": an advisory tool's finding


# Set by `python -m ci_sessions workflow --replay` in every job it runs: a runner here, which
# runs no job of another system (the coverage gate says so for their data).
REPLAY_ENV = "CI_SESSIONS_REPLAY"


def on_github(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def relative(path: str, root: Path) -> str:
    """Repository-relative, as GitHub matches annotations to files."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix().removeprefix("./")


def from_mypy(output: str, root: Path) -> list[Annotation]:
    return [
        Annotation(
            relative(match["file"], root),
            int(match["line"]),
            f"mypy [{match['code']}]" if match["code"] else "mypy",
            match["message"],
        )
        for match in MYPY_ERROR.finditer(output)
    ]


def from_ruff(output: str, root: Path) -> list[Annotation]:
    """From `ruff check --output-format=concise`."""
    return [
        Annotation(relative(m["file"], root), int(m["line"]), f"ruff {m['code']}", m["message"])
        for m in RUFF_FINDING.finditer(output)
    ]


def command(annotation: Annotation) -> str:
    """The workflow command, with every secret ci-sessions knows of masked."""
    return (
        f"::{annotation.level} file={_property(annotation.file)},line={annotation.line},"
        f"title={_property(redact(annotation.title))}::{_data(redact(annotation.message))}"
    )


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def emit(annotations: Iterable[Annotation], environ: Mapping[str, str] = os.environ) -> int:
    """Print the commands when on GitHub Actions; return how many were printed."""
    if not on_github(environ):
        return 0
    printed = 0
    for annotation in annotations:
        print(command(annotation), flush=True)
        printed += 1
    return printed


def emit_warnings(messages: Iterable[str], environ: Mapping[str, str] = os.environ) -> int:
    """`::warning::` lines on GitHub Actions: a warning is visible, never silent. Each
    also goes into the running session's record for the pipeline report."""
    # Imported here: the pipeline report's code is a session's, not the noxfile's load.
    from ci_sessions import pipeline_report

    messages = [redact(message) for message in messages]
    for message in messages:
        pipeline_report.warned(message)
    if not on_github(environ):
        return 0
    printed = 0
    for message in messages:
        print(f"::warning title=ci-sessions::{_data(redact(message))}", flush=True)
        printed += 1
    return printed


def append_step_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Append to $GITHUB_STEP_SUMMARY when set; say whether it was."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    markdown = redact(markdown)
    with Path(target).open("a", encoding="utf-8") as summary:
        summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True
