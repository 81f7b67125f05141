"""Notes shown on the first nox command of the day, not on every one."""

from __future__ import annotations

from pathlib import Path

from ci_sessions.once import INTERVAL, fresh


def test_a_note_is_shown_once_a_day_per_project(tmp_path: Path) -> None:
    notes = ["python3.14 does not start here"]
    project, other = tmp_path / "a", tmp_path / "b"
    assert fresh(notes, project, tmp_path, now=1000.0) == notes
    assert fresh(notes, project, tmp_path, now=1000.0 + 60) == []
    assert fresh(notes, other, tmp_path, now=1000.0 + 60) == notes  # another project
    assert fresh([*notes, "new"], project, tmp_path, now=1000.0 + 120) == ["new"]
    assert fresh(notes, project, tmp_path, now=1000.0 + INTERVAL) == notes  # a day later
