"""Read ``[tool.ci_sessions]``, check every key against the declared sections, resolve.

The schema is not written here: the project-wide keys come from
``ci_sessions.config.core`` and every other key from the sections the families
declare (``ci_sessions.registry`` passes them in). Every problem becomes one
ConfigError that names the file and the exact key, raised before any session
runs, so nothing is installed or written on a bad configuration.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import nox.project

from ci_sessions import interpreters, pins, pylock
from ci_sessions.config import backends, discover, resolve, values
from ci_sessions.config.checking import (
    Where,
    checked,
    effective,
    given_values,
    unknown_key_message,
)
from ci_sessions.config.core import CORE, Config
from ci_sessions.config.project import (
    FLAT_REPORTS_DIR,
    discovered_as_package,
    pytest_ini,
    setuptools_discovers,
    source_dir,
)
from ci_sessions.config.schema import TABLE, ConfigError, ResolveContext, Section
from ci_sessions.workspace import member_table


def load(
    pyproject: Path,
    *,
    sections: Sequence[Section],
    members: Sequence[str],
    default_tiers: tuple[tuple[str, tuple[str, ...]], ...],
    families: tuple[Any, ...] = (),
    environ: Mapping[str, str] | None = None,
    finder: interpreters.Finder = interpreters.find,
    inherited: Mapping[str, Any] | None = None,
) -> Config:
    """Read, check and resolve; one ConfigError on the first problem.

    `sections`: the families' (top-level keys and sub-tables); `members`: what
    a tier may list; `environ` and `finder` (which interpreter starts) are what
    the resolved settings depend on besides the file. `inherited`: a uv workspace
    root's [tool.ci_sessions], under a member's own (ci_sessions.workspace).
    """
    environ = os.environ if environ is None else environ
    document = read_pyproject(pyproject)
    if inherited is not None:
        own = _table(document, pyproject)
        tool = {**document.get("tool", {}), "ci_sessions": member_table(inherited, own)}
        document = {**document, "tool": tool}
    where = Where(pyproject, document, environ)
    top_level = [CORE, *(section for section in sections if section.table is None)]
    tables = {section.table: section for section in sections if section.table is not None}
    given: dict[int, dict[str, Any]] = {id(s): {} for s in [*top_level, *tables.values()]}
    present: set[str] = set()
    for name, raw in _table(document, pyproject).items():
        if name in tables:
            table = f"{TABLE}.{name}"
            if not isinstance(raw, dict):
                raise ConfigError(f"{pyproject}: [{table}] must be a table, got {values.toml(raw)}")
            given[id(tables[name])] = given_values(where, tables[name].keys, raw, table)
            present.add(name)
            continue
        found = next(((s, k) for s in top_level if (k := s.key(name)) is not None), None)
        if found is None:
            known = [k.name for s in top_level for k in s.keys] + list(tables)
            raise ConfigError(unknown_key_message(pyproject, TABLE, name, known))
        section, key = found
        given[id(section)][key.field] = checked(where, TABLE, key, raw)
    origins: dict[str, str] = {}
    notes: list[str] = []
    computed: dict[int, dict[str, Any]] = {}
    for section in [*top_level, *tables.values()]:
        table = TABLE if section.table is None else f"{TABLE}.{section.table}"
        ref = "" if section.table is None else f"{section.table}."
        computed[id(section)], said = effective(
            where, section.keys, given[id(section)], table, origins, ref
        )
        notes += said
    core = computed[id(CORE)]
    core.setdefault("tiers", default_tiers)
    _check_members(pyproject, core["tiers"], members)
    _check_reports_dir(
        document, pyproject, core["reports_dir"], explicit="reports_dir" in given[id(CORE)]
    )
    _check_packages(pyproject, core["packages"], explicit="packages" in given[id(CORE)])
    all_sections = [*top_level[1:], *tables.values()]
    built = {
        section.build: (
            None
            if section.optional and section.table not in present
            else section.make(computed[id(section)])
        )
        for section in all_sections
    }
    config = Config(
        root=pyproject.parent,
        pyproject=pyproject,
        families=families,
        sections=built,
        origins=origins,
        **core,
    )
    _check_groups(document, pyproject, _group_keys(config, all_sections))
    sessions = tuple(name for family in families for name in family.SESSIONS)
    context = ResolveContext(pyproject, document, environ, config.python, sessions, origins)
    resolved = _resolve(config, all_sections, context, finder)
    poetry, skipped = discover.poetry_test_requirements(document)
    if skipped:
        notes.append(
            f"Poetry test dependencies not installed (git or path ones): {', '.join(skipped)}"
        )
    lock = pyproject.parent / "uv.lock"
    locked, chose = pylock.find(pyproject.parent)
    notes += [chose] if chose else []
    if locked:
        notes.append(f"{locked}: the sessions install and scan what it locks")
    try:
        in_pylock = pylock.names(pylock.read(pyproject.parent / locked)) if locked else set()
    except pylock.PylockError as exc:
        raise ConfigError(str(exc)) from None
    return replace(
        resolved,
        notes=(*notes, *resolved.notes),
        poetry_requirements=tuple(poetry),
        project_pins={
            **{name: locked for name in in_pylock if locked},
            **_project_pins(resolved, document, poetry, lock),
        },
        pre_commit_versions=discover.pre_commit(pyproject.parent)[0],
        lock=lock.name if lock.is_file() else None,
        pylock=locked,
    )


def _project_pins(
    config: Config, document: Mapping[str, Any], poetry: list[str], lock: Path
) -> dict[str, str]:
    """The distributions the project itself names for its tests (or locks), by name: where
    it does. Its pin of a tool wins over ci-sessions' (ci_sessions.pins)."""
    project = document.get("project", {})
    found: dict[str, str] = {}
    sources: list[tuple[str, Iterable[str]]] = [
        ("[project].dependencies", project.get("dependencies", []))
    ]
    extras = project.get("optional-dependencies", {})
    sources += [(f"the extra {e}", extras.get(e, [])) for e in config.test_extras]
    sources += [(f"the dependency group {g}", config.groups.get(g, ())) for g in config.test_groups]
    sources += [("a Poetry test group", poetry)]
    for name, requirements in sources:
        for distribution in pins.names_in(requirements):
            found.setdefault(distribution, name)
    for path in config.test_requirements:
        for distribution in pins.requirement_file_names(config.root / path):
            found.setdefault(distribution, path)
    for distribution in pins.locked_names(lock):
        found.setdefault(distribution, "uv.lock")
    return found


