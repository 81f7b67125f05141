"""``lint`` (check only) and ``format`` (apply fixes, never in the default run)."""

from __future__ import annotations

from collections.abc import Sequence

import nox

from ci_sessions import github, workflow
from ci_sessions.config import Config
from ci_sessions.families.base import CiJob, CiKit, no_checks, pins
from ci_sessions.families.lint import choice
from ci_sessions.families.lint.choice import TYPE_CHECKERS
from ci_sessions.families.lint.settings import LINT, LintConfig
from ci_sessions.glue.pytest_run import TEST_TOOLS
from ci_sessions.glue.session import install, install_tools, require_paths, run_all, session

NAME = "lint"
MEMBERS = {"lint": ("smoke", "pr", "nightly")}
SESSIONS = ("lint", "format")
SECTIONS = (LINT,)
TOOLS = {
    "ruff": "ruff>=0.17,<0.18",
    "black": "black>=26.1,<27",
    "mypy": "mypy>=2.4,<3",
    "pyright": "pyright>=1.1.400,<2",
    "basedpyright": "basedpyright>=1.30,<2",
    "ty": "ty>=0.0.100,<0.1",
    "pyrefly": "pyrefly>=1.0,<2",
}
REPORTS: dict[str, str] = {}
checks = no_checks


def ci_jobs(config: Config, kit: CiKit) -> list[CiJob]:
    # Light: a documentation-only change is still linted (the workflow too).
    return [CiJob("lint", "lint", kit.job("lint"), light=True)]


# How each lint tool checks without touching a file. `--no-fix` wins over a
# project's `fix = true`; `--force-exclude` keeps the project's excludes even
# for paths named on the command line.
CHECK_COMMANDS: dict[str, list[str]] = {
    "ruff": ["ruff", "check", "--no-fix", "--force-exclude"],
    "black": ["black", "--check", "--diff"],
    "ruff-format": ["ruff", "format", "--check", "--diff", "--force-exclude"],
    "mypy": ["mypy"],
    "pyright": ["pyright"],
    "basedpyright": ["basedpyright"],
    "ty": ["ty", "check"],
    "pyrefly": ["pyrefly", "check"],
}

FIX_COMMANDS: dict[str, list[str]] = {
    "ruff": ["ruff", "check", "--fix", "--force-exclude"],
    "black": ["black"],
    "ruff-format": ["ruff", "format", "--force-exclude"],
}

# The pinned package that provides each tool.
PACKAGES: dict[str, str] = {tool: tool for tool in TOOLS} | {"ruff-format": "ruff"}


def register(config: Config) -> None:
    @session(config, "lint", python=config.session_python, allow_parallel=True)
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
        if set(tools) & set(TYPE_CHECKERS):
            install(
                session,
                config,
                extras=(*config.test_extras, *settings.extras),
                groups=(*config.test_groups, *settings.groups),
                requirement_files=settings.requirements,
                tools=(*_packages(tools), TEST_TOOLS["pytest"]),
                for_tests=True,
            )
        else:
            install_tools(session, config, *_packages(tools))
        # On GitHub, ruff's one-line format is read back into annotations.
        ruff_output = ["--output-format=concise"] if github.on_github() else []
        run_all(
            session,
            [
                (
                    tool,
                    [
                        *CHECK_COMMANDS[tool],
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
            annotate=lambda tool, output: github.from_tool(tool, output, config.root),
            advisory=settings.advisory,
        )

    @session(config, "format", python=config.session_python, default=False)
    def format_(session: nox.Session) -> None:
        """Apply ruff's fixes and the formatter; the only session that edits files."""
        paths = _targets(session, config)
        fixers = [tool for tool in config.of(LintConfig).tools if tool in FIX_COMMANDS]
        install_tools(session, config, *_packages(fixers))
        run_all(session, [(tool, [*FIX_COMMANDS[tool], *paths]) for tool in fixers])


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
    if explicit or tool not in TYPE_CHECKERS:
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


def _packages(tools: Sequence[str]) -> list[str]:
    """The pinned requirements that provide these tools (ruff-format is ruff's)."""
    return pins(TOOLS, *dict.fromkeys(PACKAGES[tool] for tool in tools))
