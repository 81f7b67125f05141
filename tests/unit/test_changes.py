from __future__ import annotations

from ci_sessions.families.changes.docs import DEFAULT_DOCS, base_ref, docs_only


def test_docs_only() -> None:
    assert docs_only(["README.md", "docs/guide/setup.rst"], DEFAULT_DOCS)
    assert not docs_only(["README.md", "src/pkg/core.py"], DEFAULT_DOCS)
    assert not docs_only([], DEFAULT_DOCS)  # nothing changed: run everything


def test_base_ref() -> None:
    assert base_ref({"GITHUB_BASE_REF": "main"}) == "origin/main"
    assert base_ref({"CI_SESSIONS_BEFORE": "abc123"}) == "abc123"
    assert base_ref({"CI_SESSIONS_BEFORE": "0" * 40}) is None  # a new branch
    assert base_ref({}) is None
