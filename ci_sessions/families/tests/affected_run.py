"""The glue of affected-test selection: the map of a full run written beside the reports,
read back, and a plan (ci_sessions.families.tests.affected) turned into pytest options.

In CI the map comes from main's last full run (a cache entry the tests job restores into
`<reports>/affected-map/`, saved on pushes to main); locally from the last full run here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nox

from ci_sessions import git, pipeline_report
from ci_sessions.config import Config
from ci_sessions.config.project import source_dir
from ci_sessions.families.tests import affected
from ci_sessions.families.tests.changed_tests import fingerprints_of
from ci_sessions.families.tests.recorded import (
    NOT_PROJECT,
    is_project_folder,
    project_paths,
    recorded_by_plugin,
)
from ci_sessions.families.tests.settings import MatrixConfig
from ci_sessions.glue.scratch import scratch_dir
from ci_sessions.glue.session import IN_VENV, reports_dir, written_by_install
from ci_sessions.test_outcomes import FAILING, Outcomes, is_quarantined

MAP_DIR = "affected-map"
FACTS = IN_VENV / "affected_facts.py"


@dataclass
class Selection:
    """One tests run's part in affected selection."""

    records: bool  # the run measures per test, and writes the map when it ran the whole suite
    plan: affected.Plan | None = None  # None: no selection asked for
    facts: dict[str, str] = field(default_factory=dict)
    deselect_file: Path | None = None
    # Where the plugin writes, one file per pytest process (xdist's workers too), each
    # test's wider fixtures, the tests that started a process, the files each opened.
    fixtures_file: Path | None = None
    # CI_SESSIONS_RECORD_READS: the project's folder and its import packages' names.
    reads_of: str = ""
    # On a whole-suite run with a map of an earlier run: what selection would have chosen,
    # so that a failing test it would have left out is counted (its miss rate, measured).
    shadow: affected.Plan | None = None
    missed: list[str] = field(default_factory=list)

    def _shadow_line(self) -> str:
        if self.shadow is None:
            return ""
        if self.shadow.whole:
            return f"; selection would have run the whole suite too ({self.shadow.why})"
        named = f": {', '.join(self.missed)}" if self.missed else ""
        return (
            f"; selection would have left out {len(self.shadow.deselect)} test(s) and "
            f"missed {len(self.missed)} failing one(s){named}"
        )

    @property
    def selecting(self) -> bool:
        return self.plan is not None and not self.plan.whole

    def args(self) -> list[str]:
        # Each line's contexts (test ID and phase): the map is made of them.
        return ["--cov-context=test"] if self.records else []

    def env(self) -> dict[str, str]:
        env = {"CI_SESSIONS_DESELECT": str(self.deselect_file)} if self.deselect_file else {}
        if self.records and self.fixtures_file:
            env["CI_SESSIONS_RECORD"] = str(self.fixtures_file)
            env["CI_SESSIONS_RECORD_READS"] = self.reads_of
        return env

    def subset(self) -> str:
        if not self.selecting or self.plan is None:
            return ""
        return f"{affected.OPTION}: the tests the change reaches ({self.plan.why})"

    def counts(self) -> tuple[int, int] | None:
        """(selected, left out) as pytest saw them, once it ran."""
        if self.deselect_file is None:
            return None
        found = Path(f"{self.deselect_file}.counts")
        if not found.is_file():
            return None
        counts = json.loads(found.read_text(encoding="utf-8"))
        return int(counts["selected"]), int(counts["deselected"])

    def after_run(
        self, session: nox.Session, config: Config, data_file: Path, outcomes: Outcomes
    ) -> None:
        """After a whole-suite run that measured per test: the map of which tests ran which
        functions."""
        # On the very code the map was taken on there is no change to select against.
        if self.shadow is not None and not self.shadow.whole and self.shadow.changed:
            self.missed = sorted(
                case.id
                for case in outcomes.cases
                if case.outcome in FAILING
                and case.id in self.shadow.deselect
                and not is_quarantined(case.id, [entry.id for entry in config.quarantine])
            )
            pipeline_report.figure("missed by selection", len(self.missed))
        if self.records:
            record(session, config, self, data_file, outcomes)

    def misses(self) -> list[str]:
        """The failing tests selection would have left out on this change."""
        return self.missed

    def summary(self) -> str:
        """The summary's line: how many tests ran out of how many, or why all of them ran."""
        if self.plan is None:
            return "whole suite" + self._shadow_line() if self.shadow else ""
        if self.plan.whole:
            return f"whole suite: {self.plan.why}" + self._shadow_line()
        counts = self.counts()
        if counts is None:
            return f"selected ({self.plan.why}); pytest reported no counts"
        selected, left_out = counts
        changed = ", ".join(f"`{path}`" for path in self.plan.changed[:5])
        more = f" and {len(self.plan.changed) - 5} more" if len(self.plan.changed) > 5 else ""
        return (
            f"{selected} of {selected + left_out} tests selected, the ones the change reaches "
            f"({self.plan.why}{': ' + changed + more if changed else ''})"
        )


