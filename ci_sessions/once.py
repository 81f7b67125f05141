"""Notes worth reading once: shown on a project's first nox command of the day, not on every.

A note (a Python that does not start here, a choice made for the user) stays
true from one command to the next; repeated on every `nox -l`, it is noise
that hides the line that matters. nox's own skip line still names a skipped
session every time, `doctor` always lists what is missing, and on CI nothing
is skipped at all.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

# Shown again after this long, so that a note is never buried for good.
INTERVAL = 24 * 3600


def fresh(notes: Sequence[str], project: Path, cache: Path, now: float | None = None) -> list[str]:
    """The notes not shown for this project within INTERVAL; they count as shown now."""
    now = time.time() if now is None else now
    stamp = cache / "notes" / (hashlib.sha256(str(project).encode()).hexdigest()[:16] + ".json")
    try:
        shown: dict[str, float] = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        shown = {}
    due = [note for note in notes if note not in shown or now - shown[note] >= INTERVAL]
    if due:
        kept = {note: when for note, when in shown.items() if note in notes}
        kept.update({note: now for note in due})
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(kept), encoding="utf-8")
    return due