def _resolve(
    config: Config,
    sections: Sequence[Section],
    context: ResolveContext,
    finder: interpreters.Finder,
) -> Config:
    """Every effective setting that depends on more than its own key, decided once."""
    resolved = dict(config.sections)
    for section in sections:
        current = resolved[section.build]
        if section.resolve is not None and current is not None:
            try:
                resolved[section.build] = section.resolve(current, context)
            except ValueError as exc:
                raise ConfigError(f"{config.pyproject}: {exc}") from None
    outside = [
        f"{session} = {version!r}" if session != "*" else repr(version)
        for session, version in config.session_pythons
        if version not in config.python
    ]
    if outside:
        raise ConfigError(
            f"{config.pyproject}: [tool.ci_sessions] session-python: {outside[0]} is not one "
            f"of python ({', '.join(config.python)}); the workflow sets up those only"
        )
    single = [name for name in context.sessions if name not in NOT_SINGLE_PYTHON]
    unknown = [name for name, _ in config.session_pythons if name not in (*single, "*")]
    if unknown:
        raise ConfigError(
            f"{config.pyproject}: [tool.ci_sessions] session-python: {unknown[0]!r} is not a "
            f"single-Python session; expected one of {', '.join(single)} (the tests run on "
            "every Python of python; a suite has its own python key)"
        )
    on_ci = "CI" in context.environ
    # On CI nothing is probed: a missing interpreter fails there, as it must.
    runnable = config.python if on_ci else interpreters.runnable(config.python, finder)
    session_python, note = resolve.resolve_session_python(config.python, runnable, on_ci=on_ci)
    absent = tuple(version for version in config.python if version not in runnable)
    hints = [
        f"python{version} does not start here, so tests-{version} is skipped (with CI set it "
        f"fails); install it (`uv python install {version}` or `pyenv install {version}`) "
        "and put its bin folder on PATH"
        for version in absent
    ]
    # After resolving: a resolver may default a groups key to groups the project has.
    groups = _group_keys(replace(config, sections=resolved), sections)
    return replace(
        config,
        sections=resolved,
        session_python=session_python,
        absent_pythons=absent,
        notes=(*hints, *((note,) if note else ())),
        project_name=backends.project_name(context.document) or "",
        pytest_ini=pytest_ini(config.root, context.document),
        coverage_tables=dict(context.document.get("tool", {}).get("coverage", {})),
        groups={
            group: tuple(nox.project.dependency_groups(dict(context.document), group))
            for names in groups.values()
            for group in names
        },
    )


