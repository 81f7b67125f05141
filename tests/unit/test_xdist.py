from __future__ import annotations

from ci_sessions.families.tests.session import xdist_args


def test_xdist_only_when_asked_and_not_under_nox_j() -> None:
    assert xdist_args(False, parallel=False) == []
    assert xdist_args(True, parallel=False) == ["-n", "auto"]
    assert xdist_args(True, parallel=True) == ["-n", "0"]
