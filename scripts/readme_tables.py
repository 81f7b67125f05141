"""Write the documentation's generated tables: every section's keys, the report files and
the pipelines, into the pages that hold their blocks (README.md and docs/**/*.md).

    .venv-nox/bin/python scripts/readme_tables.py          rewrite the pages
    .venv-nox/bin/python scripts/readme_tables.py --check  exit 1 when one is stale

Each table sits between `<!-- generated: NAME -->` and `<!-- /generated -->`, each block
once across the pages; the text around the tables is written by hand.
tests/unit/test_readme.py runs the check, so the tables cannot drift from the declarations.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ci_sessions.config.schema import TABLE, Section, keys_of, markdown_table, nested_sections
from ci_sessions.registry import FAMILIES, sections

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = ROOT / "tests" / "fixtures" / "pipelines"


def pages() -> list[Path]:
    """Every page that may hold a generated block."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S
)


def tables() -> dict[str, str]:
    found = {f"keys-{section.label}": keys_table(section) for section in sections()}
    rows = ["| file | written by |", "|---|---|"]
    rows += [
        f"| {', '.join(f'`{name.strip()}`' for name in files.split(','))} | {what} |"
        for family in FAMILIES
        for files, what in family.REPORTS.items()
    ]
    found["reports"] = "\n".join(rows) + "\n"
    # The pipelines the end-to-end tests generate, validate and replay, shown as written.
    for path in sorted(PIPELINES.glob("*.toml")):
        block = f"```toml\n{path.read_text(encoding='utf-8')}```\n"
        noxfile = path.with_suffix(".noxfile.py")
        if noxfile.is_file():
            block += f"\nAdded to its noxfile:\n\n```python\n{noxfile.read_text().lstrip()}```\n"
        found[f"pipeline-{path.stem.split('_')[0]}"] = block
    return found


def keys_table(section: Section) -> str:
    """A section's keys, then each nested table's (`[tool.ci_sessions.narrow.<tier>]`)."""
    text = markdown_table(section.keys)
    for path, kind in nested_sections(section):
        text += f"\n`[{TABLE}.{path}]`:\n\n" + markdown_table(keys_of(kind))
    return text


def rewrite(text: str, generated: dict[str, str]) -> str:
    """A page with its blocks brought up to date (the blocks it does not hold left alone)."""
    return BLOCK.sub(lambda m: m.group(1) + generated.get(m["name"], m["body"]) + m.group(4), text)


def placement(texts: dict[Path, str], generated: dict[str, str]) -> list[str]:
    """What is wrong with where the blocks are: a table no page holds, or one held twice."""
    found = [match["name"] for text in texts.values() for match in BLOCK.finditer(text)]
    problems = [f"no page has a block for {name}" for name in sorted(set(generated) - set(found))]
    problems += [
        f"{name} appears {found.count(name)} times"
        for name in sorted(set(found))
        if found.count(name) > 1
    ]
    return problems


def main(argv: list[str]) -> int:
    texts = {page: page.read_text(encoding="utf-8") for page in pages()}
    generated = tables()
    problems = placement(texts, generated)
    if problems:
        raise SystemExit("; ".join(problems))
    stale = [page for page, text in texts.items() if rewrite(text, generated) != text]
    if "--check" in argv:
        for page in stale:
            print(
                f"{page.relative_to(ROOT)}: its generated tables are stale: "
                "run scripts/readme_tables.py"
            )
        return 1 if stale else 0
    for page in stale:
        page.write_text(rewrite(texts[page], generated), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
