"""The project-wide keys of ``[tool.ci_sessions]``, declared once as the fields of Config.

Keys a single family owns (its sub-table, or top-level keys such as
``lint-tools``) are declared by that family; these are the ones several
families read: the Python matrix, the package, the test paths and groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ci_sessions.config import defaults, tables, values
from ci_sessions.config.resolve import newest
from ci_sessions.config.schema import TABLE, Section, setting
from ci_sessions.config.tables import Waiver

T = TypeVar("T")

VENV_BACKENDS = ("uv|virtualenv", "uv", "virtualenv")
DOWNLOAD_PYTHON = ("never", "auto", "always")


@dataclass(frozen=True)
class Config:
    """Everything the sessions need, checked and resolved when it loads.

    The project-wide keys are its fields, each declared once with ``setting``; the
    families' settings are in ``sections``.
    """

    root: Path
    pyproject: Path
    python: tuple[str, ...] = setting(
        values.python_versions,
        None,
        "the Pythons of the test matrix (3.10 or newer)",
        computed=defaults.python,
        default_text="the project's classifiers, else `requires-python` up to the newest "
        "CPython released, else every CPython still supported (3.11 to 3.15 in December "
        "2026); versions older than 3.10 left out with a note; with a `Free Threading` "
        'classifier, the free-threaded build of each version from 3.14 on too (`"3.15t"`, '
        "nox's rule), else only when listed",
    )
    packages: tuple[str, ...] = setting(
        values.str_or_str_list,
        None,
        "the import name(s); one not found in `src/` or the project root is refused",
        key="package",
        computed=defaults.packages,
        default_text="what the build backend ships (hatch's wheel `packages`, setuptools' "
        "`packages`, flit's module, Poetry's `packages`, `[tool.coverage.run] source_pkgs`), "
        "else `[project].name` (or `[tool.poetry] name`) with `-` as `_`",
    )
    paths: tuple[str, ...] = setting(
        values.project_paths,
        None,
        "what lint checks, inside the project",
        computed=defaults.paths,
        default_text="the package's folder (`src/<pkg>` or `<pkg>`) and `tests`",
    )
    test_paths: tuple[str, ...] = setting(
        values.project_paths,
        None,
        "the tests, inside the project",
        computed=defaults.test_paths,
        default_text="pytest's `testpaths`, else `tests` or `test`, else the project root",
    )
    test_extras: tuple[str, ...] = setting(
        values.str_list,
        None,
        "extras the tests need",
        computed=defaults.test_extras,
        default_text="the extras named `test`, `tests` or `testing` (`dev` when it is the "
        "only one)",
    )
    test_groups: tuple[str, ...] = setting(
        values.str_list,
        None,
        "PEP 735 `[dependency-groups]` the tests need",
        computed=defaults.test_groups,
        default_text="the groups named `test`, `tests` or `testing` (`dev` when it is the "
        "only one)",
        groups=True,
    )
    test_requirements: tuple[str, ...] = setting(
        values.project_paths,
        None,
        "requirements files the tests need (`-r`), inside the project",
        computed=defaults.test_requirements,
        default_text="`requirements-test*.txt`, `test-requirements*.txt`, "
        "`requirements/test*.txt`, `tests/requirements*.txt` where they exist (the plain "
        "`tests.txt` over variants such as `tests-min.txt`); Poetry's test groups are read too",
    )
    reports_dir: str = setting(
        values.relative_dir,
        "reports",
        "where reports go, inside the project",
        computed=defaults.reports_dir,
        default_text="`reports`; `ci-reports` in a setuptools flat layout with no package "
        "list, where setuptools would take `reports/` for a package and fail the install",
    )
    venv_backend: str = setting(
        values.choices(VENV_BACKENDS),
        "uv|virtualenv",
        "`uv\\|virtualenv`, `uv` or `virtualenv`",
        default_text="`uv|virtualenv` (uv when installed)",
    )
    # Never fetch interpreters behind the user's back: a missing one is skipped locally
    # (with a hint) and fails on CI, as nox does.
    download_python: str = setting(
        values.choices(DOWNLOAD_PYTHON),
        "never",
        "`never`, `auto` or `always`: whether nox may download a missing interpreter",
    )
    session_pythons: tuple[tuple[str, str], ...] = setting(
        values.session_pythons,
        (),
        "the Python of the single-Python sessions (lint, coverage, security, build, docs, "
        '...): `"3.11"` for all of them, or `{ lint = "3.11" }` for those named; one of '
        "`python`",
        key="session-python",
        default_text="the newest of `python` (locally: the newest that starts, noted)",
    )
    quarantine: tuple[Waiver, ...] = setting(
        tables.waivers("tests/test_api.py::test_fetch", expires_required=True),
        (),
        "tests that run but do not gate: `{ id, reason, expires }` (see Flaky tests)",
    )
    slowest: int = setting(values.count, 10, "how many slowest tests a summary lists")
    slow_marker: str = setting(
        values.marker_name, "slow", "the marker `CI_SESSIONS_SKIP_SLOW=1` deselects"
    )
    # Large enough never to trip a sane test, small enough that a hanging one ends before
    # the CI job's own limit.
    test_timeout: float = setting(
        values.seconds_or_zero,
        900.0,
        "seconds a test may take (pytest-timeout) when the project sets no `timeout`; " "`0`: none",
    )
    all_skipped: str = setting(
        values.choices(("fail", "warn")),
        "fail",
        "a test run in which every test was skipped (or xfailed without running) checked "
        "nothing: `fail`, or `warn` where that is meant (a visible warning)",
    )
    stray_processes: str = setting(
        values.choices(("warn", "fail")),
        "warn",
        "what a session does about processes its commands started and left running (a "
        "test's `Popen`, a server): they are stopped and named either way; `fail` also "
        "fails the session",
    )
    test_markers: str | None = setting(
        values.marker_expression,
        None,
        "a pytest `-m` expression for every test run, kept with the project's addopts, "
        "the quick tiers' `not slow` and the posargs' own",
    )
    pytest_args: tuple[str, ...] = setting(
        values.str_list,
        (),
        "extra pytest options for every test run, before the posargs (the workflow "
        "cannot pass posargs)",
    )
    test_env: tuple[tuple[str, str], ...] = setting(
        values.environment, (), 'environment variables the tests get: `{ NAME = "value" }`'
    )
    pins: tuple[tuple[str, str], ...] = setting(
        tables.pin_table,
        (),
        '`{ pytest = ">=8,<9" }`: replaces the pin ci-sessions installs a tool with (a '
        "project that pins the tool itself, in its test dependencies or uv.lock, wins anyway)",
    )
    # Its members are checked against the families when the configuration loads.
    tiers: tuple[tuple[str, tuple[str, ...]], ...] = setting(
        tables.tier_table,
        None,
        "tier -> the session families it runs (nox tags)",
        default_text="smoke, pr, nightly, from the families' declarations (see Tiers)",
    )
    # The families this configuration was checked against (ci_sessions.registry);
    # the workflow and doctor walk these.
    families: tuple[Any, ...] = ()
    # Each family's settings, by their dataclass (None: an optional table left out).
    sections: Mapping[type, Any] = field(default_factory=dict)
    # Resolved at load (ci_sessions.config.resolve), so that sessions never read
    # pyproject.toml or probe the machine again:
    # the Python of the single-Python sessions: the newest of the matrix that
    # starts here (on CI, the newest of the matrix);
    session_python: str = ""
    # Pythons of the matrix that do not start here (always empty on CI);
    absent_pythons: tuple[str, ...] = ()
    # what the user should know about those choices, printed once by register();
    notes: tuple[str, ...] = ()
    # the project's name, the settings of the file pytest reads, and its [tool.coverage]
    # tables (every measuring session measures with them);
    project_name: str = ""
    pytest_ini: Mapping[str, Any] = field(default_factory=dict)
    coverage_tables: Mapping[str, Any] = field(default_factory=dict)
    # the requirements of each PEP 735 group named in the configuration, and
    # those of the Poetry groups meant for tests (as PEP 508).
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    poetry_requirements: tuple[str, ...] = ()
    # the tools the project pins itself (name -> where), and its uv.lock, if any;
    project_pins: Mapping[str, str] = field(default_factory=dict)
    # the versions the project's .pre-commit-config.yaml pins (ruff -> "==0.11.9");
    pre_commit_versions: Mapping[str, str] = field(default_factory=dict)
    lock: str | None = None
    # its PEP 751 lock file (pylock.toml, or pylock.<name>.toml), if any;
    pylock: str | None = None
    # register(only=..., exclude=...): the sessions to define (None: all of them).
    only: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    # A uv workspace member's name (its sessions are `tests-<member>-3.12`, `lint-<member>`),
    # and the folders of the members it depends on, relative to its root ("../core"):
    # installed beside it, and part of its install key.
    member: str = ""
    local_dependencies: tuple[str, ...] = ()
    workspace_members: tuple[str, ...] = ()
    # Where a value came from when not from its key or default ("security.db" ->
    # "$CI_SESSIONS_VULN_DB"), for check-config and messages.
    origins: Mapping[str, str] = field(default_factory=dict)

    @property
    def newest_python(self) -> str:
        """The newest Python of the matrix, whatever order it is listed in."""
        return newest(self.python)

    def python_of(self, session: str) -> str:
        """The Python a single-Python session runs on: its `session-python` entry, else
        the entry for all of them, else the newest of the matrix."""
        chosen = dict(self.session_pythons)
        return chosen.get(session, chosen.get("*", self.session_python))

    def of(self, kind: type[T]) -> T:
        """A family's settings; KeyError when that family is not loaded or not configured."""
        found = self.sections.get(kind)
        if found is None:
            raise KeyError(f"{kind.__name__}: not part of this configuration")
        return found  # type: ignore[no-any-return]

    def get(self, kind: type[T]) -> T | None:
        """A family's settings, or None when its optional table is left out."""
        return self.sections.get(kind)

    def defines(self, session: str) -> bool:
        """Whether register() defines this session, given only= and exclude=."""
        return (self.only is None or session in self.only) and session not in self.exclude

    def tiers_of(self, member: str) -> list[str]:
        """The tiers (nox tags) a session family belongs to."""
        return [tier for tier, members in self.tiers if member in members]

    def key_ref(self, key: str) -> str:
        """`file: [tool.ci_sessions.table] key` for "table.key" (top level without a dot),
        for messages about a key after loading."""
        table, _, name = key.rpartition(".")
        return f"{self.pyproject}: [{TABLE}{'.' + table if table else ''}] {name}"

    def fix(self, key: str, value: str) -> str:
        """How to set a key, as TOML that can be pasted under the table it names."""
        table, _, name = key.rpartition(".")
        return (
            f"under [{TABLE}{'.' + table if table else ''}] in {self.pyproject}: {name} = {value}"
        )


# The project-wide keys: Config's own fields.
CORE = Section(table=None, build=Config, title="project-wide")
