"""``lint`` (check only) and ``format`` (apply fixes, never in the default run)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import nox

from ci_sessions import github, workflow
from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks
from ci_sessions.families.lint import choice
from ci_sessions.families.lint import tools as lint_tools
from ci_sessions.families.lint.settings import LINT, LintConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.glue.session import install, install_tools, require_paths, run_all, session
from ci_sessions.pins import requirement_name
from ci_sessions.requirement import local_source, script_dependencies

NAME = "lint"
MEMBERS = {"lint": ("smoke", "pr", "nightly")}
SESSIONS = ("lint", "format")
SECTIONS = (LINT,)
# The lint tools' pins, by package (one record per tool: ci_sessions.families.lint.tools).
TOOLS = {tool.package: tool.pin for tool in lint_tools.TOOLS}
REPORTS: dict[str, str] = {}
# What each tool prints when it checked no file.
NOTHING_CHECKED = {t.name: t.nothing_checked for t in lint_tools.TOOLS if t.nothing_checked}
checks = no_checks


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    # Light: a documentation-only change is still linted (the workflow too).
    return [CiJob("lint", "lint", kit.job("lint"), light=True)]


def register(config: Config) -> None:
    @session(config, "lint", python=config.python_of("lint"), allow_parallel=True)
    def lint(session: nox.Session) -> None:
        """ruff, the formatter and the type checkers, in check mode; posargs replace the paths."""
        paths = _targets(session, config)
        settings = config.of(LintConfig)
        tools = settings.tools
        for reason in settings.reasons:
            session.log(f"lint: {reason}")
        # A type checker must see what the checked code imports: the project,
        # its test dependencies (tests are linted too) and the lint extras and
        # groups. The formatters need none of it: then only the tools install.
        if any(lint_tools.BY_NAME[tool].type_checker for tool in tools):
            install(
                session,
                config,
                extras=(*config.test_extras, *settings.extras),
                groups=(*config.test_groups, *settings.groups),
                requirement_files=settings.requirements,
                tools=(
                    *_with_mypy_pin(lint_tools.pins_for(tools), settings.mypy_pin),
                    TEST_TOOLS["pytest"],
                    *noxfile_dependencies(config.root),
                ),
                for_tests=True,
            )
        else:
            install_tools(session, config, *lint_tools.pins_for(tools))
        # On GitHub, ruff's one-line format is read back into annotations.
        ruff_output = ["--output-format=concise"] if github.on_github() else []
        run_all(
            session,
            [
                (
                    tool,
                    [
                        *lint_tools.BY_NAME[tool].check,
                        *(ruff_output if tool == "ruff" else []),
                        *(
                            choice.RUFF_BASELINE
                            if tool == "ruff" and settings.ruff_baseline
                            else ()
                        ),
                        *checked_paths(
                            tool,
                            paths,
                            settings,
                            explicit=bool(session.posargs),
                            tests=config.test_paths,
                        ),
                    ],
                )
                for tool in tools
            ],
            extra=_workflow_drift(session, config),
            annotate=lambda tool, output: lint_tools.annotations_of(tool, output, config.root),
            advisory=settings.advisory,
            nothing_checked=NOTHING_CHECKED,
        )

    @session(config, "format", python=config.python_of("format"), default=False)
    def format_(session: nox.Session) -> None:
        """Apply ruff's fixes and the formatter; the only session that edits files."""
        paths = _targets(session, config)
        fixers = [lint_tools.BY_NAME[tool] for tool in config.of(LintConfig).tools]
        fixers = [tool for tool in fixers if tool.fix is not None]
        install_tools(session, config, *lint_tools.pins_for([tool.name for tool in fixers]))
        run_all(
            session,
            [(tool.name, [*(tool.fix or ()), *paths]) for tool in fixers],
            nothing_checked=NOTHING_CHECKED,
        )


def _workflow_drift(session: nox.Session, config: Config) -> dict[str, str | None]:
    """Generated workflow files must match the sessions; hand-written ones are left alone."""
    main = config.root / workflow.WORKFLOW_PATH
    text = main.read_text(encoding="utf-8") if main.is_file() else None
    if text is None or not text.startswith(workflow.HEADER):
        session.log(f"no generated {workflow.WORKFLOW_PATH}: workflow drift not checked")
        return {}
    try:
        files = workflow.generated(config)
    except workflow.WorkflowError as exc:
        return {"workflow": str(exc)}
    stale = []
    for path, expected in files.items():
        target = config.root / path
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current is not None and not current.startswith(workflow.HEADER):
            continue  # the project's own file of that name
        difference = workflow.drift(current, expected, path)
        if difference:
            print(difference)
            stale.append(path)
    verb = "differs" if len(stale) == 1 else "differ"
    problem = (
        f"{', '.join(stale)} {verb} from the sessions: run `python -m ci_sessions workflow` "
        "and commit the result"
    )
    return {"workflow": problem if stale else None}


def _with_mypy_pin(pins: list[str], mypy_pin: str | None) -> list[str]:
    """The tools' pins, mypy's replaced by one that accepts the project's target."""
    if mypy_pin is None:
        return pins
    return [mypy_pin if pin.startswith("mypy") else pin for pin in pins]


def noxfile_dependencies(root: Path) -> list[str]:
    """What the noxfile's PEP 723 block asks for (nox, ci-sessions): a type checker that
    checks the whole tree then resolves the noxfile's imports instead of failing on the file
    `init` wrote. ci-sessions itself, when it runs from a local folder (not on any index),
    installs from that folder, as the one the noxfile asks for cannot be found there."""
    listed = script_dependencies(root / "noxfile.py") or []
    local = local_source()
    return [local if local and requirement_name(item) == "ci-sessions" else item for item in listed]


def checked_paths(
    tool: str,
    paths: Sequence[str],
    settings: LintConfig,
    *,
    explicit: bool,
    tests: Sequence[str] = (),
) -> Sequence[str]:
    """The paths a tool is given: the type checkers other than mypy read what to check
    from their own configuration (they run only when it exists), and mypy too when it
    sets `files`; paths on the command line would override it. Posargs always count.

    mypy without `files` checks the code but not the tests (few projects type
    their tests, and a first run must not go red on them): set mypy's `files`
    to check the tests too."""
    if explicit or not lint_tools.BY_NAME[tool].type_checker:
        return paths
    if tool == "mypy" and not settings.mypy_files:
        code = [path for path in paths if path not in tests]
        return code or paths
    return []


def _targets(session: nox.Session, config: Config) -> Sequence[str]:
    if session.posargs:
        return session.posargs
    require_paths(session, config, "paths", config.paths)
    return config.paths
