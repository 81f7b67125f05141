"""The README tells the truth: its generated tables match the declarations, its
layout names files that exist."""

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
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        script.rewrite(current, script.tables()) == current
    ), "README.md's tables are stale: run scripts/readme_tables.py"


def test_the_layout_names_paths_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```", 2)[1]
    named = re.findall(r"^((?:ci_sessions|tests|bench|scripts)/[\w./-]*)", layout, re.M)
    assert named, "the layout section names no path"
    missing = [path for path in named if not (ROOT / path).exists()]
    assert missing == []