def map_path(config: Config, python: str) -> Path:
    return reports_dir(config) / MAP_DIR / f"py{python}" / "map.json"


def _pytest_options(config: Config) -> str:
    addopts = config.pytest_ini.get("addopts", "")
    listed = addopts if isinstance(addopts, list) else [addopts]
    return " ".join(map(str, [*config.pytest_args, *listed]))


def docstrings_matter(config: Config, manifest: Mapping[str, str]) -> bool:
    """Whether a docstring's change can change a test's outcome: pytest collects doctests,
    or the project's code reads `__doc__`."""
    if "doctest" in _pytest_options(config):
        return True
    for path in manifest:
        if path.endswith(".py"):
            try:
                if "__doc__" in (config.root / path).read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                continue
    return False


def ignored(config: Config) -> tuple[str, ...]:
    """`affected-ignore`, else the default (documentation kept when pytest reads it)."""
    configured = config.of(MatrixConfig).affected_ignore
    if configured is not None:
        return configured
    return affected.default_ignore(_pytest_options(config))


def prepare(
    session: nox.Session, config: Config, *, wanted: bool, records: bool, occasion: str
) -> Selection | None:
    """The selection for this run: None when neither selecting nor mapping. `records`: the
    run may write the map (no posargs, no shard), unless it selects after all."""
    if not wanted and not records:
        return None
    selection = Selection(records=records)
    selection.facts = _facts(session, config)
    selection.fixtures_file = scratch_dir(session) / "recorded.json"
    tops = sorted({package.split(".")[0] for package in config.packages})
    selection.reads_of = json.dumps({"root": str(config.root), "packages": tops})
    for stale in selection.fixtures_file.parent.glob(f"{selection.fixtures_file.name}.*"):
        stale.unlink()
    python = str(session.python)
    old, why = _read_map(map_path(config, python))
    if not wanted and old is None:
        return selection
    manifest = project_manifest(config, written_by_install(session)) or {}
    now = affected.Now(
        python=selection.facts["python"],
        packages=selection.facts["packages"],
        manifest=manifest,
        read=lambda path: (config.root / path).read_text(encoding="utf-8", errors="replace"),
        test_paths=config.test_paths,
        ignore=ignored(config),
        docstrings=docstrings_matter(config, manifest),
    )
    if not now.manifest:
        occasion = occasion or "the project is not a git work tree, so changes cannot be listed"
    plan = affected.plan(old, now, occasion or why) if wanted else None
    if plan is None or plan.whole:
        # A whole-suite run: what selection would have chosen, to count what it would miss.
        selection.shadow = affected.plan(old, now) if old is not None else None
    if plan is None:
        return selection
    selection.plan = plan
    if plan.whole:
        session.log(f"affected: the whole suite runs: {plan.why}")
        return selection
    selection.records = False  # a selected run maps only part of the suite
    target = scratch_dir(session) / "deselect.json"
    target.write_text(json.dumps(sorted(plan.deselect)), encoding="utf-8")
    Path(f"{target}.counts").unlink(missing_ok=True)
    selection.deselect_file = target
    session.log(f"affected: {len(plan.deselect)} mapped test(s) no change reaches are left out")
    return selection


def _read_map(path: Path) -> tuple[affected.TestMap | None, str]:
    """The map, or None and why it cannot serve ('' when there is none)."""
    if not path.is_file():
        return None, ""
    try:
        return affected.from_document(json.loads(path.read_text(encoding="utf-8"))), ""
    except (OSError, ValueError) as error:
        return None, f"the map {path} cannot be read ({error}): this run makes a new one"


def _facts(session: nox.Session, config: Config) -> dict[str, str]:
    out = scratch_dir(session) / "facts.json"
    session.run("python", str(FACTS), "facts", config.project_name or "-", str(out), silent=True)
    found: dict[str, str] = json.loads(out.read_text(encoding="utf-8"))
    return found


def project_manifest(config: Config, written: Collection[str] = ()) -> dict[str, str] | None:
    """Every project file (tracked, or untracked and not ignored) -> a hash of its content;
    None outside a git work tree. `written`: files the install wrote (build/lib/...), which
    are no change of the project."""
    listed = git.project_files(config.root)
    if listed is None:
        return None
    reports = reports_dir(config).relative_to(config.root).as_posix() + "/"
    skipped = set(written)
    found = {}
    for path in sorted(set(listed)):
        if path.startswith(reports) or path in skipped or any(p in path for p in NOT_PROJECT):
            continue
        try:
            found[path] = hashlib.blake2b(
                (config.root / path).read_bytes(), digest_size=8
            ).hexdigest()
        except OSError:
            continue  # listed but gone (a deletion not yet staged): absent, so changed
    return found


