"""Affected-test selection (`nox -s tests-3.13 -- --affected`) on real changes of real
projects: does the selected run fail whenever the whole suite fails, and how much faster is it?

Usage (from the repository root):

    scripts/bench.sh affected [--projects werkzeug,jinja2] [--max-changes 20] [--out results.json]
    scripts/bench.sh affected --history PATH[:SOURCE[:TESTS]],... [--commits 30] [--mutants 2]

History mode (--history, issue #30): local clones with full history instead of PyPI (no
network). Per clone, the last --commits commits on the first-parent history (from --start)
that touch .py files of the package or its tests (bench/_history.py), oldest first. The
first one's parent is checked out in a scratch clone, adopted with `init` alone and mapped;
each commit is then replayed on its parent's tree with the parent's map (its files below the
package and the tests written over it, kind `commit`), followed by --mutants mutants of the
functions it touched, injected into the parent's version (the mutations below); then the
commit is committed as the next base and a fresh map is taken on it, as CI's run on main
keeps one. The measurement and the verdicts are those of the release mode below.

Projects: pure-Python sdists from PyPI at pinned, consecutive releases (PROJECTS), each
adopted with `python -m ci_sessions init` alone, in a fresh git repository.

Changes, for each pair of consecutive releases A -> B, applied one at a time on a tree of
release A:
  real      every .py file under the package's source that B changed: A's file replaced by
            B's (a file whose only change is the version string is left out; so is
            pyproject.toml's version bump, which runs the whole suite by design and is no
            code change)
  mutation  in each function that B changed (the ASTs of A's and B's versions of it differ),
            one of: the first comparison flipped (< to >=, == to !=, in to not in, ...), the
            first integer constant plus one, or the first expression statement that is a
            call replaced by `pass`, injected into A's version of the function; located with
            `ast`, edited by line and column so the rest of the file is byte-identical; a
            mutant that does not parse, or parses to the same AST, is skipped.
Real changes come first, capped at half of --max-changes, the mutations fill the rest.

Method, per release A: the tree is committed, `nox -s tests-3.13 -- --affected` makes the
map (untimed; its failing tests are the base failures) and the map is copied aside. Per
change: the base tree restored (git checkout + clean; the map copied back, since an
`--affected` run that runs the whole suite replaces it), the change applied, then an untimed
`nox -r -s tests-3.13 --install-only`: the project is installed non-editable, so under `-R`
the venv would test the previous install, not the change (ci-sessions warns so). Then, timed
(wall, the whole nox command), the selected run `nox -R -s tests-3.13 -- --affected` as a
pull request's job runs it (GITHUB_EVENT_NAME=pull_request: no map is made, since none would
be kept) and the full run `nox -R -s tests-3.13`, alternating which goes first.

Verdicts: the failing tests (failure or error) in reports/junit-tests-3.13.xml, minus the
base failures (jinja2 3.1.4's suite has 6 failing on Python 3.13); a run that wrote no report
and exited non-zero fails as a whole. A miss: the full run fails and the selected one does
not. A strict miss: a test that fails in the full run (not at base) and that the selected run
did not run at all, even if the selected run failed for another test. Goal: no miss, and the
median selected wall time at most 0.25x the median full one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from _changes import mutations, pick, real_changes
from _common import REPO, fresh_dir, median, table
from _history import (
    Repository,
    commit_on_base,
    commit_where,
    commits,
    file_changes,
    locate,
    mutable,
    scratch_clone,
)
from _measure import Base, Outcome, Result, measure, restore, take_map
from _trees import adopt, adopt_committed, download, map_file, unpack

GOAL_RATIO = 0.25


@dataclass(frozen=True)
class Project:
    name: str  # the PyPI name
    versions: tuple[str, ...]  # consecutive releases: each pair (A, B) is replayed on A
    source: str  # the package's folder in the sdist

    def sdist(self, version: str) -> str:
        return f"{self.name}-{version}"


PROJECTS = {
    # Pallets' HTTP library: ~1,100 tests with real dev-server round trips (~18 s).
    "werkzeug": Project("werkzeug", ("3.1.1", "3.1.2", "3.1.3"), "src/werkzeug"),
    # The template engine: ~900 tests (~11 s); 3.1.4 -> 3.1.5 changed 14 modules.
    "jinja2": Project("jinja2", ("3.1.4", "3.1.5", "3.1.6"), "src/jinja2"),
    # A shorter suite (~5 s under nox), kept as an option: nox's own overhead dominates it.
    "flask": Project("flask", ("3.1.1", "3.1.2"), "src/flask"),
}


def make_base(project: Project, version: str, sdists: Path, work: Path) -> Base:
    root = unpack(sdists, project.sdist(version), fresh_dir(work / project.sdist(version)))
    adopt(root)
    saved = work / f"{project.sdist(version)}.map.json"
    return take_map(root, saved, project.sdist(version))


# --- the project's replay and the tables ----------------------------------------------


def shares(cap: int, available: list[int]) -> list[int]:
    """The cap split evenly between the pairs, what a small pair cannot use going to the
    others (the smallest served first)."""
    given = [0] * len(available)
    left = cap
    for rank, index in enumerate(sorted(range(len(available)), key=available.__getitem__)):
        given[index] = min(available[index], left // (len(available) - rank))
        left -= given[index]
    return given


def bench_project(project: Project, cap: int, sdists: Path, work: Path) -> list[Result]:
    pairs = list(itertools.pairwise(project.versions))
    plans = []
    for a, b in pairs:
        newer = unpack(sdists, project.sdist(b), fresh_dir(work / f"{project.sdist(b)}-new"))
        older = unpack(sdists, project.sdist(a), fresh_dir(work / f"{project.sdist(a)}-old"))
        real = real_changes(older, newer, project.source, (a, b))
        plans.append((a, b, real, mutations(older, real)))
    per_pair = shares(cap, [len(real) + len(mutants) for _, _, real, mutants in plans])
    results: list[Result] = []
    count = 0
    for (a, b, real, mutants), share in zip(plans, per_pair, strict=True):
        chosen = pick(real, mutants, share)
        print(
            f"{project.name} {a} -> {b}: {len(real)} real changes, {len(mutants)} mutants; "
            f"replaying {len(chosen)}",
            flush=True,
        )
        if not chosen:
            continue
        base = make_base(project, a, sdists, work)
        for change in chosen:
            selected_first = count % 2 == 0  # alternate, so neither run always warms the other
            count += 1
            full, selected, missing = measure(base, [change], selected_first)
            result = Result(
                project.name, f"{a} -> {b}", change.kind, change.where, full, selected,
                "selected" if selected_first else "full", missing,
            )  # fmt: skip
            results.append(result)
            print(f"  {row(result, base.tests)}", flush=True)
    return results


def bench_history(
    repo: Repository, count: int, start: str, per_commit: int, work: Path
) -> list[Result]:
    """The last `count` commits touching code, each replayed on its parent's tree with the
    parent's map, then `per_commit` mutants of the functions it touched on the same base;
    then the commit becomes the base, with a fresh map (CI's run on main refreshes it)."""
    history = commits(repo, count, start)
    print(f"{repo.name}: {len(history)} commits touching {' '.join(repo.pathspecs)}", flush=True)
    if not history:
        return []
    root = scratch_clone(repo, work / f"{repo.name}-history", history[0].parent)
    adopt_committed(root)
    maps = fresh_dir(work / f"{repo.name}-maps")
    label = f"{repo.name} {history[0].parent[:8]}"
    base = take_map(root, maps / f"{history[0].parent[:8]}.json", label)
    results: list[Result] = []
    turn = 0
    for commit in history:
        changes = file_changes(repo, commit)
        # Read from the base tree (the parent's files) before any change is applied.
        mutants = mutations(root, mutable(repo, root, changes))[:per_commit]
        where = commit_where(repo, commit, changes) if changes else commit.short
        replays = [("commit", where, changes)] + [(m.kind, m.where, [m]) for m in mutants]
        for kind, shown, applied in replays:
            selected_first = turn % 2 == 0  # alternate, so neither run always warms the other
            turn += 1
            full, selected, missing = measure(base, applied, selected_first)
            result = Result(
                repo.name, f"{commit.parent[:8]} -> {commit.short}", kind, shown, full,
                selected, "selected" if selected_first else "full", missing,
            )  # fmt: skip
            results.append(result)
            print(f"  {row(result, base.tests)}", flush=True)
        restore(base)
        commit_on_base(root, changes, f"replay {commit.short}: {commit.subject}")
        # No map: the run is a whole-suite one, as on main; -r: the venv kept, reinstalled.
        map_file(root).unlink(missing_ok=True)
        base = take_map(root, maps / f"{commit.short}.json", f"{repo.name} {commit.short}", "-r")
    return results


def selection_text(outcome: Outcome) -> str:
    """`12 of 908` or `whole suite: <reason>`, from the summary's Affected tests line."""
    found = re.match(r"(\d+) of (\d+) tests selected", outcome.affected)
    if found:
        return f"{found.group(1)} of {found.group(2)}"
    return outcome.affected or "(no Affected tests line)"


def reason_kind(line: str) -> str:
    """A whole-suite reason with the file and function names taken out, to count them."""
    reason = line.removeprefix("whole suite: ")
    # Words, not <placeholders>: the table goes into Markdown, where <...> is a tag.
    reason = re.sub(r"\S+\.py\b", "FILE", reason)
    reason = re.sub(r"(FILE: )(?:method |function )?\S+ (changed|added)", r"\1NAME \2", reason)
    return reason


def verdict(outcome: Outcome) -> str:
    return "fail" if outcome.failed else "pass"


def row(result: Result, total: int = 0) -> str:
    miss = " MISS" if result.miss else (" strict-miss" if result.missing else "")
    return (
        f"{result.kind:10} {result.where[:70]:70} {selection_text(result.selected)[:60]:60} "
        f"{verdict(result.full)}/{verdict(result.selected)} "
        f"{result.full.seconds:5.1f}s/{result.selected.seconds:5.1f}s{miss}"
    )


def summary_rows(results: list[Result]) -> list[list[str]]:
    rows = []
    for name in dict.fromkeys(r.project for r in results):
        mine = [r for r in results if r.project == name]
        whole = [r for r in mine if r.selected.affected.startswith("whole suite")]
        reasons = Counter(reason_kind(r.selected.affected) for r in whole)
        counts = [
            int(m.group(1)) for r in mine if (m := re.match(r"(\d+) of", r.selected.affected))
        ]
        full_median = median([r.full.seconds for r in mine])
        selected_median = median([r.selected.seconds for r in mine])
        releases = list(dict.fromkeys(r.release for r in mine))
        if len(releases) > 2:  # a commit history: its span, not every commit
            releases = [f"{releases[0].split()[0]} .. {releases[-1].split()[-1]} ({len(releases)})"]
        rows.append(
            [
                f"{name} {', '.join(releases)}",
                str(len(mine)),
                str(sum(r.full_fails for r in mine)),
                f"{sum(r.miss for r in mine)} (strict {sum(bool(r.missing) for r in mine)})",
                f"{len(whole)}"
                + (": " + "; ".join(f"{n}x {k}" for k, n in reasons.items()) if whole else ""),
                f"{median(counts):.0f}" if counts else "-",
                f"{full_median:.1f} s",
                f"{selected_median:.1f} s",
                f"{selected_median / full_median:.2f}x",
            ]
        )
    return rows


def change_rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            r.project,
            r.kind,
            f"`{r.where}`",
            selection_text(r.selected),
            f"{verdict(r.full)}/{verdict(r.selected)}"
            + (" **MISS**" if r.miss else " strict miss" if r.missing else ""),
            f"{r.full.seconds:.1f} / {r.selected.seconds:.1f}",
        ]
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default="werkzeug,jinja2")
    parser.add_argument("--max-changes", type=int, default=20, help="per project")
    parser.add_argument("--out", type=Path, default=Path("affected-results.json"))
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    parser.add_argument(
        "--history", metavar="REPO[:SOURCE[:TESTS]],...",
        help="replay local clones' commits instead of PyPI releases (no network)",
    )  # fmt: skip
    parser.add_argument("--commits", type=int, default=30, help="per repository (--history)")
    parser.add_argument("--start", default="HEAD", help="the newest commit (--history)")
    parser.add_argument("--mutants", type=int, default=2, help="per commit (--history)")
    args = parser.parse_args()
    work = fresh_dir(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-affected-"))
    results: list[Result] = []

    def save() -> None:
        # Written after every project: a long run interrupted keeps what it measured.
        args.out.write_text(
            json.dumps([{**asdict(r), "miss": r.miss} for r in results], indent=1),
            encoding="utf-8",
        )

    if args.history:
        for spec in args.history.split(","):
            path, _, folders = spec.partition(":")
            repo = locate(Path(path), folders)
            results += bench_history(repo, args.commits, args.start, args.mutants, work)
            save()
    else:
        projects = [PROJECTS[name] for name in args.projects.split(",")]
        sdists = fresh_dir(work / "sdists")
        download([f"{p.name}=={v}" for p in projects for v in p.versions], sdists)
        for project in projects:
            results += bench_project(project, args.max_changes, sdists, work)
            save()
    print()
    header = ["project", "changes", "full fails", "misses", "whole suite (why)",
              "median tests selected", "median full", "median selected time", "ratio"]  # fmt: skip
    print(table(header, summary_rows(results)))
    print()
    print(table(["project", "kind", "file:function", "tests selected", "verdict full/selected",
                 "full / selected (s)"], change_rows(results)))  # fmt: skip
    overall = median([r.selected.seconds for r in results]) / median(
        [r.full.seconds for r in results]
    )
    misses = sum(r.miss for r in results)
    real = [r for r in results if r.kind == "commit"]
    whole = sum(r.selected.affected.startswith("whole suite") for r in real)
    fallbacks = f", whole suite on {whole} of {len(real)} commits (goal: 1/4)" if real else ""
    print(
        f"\n{len(results)} changes, {misses} misses{fallbacks}, ratio {overall:.2f}x "
        f"(goal: 0 misses, at most {GOAL_RATIO}x); raw results: {args.out}; "
        f"scratch folder: {work}; ci-sessions at {REPO}; 2 cores"
    )


if __name__ == "__main__":
    main()