# Sessions that session-python cannot move: the tests run on every Python of the
# matrix, report and changes run in nox's own Python (no venv), and integration is a
# suite, with a python key of its own.
NOT_SINGLE_PYTHON = ("tests", "report", "changes", "integration")


def _group_keys(config: Config, sections: Sequence[Section]) -> dict[str, tuple[str, ...]]:
    """Key name -> the PEP 735 groups it names, for every key declared as naming groups."""
    found: dict[str, tuple[str, ...]] = {}
    for key in CORE.keys:
        if key.groups:
            found[key.name] = getattr(config, key.field)
    for section in sections:
        value = config.sections.get(section.build)
        for key in section.keys:
            # None: not set, and not resolved yet (a default found in the project)
            if key.groups and value is not None and getattr(value, key.field) is not None:
                found[key.name] = getattr(value, key.field)
    return found


def read_pyproject(pyproject: Path) -> dict[str, Any]:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{pyproject}: not found; ci-sessions reads [{TABLE}] from the "
            "pyproject.toml next to the noxfile"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None


def sub_table(
    document: Mapping[str, Any], pyproject: Path, *keys: str, prefix: str = ""
) -> dict[str, Any]:
    """document[keys...] as a table ({} when absent); a non-table is a ConfigError."""
    current: Any = document
    walked = prefix
    for key in keys:
        walked = f"{walked}.{key}" if walked else key
        current = current.get(key, {})
        if not isinstance(current, dict):
            raise ConfigError(
                f"{pyproject}: [{walked}] must be a table, got {key} = {values.toml(current)}"
            )
    return dict(current)


def _table(document: Mapping[str, Any], pyproject: Path) -> dict[str, Any]:
    for top in ("project", "dependency-groups"):
        sub_table(document, pyproject, top)
    sub_table(document, pyproject, "tool", "coverage")
    return sub_table(document, pyproject, "tool", "ci_sessions")


def _check_reports_dir(
    document: Mapping[str, Any], pyproject: Path, given: str, *, explicit: bool
) -> None:
    """What ci-sessions writes must not change how the project builds: an explicit reports
    folder that setuptools' flat-layout discovery would take for a package is refused (the
    default avoids it: ci_sessions.config.defaults.reports_dir)."""
    if (
        explicit
        and setuptools_discovers(pyproject.parent, document)
        and discovered_as_package(given)
    ):
        raise ConfigError(
            f"{pyproject}: [{TABLE}] reports-dir: setuptools finds this project's packages "
            f"itself (a flat layout with no package list), so {given}/ would become a package "
            f"of its build and break every install; use a name that is no Python identifier, "
            f'such as "{FLAT_REPORTS_DIR}", got {values.toml(given)}'
        )


def _check_members(
    pyproject: Path, tiers: tuple[tuple[str, tuple[str, ...]], ...], members: Sequence[str]
) -> None:
    """Each tier lists session families that exist."""
    for tier, listed in tiers:
        unknown = [member for member in listed if member not in members]
        if unknown:
            raise ConfigError(
                f"{pyproject}: [{TABLE}] tiers: {tier}: unknown entry {values.toml(unknown[0])}; "
                f"expected some of {', '.join(members)}"
            )


def _check_packages(pyproject: Path, packages: tuple[str, ...], *, explicit: bool) -> None:
    """A package that is not there would make lint check only the tests and
    coverage measure nothing: refuse it before anything runs."""
    for package in packages:
        if source_dir(pyproject.parent, package) is None:
            relative = package.replace(".", "/")
            what = f"package {package!r}" + (
                "" if explicit else " (not set: read from the build backend or the name)"
            )
            raise ConfigError(
                f"{pyproject}: [{TABLE}] package: {what} not found in src/ or the project "
                f"root (looked for src/{relative}, {relative}, {relative}.py); set package "
                '= "your_import_name"'
            )


def _check_groups(
    document: Mapping[str, Any], pyproject: Path, groups: Mapping[str, tuple[str, ...]]
) -> None:
    declared = document.get("dependency-groups", {})
    for key, names in groups.items():
        for group in names:
            if group not in declared:
                raise ConfigError(
                    f"{pyproject}: [{TABLE}] {key}: no [dependency-groups] entry named {group!r}"
                )