def occasion(environ: Mapping[str, str], main_branch: str) -> str:
    """Why CI runs the whole suite here whatever was asked ('' when it need not)."""
    event = environ.get("GITHUB_EVENT_NAME", "")
    if event == "schedule":
        return "a scheduled run runs the whole suite"
    if event != "pull_request" and environ.get("GITHUB_REF") == f"refs/heads/{main_branch}":
        return f"on {main_branch} the whole suite runs (and refreshes the map)"
    return ""


def keeps_map(environ: Mapping[str, str], main_branch: str) -> bool:
    """Whether a run here makes a map: locally, always (the next --affected reads it); in CI
    only on the main branch, whose map the workflow saves (measuring per test costs, and a
    pull request's or a schedule's map would be thrown away)."""
    if not environ.get("GITHUB_EVENT_NAME"):
        return True
    return bool(occasion(environ, main_branch)) and environ.get("GITHUB_EVENT_NAME") != "schedule"


def source_path(measured: str, root: Path, sources: Mapping[str, str]) -> str | None:
    """A measured file as coverage named it -> its source file, relative to the project
    (an installed copy in a venv's site-packages maps back to the source tree)."""
    path = PurePosixPath(measured.replace("\\", "/"))
    if "site-packages" in path.parts:
        inside = PurePosixPath(*path.parts[path.parts.index("site-packages") + 1 :])
        top = inside.parts[0].removesuffix(".py")
        source = sources.get(top)
        if source is None:
            return None
        return source if source.endswith(".py") else str(PurePosixPath(source, *inside.parts[1:]))
    if path.is_absolute():
        try:
            return path.relative_to(root.as_posix()).as_posix()
        except ValueError:
            return None
    return path.as_posix()


def record(
    session: nox.Session, config: Config, selection: Selection, data_file: Path, outcomes: Outcomes
) -> None:
    """After a whole-suite run: the map of which tests ran which functions."""
    tmp = scratch_dir(session)
    out = tmp / "contexts.json"
    session.run("python", str(FACTS), "contexts", str(data_file), str(out), silent=True)
    measured: dict[str, dict[str, list[str]]] = json.loads(out.read_text(encoding="utf-8"))
    sources = {
        package.split(".")[0]: found
        for package in config.packages
        if (found := source_dir(config.root, package))
    }
    executed: dict[str, dict[int, list[str]]] = {}
    texts: dict[str, str] = {}
    for name, lines in measured.items():
        path = source_path(name, config.root, sources)
        if path is None or not (config.root / path).is_file():
            continue
        text = (config.root / path).read_text(encoding="utf-8", errors="replace")
        ran = Path(name) if Path(name).is_absolute() else config.root / name
        if ran.is_file() and ran.read_text(encoding="utf-8", errors="replace") != text:
            session.warn(
                f"affected: {name} differs from {path} (an install older than the source, "
                "kept by -R?): no map written; run again with -r"
            )
            return
        texts[path] = text
        executed[path] = {int(line): contexts for line, contexts in lines.items()}
    manifest = project_manifest(config, written_by_install(session))
    if manifest is None:
        session.warn("affected: not a git work tree: no map written")
        return
    recorded = recorded_by_plugin(selection.fixtures_file)
    opened = listed = None
    if recorded.opened is not None:

        def to_project(path: str) -> str | None:
            return source_path(path, config.root, sources)

        opened = project_paths(recorded.opened, to_project, manifest.__contains__)
        listed = project_paths(recorded.listed, to_project, is_project_folder)
    made = affected.build(
        python=selection.facts["python"],
        packages=selection.facts["packages"],
        tests=[case.id for case in outcomes.cases],
        failed=[case.id for case in outcomes.cases if case.outcome in FAILING],
        manifest=manifest,
        texts=texts,
        executed=executed,
        fixtures=recorded.fixtures,
        spawners=recorded.spawners,
        opened=opened,
        listed=listed,
        test_modules=fingerprints_of(
            [case.id for case in outcomes.cases],
            lambda path: (config.root / path).read_text(encoding="utf-8", errors="replace"),
        ),
    )
    target = map_path(config, str(session.python))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(affected.to_document(made)), encoding="utf-8")
    os.replace(partial, target)
    session.log(f"affected: map of {len(made.tests)} tests written to {target}")
    out.unlink(missing_ok=True)
