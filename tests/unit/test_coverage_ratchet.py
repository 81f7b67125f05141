"""The coverage ratchet's decisions over plain figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_sessions.families.coverage.ratchet import Figures, drops, figures_of, read, trend, write


def test_drops_beyond_max_drop_are_named_for_the_total_and_each_file() -> None:
    base = Figures(90.0, {"a.py": 100.0, "b.py": 80.0, "gone.py": 50.0})
    now = Figures(89.2, {"a.py": 96.0, "b.py": 80.5, "new.py": 10.0})
    assert drops(base, now, 1.0, "develop") == [
        "a.py dropped 4.00 points against develop (100.00% -> 96.00%)"
    ]
    assert drops(base, now, 0.0, "develop") == [
        "total dropped 0.80 points against develop (90.00% -> 89.20%), more than " "max-drop 0",
        "a.py dropped 4.00 points against develop (100.00% -> 96.00%)",
    ]
    assert drops(base, Figures(90.0, dict(base.files)), 0.0, "develop") == []


def test_the_trend_line_says_base_now_and_delta() -> None:
    now = Figures(91.25, {})
    assert trend(Figures(90.0, {}), now, "develop") == (
        "Trend against develop: 90.00% -> 91.25% (+1.25 points)."
    )
    assert trend(None, now, "develop") == "Trend: no stored figures of develop yet; now 91.25%."


def test_figures_round_trip_and_a_broken_file_is_an_error(tmp_path: Path) -> None:
    report = {
        "totals": {"percent_covered": 87.5},
        "files": {"a.py": {"summary": {"percent_covered": 75.0}}},
    }
    figures = figures_of(report)
    write(tmp_path / "f.json", figures)
    assert read(tmp_path / "f.json") == figures
    assert read(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match=r"is not a coverage figures file"):
        read(tmp_path / "bad.json")
