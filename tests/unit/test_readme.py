"""The documentation tells the truth: its generated tables match the declarations, every
table sits on one page, the layout names files that exist, the README stays short."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def _tables_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "readme_tables", ROOT / "scripts/readme_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_tables_match_the_declarations() -> None:
    script = _tables_script()
    generated = script.tables()
    texts = {page: page.read_text(encoding="utf-8") for page in script.pages()}
    assert script.placement(texts, generated) == []
    stale = [page.name for page, text in texts.items() if script.rewrite(text, generated) != text]
    assert stale == [], "stale generated tables: run scripts/readme_tables.py"


def test_the_readme_is_short_and_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for page in sorted((ROOT / "docs").glob("**/*.md")):
        name = page.relative_to(ROOT / "docs").as_posix()
        if name != "index.md":
            assert f"(docs/{name})" in readme, name
    for other in ("bench/README.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        assert f"({other})" in readme, other


def test_the_layout_names_paths_that_exist() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    layout = contributing.split("## Layout", 1)[1].split("```", 2)[1]
    named = re.findall(r"^((?:ci_sessions|tests|bench|scripts)/[\w./-]*)", layout, re.M)
    assert named, "the layout section names no path"
    missing = [path for path in named if not (ROOT / path).exists()]
    assert missing == []
