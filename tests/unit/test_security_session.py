"""The security session's glue over a real nox.Session and a fake runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_sessions.families.security import session as security_session
from tests.unit.fake_nox import Quit, make_session, project


def test_a_database_of_other_ecosystems_says_where_to_point_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI_SESSIONS_CACHE_DIR", str(tmp_path / "cache"))
    mirror = tmp_path / "project" / "npm-only" / "left-pad"
    mirror.mkdir(parents=True)
    (mirror / "GHSA-npm.json").write_text(
        json.dumps(
            {
                "id": "GHSA-npm",
                "modified": "2024-01-01T00:00:00Z",
                "affected": [{"package": {"name": "left-pad", "ecosystem": "npm"}}],
            }
        )
    )
    config = project(tmp_path, '[tool.ci_sessions.security]\ndb = "npm-only"\n')
    with pytest.raises(Quit) as raised:
        security_session._database(make_session(tmp_path / "s"), config)
    message = str(raised.value)
    assert "holds no PyPI advisory (1 advisories of other ecosystems)" in message
    assert message.lower().count("point it at") == 1
