"""Write the README's generated tables: every section's keys, and the report files.

    .venv-nox/bin/python scripts/readme_tables.py          rewrite README.md
    .venv-nox/bin/python scripts/readme_tables.py --check  exit 1 when it is stale

Each table sits between `<!-- generated: NAME -->` and `<!-- /generated -->`;
the text around the tables is written by hand. tests/unit/test_readme.py runs
the check, so the README's tables cannot drift from the declarations.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ci_sessions.config.schema import TABLE, Section, keys_of, markdown_table, nested_sections
from ci_sessions.registry import FAMILIES, sections

README = Path(__file__).resolve().parent.parent / "README.md"
PIPELINES = README.parent / "tests" / "fixtures" / "pipelines"
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
    # The five pipelines the end-to-end tests generate and validate, shown as written.
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
    missing = set(generated) - {match["name"] for match in BLOCK.finditer(text)}
    if missing:
        raise SystemExit(f"README.md has no block for: {', '.join(sorted(missing))}")
    return BLOCK.sub(lambda m: m.group(1) + generated.get(m["name"], m["body"]) + m.group(4), text)


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    expected = rewrite(current, tables())
    if "--check" in argv:
        if current != expected:
            print("README.md's generated tables are stale: run scripts/readme_tables.py")
            return 1
        return 0
    README.write_text(expected, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
