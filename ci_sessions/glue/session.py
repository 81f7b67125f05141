"""Glue shared by every session family: define, install, run, report.

Only this package's session modules import nox's session machinery; the
decisions they need live in plain modules (``ci_sessions.verdicts`` and friends).
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast

import nox
import nox.command
import nox.project
import nox.registry
import nox.virtualenv
from nox.logger import logger

from ci_sessions import git, github
from ci_sessions.config import Config
from ci_sessions.glue import installs
from ci_sessions.glue.guard import guarded, swept
from ci_sessions.glue.member import in_member
from ci_sessions.glue.nox_mode import asked_python
from ci_sessions.glue.recording import recorded
from ci_sessions.masking import held_back, redact
from ci_sessions.platforms import python_in, venv_python

SessionFunc = Callable[[nox.Session], None]
# Code that runs inside session venvs, as real files.
IN_VENV = Path(__file__).resolve().parent.parent / "in_venv"
DownloadPython = Literal["auto", "never", "always"]

# Names this package registered: a clash with one of them is a second register() call
# (nox warns, as it does for any session defined twice), one with another name is the
# project's own session, which ci-sessions names.
_OURS: set[str] = set()


def session(
    config: Config,
    name: str,
    *,
    python: Sequence[str] | str | bool | None = None,
    **kwargs: Any,
) -> Callable[[SessionFunc], SessionFunc]:
    """``nox.session`` with the project's backend and interpreter policy.

    Tags: the session's own name and every tier that lists it, so that
    `nox -t pr` runs exactly the pr tier.
    """
    # A named suite brings its own tiers (`tiers=`); the families' come from the config.
    tiers = [*config.tiers_of(name), *kwargs.pop("tiers", ())]
    kwargs["tags"] = [name, *tiers]
    family_name = name
    if config.member:
        # A workspace member's: `tests-core` (nox adds `-3.12`), tagged with the member too.
        name = f"{name}-{config.member}"
        kwargs["tags"].append(config.member)

    def decorate(func: SessionFunc) -> SessionFunc:
        if not config.defines(family_name):
            return func  # register(only=..., exclude=...) leaves it to the project
        if name in nox.registry.get() and name not in _OURS:
            logger.warning(
                f"ci-sessions: replaces the session {name!r} the noxfile defined before "
                f"register(); define yours after register(), or keep it with "
                f'register(exclude=["{name}"])'
            )
        if config.member:
            func = in_member(func, config)
        func = asked_python(func)
        func = swept(func, config, lambda run, message: warn_visibly(run, run.name, [message]))
        if name != "report":  # the report reads the records; it writes none
            func = recorded(func, tiers, lambda: reports_dir(config))
        func = guarded(func, config)
        nox.session(
            name=name,
            python=list(python) if isinstance(python, (list, tuple)) else python,
            venv_backend=kwargs.pop("venv_backend", config.venv_backend),
            download_python=cast(DownloadPython, config.download_python),
            **kwargs,
        )(func)
        _OURS.add(name)
        return func

    return decorate


class _ProjectFiles:
    """The project's files an install key covers: what git lists, less what the
    sessions write (reports, .nox) and what earlier installs wrote themselves."""

    def __init__(
        self, config: Config, written_by_install: Sequence[str], known: installs.Known
    ) -> None:
        self.root = config.root
        self.known = known  # the states the venv's marker recorded: no hashing them again
        self.skipped = [config.reports_dir, ".nox"]
        self.written = set(written_by_install)
        # A workspace member's venv holds the members it depends on too: their files count.
        self.beside = config.local_dependencies

    def states(self) -> list[installs.FileState] | None:
        files = git.project_files(self.root)
        if files is None:
            return None  # git does not see the project: nothing tells what changed
        for folder in self.beside:
            theirs = git.project_files(self.root / folder) or []
            files = [
                *files,
                *(f"{folder}/{path}" for path in installs.outside(theirs, self.skipped)),
            ]
        kept = [path for path in installs.outside(files, self.skipped) if path not in self.written]
        return installs.file_states(self.root, kept, self.known)


def install(
    session: nox.Session,
    config: Config,
    *,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
    tools: Iterable[str] = (),
    for_tests: bool = False,
    requirement_files: Sequence[str] = (),
) -> None:
    """Install the project (with extras, PEP 735 groups and requirements files) and
    pinned tools (requirement strings, as the families' TOOLS give them).

    On a reused venv, only when the project's files or the arguments changed
    since this venv last ran this install (ci_sessions.glue.installs). Files the
    install itself writes (build/, *.egg-info of a setuptools project that does
    not git-ignore them) are remembered and are not changes.
    """
    # Imported here, as the other helpers' heavier imports: a noxfile's load defines the
    # sessions, and every `nox` start (`nox -l` too) would pay for what only runs them.
    from ci_sessions.glue import requirements

    groups = list(groups)
    also = requirements.pinned_by(config, groups, requirement_files)
    chosen = requirements.tool_pins(session, config, tools, also=also)
    args = [
        *requirements.project(config, extras=extras, groups=groups, for_tests=for_tests),
        *[arg for path in requirement_files for arg in ("-r", path)],
        *chosen,
        *requirements.lock_constraints(session, config),
    ]
    marker = _marker(session, "project")
    last = _read(marker)
    recorded, written = installs.read_marker(last)
    files = _ProjectFiles(config, written, installs.read_known(last))
    before = files.states()
    key = None if before is None else installs.install_key(args, str(config.root), before)
    if key is not None and key == recorded:
        session.log("reused venv, nothing changed since its install of: " + " ".join(args))
        return
    _install(session, args)
    after = files.states()
    if key is None or after is None:
        marker.unlink(missing_ok=True)
        return
    written = [*written, *installs.changed(before or [], after)]
    kept = _ProjectFiles(config, written, {s[0]: s[1:] for s in after}).states() or []
    key = installs.install_key(args, str(config.root), kept)
    text = installs.marker_text(key, written, kept)
    _record(session, marker, text)
    if _read(marker) != text:
        # -R / --no-install on a reused venv skipped both: say that the code
        # under test is whatever this venv installed last, not the work tree.
        session.warn(
            "the project changed since this venv installed it, and --no-install (-R) "
            "kept the old install: this session runs the code as of that install; "
            "run with -r instead of -R to reinstall"
        )


def written_by_install(session: nox.Session) -> list[str]:
    """The project's files this venv's install of it wrote (build/, *.egg-info of a
    setuptools project that does not git-ignore them): not changes of the project."""
    return installs.read_marker(_read(_marker(session, "project")))[1]


def _read(marker: Path) -> str | None:
    return marker.read_text() if marker.is_file() else None


def _marker(session: nox.Session, slot: str) -> Path:
    return Path(session.virtualenv.location) / installs.MARKER_DIR / slot


def install_tools(session: nox.Session, config: Config, *tools: str) -> None:
    """Install pinned tools (requirement strings), unless this venv holds these very pins;
    [tool.ci_sessions] pins replace ci-sessions' own."""
    from ci_sessions.glue import requirements

    args = requirements.tool_pins(session, config, tools, project_wins=False)
    marker = _marker(session, installs.slot(args))
    text = installs.marker_text(installs.install_key(args))
    if _read(marker) == text:
        session.log("reused venv, nothing changed since its install of: " + " ".join(args))
        return
    _install(session, args)
    _record(session, marker, text)


def _install(session: nox.Session, args: Sequence[str]) -> None:
    venv = session.virtualenv
    compiled = installs.compile_at_install(
        getattr(venv, "venv_backend", ""), getattr(venv, "reuse_existing", False), os.environ
    )
    session.install(*args, env={"UV_COMPILE_BYTECODE": "1"} if compiled else None)


def _record(session: nox.Session, marker: Path, text: str) -> None:
    """Write the marker with the venv's own python in nox's install step
    (run_install), so that --no-install skips it exactly when it skips the install."""
    session.run_install(
        "python", str(IN_VENV / "write_file.py"), str(marker), text, silent=True, log=False
    )


def side_venv(session: nox.Session, target: Path, run: Callable[..., Any]) -> tuple[str, list[str]]:
    """A venv beside the session's (uv when nox has it): its python, and its installer.

    `run` is session.run, or session.run_install where `nox -R` may skip it.
    """
    python = str(venv_python(target))
    if target.exists() and not (target / "pyvenv.cfg").is_file():
        # A venv a cancel cut short (or anything else left in our scratch folder): uv will
        # not --clear a folder that is not a venv, and every later run would fail on it.
        shutil.rmtree(target)
    has_uv, uv, _ = nox.virtualenv.find_uv()
    base = str(python_in(Path(session.bin)))
    if has_uv:
        run(uv, "venv", "--clear", "-q", "-p", base, str(target), external=True)
        return python, [uv, "pip", "install", "-q", "--python", python]
    run(base, "-m", "venv", "--clear", str(target), external=True)
    return python, [python, "-m", "pip", "install", "-q"]


def require_paths(session: nox.Session, config: Config, key: str, paths: Sequence[str]) -> None:
    """Fail before running a tool that would check nothing on a missing path."""
    from ci_sessions import verdicts as checks

    problems = checks.path_problems(config.root, paths)
    if problems:
        session.error(
            f"{config.key_ref(key)}: {'; '.join(problems)}; "
            f"set {key} to the files or folders to check"
        )


# How much of a command's last output a failure's diagnosis may read (pytest's INTERNALERROR).
TAIL = 8192


@dataclass(frozen=True)
class ToolRun:
    status: int  # the exit status (negative: killed by that signal)
    tail: str  # the end of what it printed, secrets masked


def run_tool(session: nox.Session, args: Sequence[str], **kwargs: Any) -> int:
    """Run a command, streaming its output; return its exit status, never raise."""
    return run_streamed(session, args, **kwargs).status


def run_streamed(session: nox.Session, args: Sequence[str], **kwargs: Any) -> ToolRun:
    """Run a command, streaming its output; its status and the end of its output.

    The output passes through masking.redact on its way to the console: a test that
    prints a URL with its password, an environment variable holding a token, or a
    failing assertion showing one must not show the secret.
    """
    read_end, write_end = os.pipe()
    kept: list[str] = []
    pump = threading.Thread(target=_pump, args=(read_end, kept), daemon=True)
    pump.start()
    status = 0
    with os.fdopen(write_end, "w") as sink:
        try:
            session.run(*args, stdout=sink, stderr=subprocess.STDOUT, **kwargs)
        except nox.command.CommandFailed as exc:
            status = exc.return_code if exc.return_code is not None else 1
        finally:
            sink.close()
            pump.join()
    return ToolRun(status, "".join(kept)[-TAIL:])


def _pump(read_end: int, kept: list[str]) -> None:
    """Copy a pipe to stdout, redacted, keeping its end in `kept`; what may be the start
    of a secret, or an unfinished line holding an address, waits for the rest."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = ""

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()
        kept.append(text)
        if len(kept) > 64:  # keep the list short; only the end is read
            kept[:] = ["".join(kept)[-TAIL:]]

    with os.fdopen(read_end, "rb", buffering=0) as source:
        while chunk := source.read(65536):
            text = redact(pending + decoder.decode(chunk))
            tail = text.rpartition("\n")[2]
            wait = len(tail) if ("://" in tail or "=" in tail) else held_back(text)
            pending = text[len(text) - wait :] if wait else ""
            write(text[: len(text) - wait])
    write(redact(pending + decoder.decode(b"", final=True)))


def run_captured(session: nox.Session, args: Sequence[str]) -> tuple[int, str]:
    """Run a command; print its output and return it with the exit status.

    The output is what lets the caller tell a real pass from a tool that
    checked nothing and said so, and turn findings into annotations.
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as sink:
        try:
            session.run(*args, stdout=sink, stderr=subprocess.STDOUT)
            status = 0
        except nox.command.CommandFailed as exc:
            status = exc.return_code if exc.return_code is not None else 1
        sink.seek(0)
        text = sink.read()
    if text:
        shown = redact(text)
        print(shown, end="" if shown.endswith("\n") else "\n", flush=True)
    return status, text


def run_all(
    session: nox.Session,
    commands: Sequence[tuple[str, Sequence[str]]],
    extra: Mapping[str, str | None] | None = None,
    annotate: Callable[[str, str], list[github.Annotation]] | None = None,
    advisory: Collection[str] = (),
    nothing_checked: Mapping[str, str] | None = None,
) -> None:
    """Run every command even after a failure, then fail naming all that failed.

    `extra` adds checks made in Python (name -> problem or None) to the verdict;
    `annotate` turns a tool's output into GitHub annotations; an `advisory` tool's
    findings are warnings (annotated as such), and its failure never fails the gate;
    `nothing_checked`: tool -> what it prints when it checked no file (a failure).
    """
    from ci_sessions import verdicts as checks

    problems: dict[str, str | None] = {}
    for tool, args in commands:
        status, output = run_captured(session, args)
        problems[tool] = checks.tool_problem(status, output, (nothing_checked or {}).get(tool))
        if annotate is not None:
            level = "warning" if tool in advisory else "error"
            github.emit(replace(found, level=level) for found in annotate(tool, output))
    results = {**problems, **(extra or {})}
    verdict = checks.all_passed(results, advisory)
    # The console has each tool's own output; the step summary gets the table.
    github.append_step_summary(checks.summary_markdown(session.name, results, advisory))
    warn_visibly(session, session.name, verdict.warnings)
    if not verdict.passed:
        session.error(verdict.message)
    session.log(verdict.message)


def warn_visibly(session: nox.Session, label: str, messages: Iterable[str]) -> None:
    """A warning is a third outcome, never a silent one: said on the console, a `::warning`
    annotation on GitHub, and in the session's record for the pipeline report."""
    found = list(messages)
    github.emit_warnings(f"{label}: {message}" for message in found)
    for message in found:
        session.warn(f"{label}: warning: {message}")


def reports_dir(config: Config) -> Path:
    path = config.root / config.reports_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def reports_data_dir(config: Config) -> Path:
    """reports/coverage-data: where every measuring session writes its data (CI artifacts too)."""
    from ci_sessions import coverage_data

    return coverage_data.data_dir(reports_dir(config))


def publish_summary(config: Config, file_name: str | None, markdown: str) -> None:
    """A session's Markdown summary: into reports/<file_name>, on the console, and
    appended to $GITHUB_STEP_SUMMARY when that is set; secrets masked in all three."""
    markdown = redact(markdown)
    if file_name is not None:
        (reports_dir(config) / file_name).write_text(markdown, encoding="utf-8")
    print(markdown, end="" if markdown.endswith("\n") else "\n", flush=True)
    github.append_step_summary(markdown)
