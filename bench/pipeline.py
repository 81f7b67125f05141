"""Wall time of the pipeline with ci-sessions against what a project would use instead.

Usage (from the repository root):

    scripts/bench.sh pipeline [--runs 3] [--projects sample,pluggy]

Two projects: this repository's sample project (tests/fixtures/sample), and
pluggy 1.7.0, downloaded as an sdist from PyPI at run time, whose own tox.ini
is what tox runs. The pipeline is lint (ruff, black, mypy) + the tests on
Python 3.11, 3.12 and 3.13 with line and branch coverage (what ci-sessions
measures) + the combined coverage gate; on
pluggy, whose tox.ini has no lint environment (its lint is pre-commit, which
fetches hooks from GitHub), every variant runs the matrix and the gate only.

Variants, side by side in one run:
  a. ci-sessions, sequential            nox -s lint tests-3.11 ... coverage
  b. ci-sessions, -j auto               the same, sessions in parallel
  c. a hand-written noxfile             the common template: virtualenv, pip
  d. tox 4 with tox-uv                  the project's tox.ini (sample: one written alike)
  e. the raw tool commands              in venvs made beforehand: the lower bound
and a', b': the test matrix alone with ci-sessions, sequential and -j auto.

Each (but e) cold, as CI runs it (env folders deleted, plain `nox`; package
caches warm from an untimed first pass), and warm, as a laptop re-runs it (env
folders deleted, an untimed `nox -r` that makes envs to keep, then the timed
`nox -R`; tox reuses its envs as is). e runs in venvs made beforehand with
bytecode compiled, after an untimed pass (tool caches warm). Printed: medians of
--runs runs, and each median's ratio to e.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fixed_cost
from _common import NOX, REPO, clean_env, fresh_dir, median, run, table

PYTHONS = ("3.11", "3.12", "3.13")
PLUGGY = "pluggy==1.7.0"
# The same tool pins the sessions use, for every variant.
sys.path.insert(0, str(REPO))
from ci_sessions.families.lint.family import TOOLS as LINT_TOOLS  # noqa: E402
from ci_sessions.glue.pytest_run import TEST_TOOLS  # noqa: E402

# mypy checks the tests too, so it needs pytest's types, as ci-sessions' lint installs them.
LINT = [LINT_TOOLS[tool] for tool in ("ruff", "black", "mypy")] + [TEST_TOOLS["pytest"]]
TEST = [TEST_TOOLS["pytest"], TEST_TOOLS["pytest-cov"]]
BENCH_TOOLS = ["tox>=4.22,<5", "tox-uv>=1.11,<2"]
# The uv of .venv-nox, the one nox uses.
UV = str(Path(sys.executable).parent / "uv")


@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    package: str
    tests: str
    lint: bool  # whether the pipeline has lint on this project
    extra_test_deps: tuple[str, ...] = ()

    @property
    def lint_paths(self) -> list[str]:
        return ["src", self.tests]

    def sessions(self) -> list[str]:
        return [*(["lint"] if self.lint else []), *(f"tests-{py}" for py in PYTHONS), "coverage"]


# --- c. the template noxfile: virtualenv backend, pip installs ----------------

TEMPLATE_NOXFILE = """\
import os

import nox

nox.options.default_venv_backend = "virtualenv"
LINT = {lint!r}
TEST = {test!r}


@nox.session
def lint(session):
    session.install(".", *LINT)
    session.run("ruff", "check", *{paths!r})
    session.run("black", "--check", *{paths!r})
    session.run("mypy", *{paths!r})


@nox.session(python={pythons!r})
def tests(session):
    session.install(".", *TEST)
    session.run(
        "pytest", "--cov={package}", "--cov-branch", "--cov-report=", "{tests}",
        env={{"COVERAGE_FILE": f".coverage.{{session.python}}"}},
    )


@nox.session
def coverage(session):
    session.install("coverage[toml]")
    session.run("coverage", "combine", *[f".coverage.{{p}}" for p in {pythons!r}])
    session.run("coverage", "report", "--fail-under=50")
"""

# --- d. tox for the sample project, written like a typical tox.ini ------------

SAMPLE_TOX = """\
[tox]
envlist = lint, py311, py312, py313, coverage

[testenv]
deps = {test}
setenv = COVERAGE_FILE = {{toxinidir}}/.coverage.{{envname}}
commands = pytest --cov=sample --cov-branch --cov-report= tests

[testenv:lint]
deps = {lint}
commands =
    ruff check src tests
    black --check src tests
    mypy src tests

[testenv:coverage]
skip_install = true
deps = coverage[toml]
setenv =
commands =
    coverage combine .coverage.py311 .coverage.py312 .coverage.py313
    coverage report --fail-under=50
"""

CI_SESSIONS_NOXFILE = "import ci_sessions\n\nci_sessions.register()\n"


def deps_lines(requirements: list[str]) -> str:
    """tox's deps: one requirement per (indented) line, unquoted."""
    return "".join(f"\n    {requirement}" for requirement in requirements)


def prepare_sample(work: Path) -> Project:
    path = fresh_dir(work / "sample")
    shutil.copytree(REPO / "tests" / "fixtures" / "sample", path, dirs_exist_ok=True)
    # Keep env folders out of the sdists that tox builds (hatchling reads this).
    (path / ".gitignore").write_text(".nox/\n.nox-template/\n.tox/\n.coverage*\nreports/\n")
    # Lint the code, not the template noxfile this script writes beside it.
    with (path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[tool.ci_sessions]\npaths = ["src", "tests"]\n')
    (path / "tox.ini").write_text(SAMPLE_TOX.format(test=deps_lines(TEST), lint=deps_lines(LINT)))
    return Project("sample", path, "sample", "tests", lint=True)


def prepare_pluggy(work: Path, tools_python: str) -> Project:
    download = fresh_dir(work / "download")
    pip_download = [tools_python, "-m", "pip", "download", "-q", "--no-deps"]
    run([*pip_download, "--no-binary", ":all:", PLUGGY, "-d", str(download)], work)
    [sdist] = download.glob("pluggy-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(work, filter="data")
    path = work / sdist.name.removesuffix(".tar.gz")
    pyproject = path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.ci_sessions]\npackage = "pluggy"\npython = ["3.11", "3.12", "3.13"]\n'
        'test-paths = ["testing"]\ntest-groups = ["testing"]\n'
        "\n[tool.ci_sessions.coverage]\nfail-under = 50\n"
    )
    (path / "noxfile.py").write_text(CI_SESSIONS_NOXFILE)
    return Project(
        "pluggy", path, "pluggy", "testing", lint=False, extra_test_deps=("pytest-benchmark",)
    )


def write_template(project: Project) -> Path:
    noxfile = project.path / "noxfile_template.py"
    source = TEMPLATE_NOXFILE.format(
        lint=LINT,
        test=[*TEST, *project.extra_test_deps],
        paths=project.lint_paths,
        pythons=list(PYTHONS),
        package=project.package,
        tests=project.tests,
    )
    if not project.lint:  # drop the lint session's body: nothing to lint on this project
        source = source.replace("@nox.session\ndef lint", "def _unused_lint")
    noxfile.write_text(source)
    return noxfile


# --- the variants --------------------------------------------------------------

Command = Callable[[str], list[str]]  # phase (cold, prepare, warm) -> the command
# nox's options per phase: plain for CI's one-off envs, -r to make envs that are
# kept (ci-sessions then compiles bytecode at install, see ci_sessions.glue.installs),
# -R to reuse them without installing.
NOX_PHASE = {"cold": [], "prepare": ["-r"], "warm": ["-R"]}


def nox_variant(
    options: list[str], sessions: list[str], envdir: str = ".nox"
) -> tuple[Command, list[str]]:
    """nox with these options and sessions, and the phase's reuse option."""
    return (lambda phase: [*NOX, *options, *NOX_PHASE[phase], "-s", *sessions], [envdir])


def variants(project: Project, tox: str) -> dict[str, tuple[Command, list[str]]]:
    """name -> (command for cold/warm, the folders a cold run deletes first)."""
    sessions = project.sessions()
    matrix = [f"tests-{py}" for py in PYTHONS]
    template = write_template(project)
    tox_override = []
    if project.name == "pluggy":
        # pluggy's coverage factor runs `coverage combine`, which needs parallel
        # data files: its repository's .coveragerc, not shipped in the sdist.
        rcfile = project.path.parent / "pluggy-coveragerc"
        rcfile.write_text("[run]\nparallel = true\nbranch = true\nsource = pluggy\n")
        tox_override = ["-x", f"testenv.set_env+=COVERAGE_RCFILE={rcfile}"]
    tox_envs = (
        "lint,py311,py312,py313,coverage"
        if project.name == "sample"
        else ",".join(f"py{py.replace('.', '')}-coverage" for py in PYTHONS)
    )
    template_options = ["-f", str(template), "--envdir", ".nox-template"]
    return {
        "a. ci-sessions": nox_variant([], sessions),
        "b. ci-sessions -j auto": nox_variant(["-j", "auto"], sessions),
        # The matrix alone, where -j can only help: three independent sessions.
        "a'. matrix only": nox_variant([], matrix),
        "b'. matrix only, -j auto": nox_variant(["-j", "auto"], matrix),
        "c. template noxfile": nox_variant(template_options, sessions, ".nox-template"),
        "d. tox + tox-uv": (lambda phase: [tox, "-e", tox_envs, "-q", *tox_override], [".tox"]),
    }


def raw_commands(project: Project, venvs: Path) -> list[list[str]]:
    """e: the tools themselves, in venvs made beforehand."""
    commands = []
    if project.lint:
        lint_bin = venvs / "lint" / "bin"
        commands += [
            [str(lint_bin / "ruff"), "check", *project.lint_paths],
            [str(lint_bin / "black"), "--check", *project.lint_paths],
            [str(lint_bin / "mypy"), *project.lint_paths],
        ]
    for py in PYTHONS:
        commands.append(
            [
                "env",
                f"COVERAGE_FILE=.coverage.raw{py}",
                str(venvs / py / "bin" / "pytest"),
                f"--cov={project.package}",
                "--cov-branch",
                "--cov-report=",
                project.tests,
            ]
        )
    coverage = str(venvs / "3.13" / "bin" / "coverage")
    commands.append([coverage, "combine", *(f".coverage.raw{py}" for py in PYTHONS)])
    commands.append([coverage, "report", "--fail-under=50"])
    return commands


def make_raw_venvs(project: Project, venvs: Path, uv: str) -> None:
    fresh_dir(venvs)
    groups = ["--group", "pyproject.toml:testing"] if project.name == "pluggy" else []
    wanted = {py: [*TEST, *project.extra_test_deps, *groups] for py in PYTHONS}
    if project.lint:
        wanted["lint"] = LINT
    for name, requirements in wanted.items():
        python = "3.13" if name == "lint" else name
        run([uv, "venv", "-q", "-p", python, str(venvs / name)], project.path)
        target = str(venvs / name / "bin" / "python")
        run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--compile-bytecode",
                "--python",
                target,
                ".",
                *requirements,
            ],
            project.path,
        )


def time_raw(project: Project, commands: list[list[str]]) -> float:
    total = 0.0
    for command in commands:
        seconds, _ = run(command, project.path)
        total += seconds
    return total


def time_variant(project: Project, command: Command, cold_dirs: list[str], warm: bool) -> float:
    for folder in cold_dirs:
        shutil.rmtree(project.path / folder, ignore_errors=True)
    if warm:
        run(command("prepare"), project.path, clean_env())
    for stale in project.path.glob(".coverage*"):
        stale.unlink()
    seconds, _ = run(command("warm" if warm else "cold"), project.path, clean_env())
    return seconds


def bench_project(project: Project, runs: int, tools: Path) -> list[list[str]]:
    tox = str(tools / "bin" / "tox")
    chosen = variants(project, tox)
    venvs = project.path.parent / f"{project.name}-raw-venvs"
    make_raw_venvs(project, venvs, UV)
    raw = raw_commands(project, venvs)
    times: dict[tuple[str, str], list[float]] = {}
    # An untimed first pass: package caches (pip's, uv's) warm, as the cold runs assume.
    print(f"{project.name}: warming the package caches", flush=True)
    for command, cold_dirs in chosen.values():
        time_variant(project, command, cold_dirs, warm=False)
    for number in range(runs):
        time_raw(project, raw)  # untimed: the tools' own caches (mypy's) warm for this venv
        times.setdefault(("e. raw tools", "-"), []).append(time_raw(project, raw))
        for name, (command, cold_dirs) in chosen.items():
            for warm in (False, True):
                seconds = time_variant(project, command, cold_dirs, warm)
                times.setdefault((name, "warm" if warm else "cold"), []).append(seconds)
        print(
            f"{project.name} run {number + 1}: "
            + ", ".join(f"{n} {t}: {v[-1]:.0f} s" for (n, t), v in times.items()),
            flush=True,
        )
    lower = median(times[("e. raw tools", "-")])
    rows = []
    for (name, temperature), values in times.items():
        rows.append(
            [
                project.name,
                name,
                temperature,
                f"{median(values):.1f} s",
                f"{median(values) / lower:.2f}x",
                " ".join(f"{v:.1f}" for v in values),
            ]
        )

    def ratio(parallel: str, sequential: str, temperature: str) -> str:
        fast, slow = times[(parallel, temperature)], times[(sequential, temperature)]
        return f"{median(fast) / median(slow):.2f}x"

    for t in ("cold", "warm"):
        matrix = ratio("b'. matrix only, -j auto", "a'. matrix only", t)
        print(
            f"{project.name} {t}: -j auto / sequential: pipeline "
            f"{ratio('b. ci-sessions -j auto', 'a. ci-sessions', t)}, matrix only {matrix}; "
            f"ci-sessions / template {ratio('a. ci-sessions', 'c. template noxfile', t)}; "
            f"ci-sessions / tox {ratio('a. ci-sessions', 'd. tox + tox-uv', t)}",
            flush=True,
        )
    return rows


def prepared_paths(work: Path, names: str) -> dict[str, Path]:
    """The sample and pluggy (comma-separated names), prepared under work, for the scripts
    that time one session on them (fixed_cost.py, phases.py)."""
    tools = work / "tools"
    run([UV, "venv", "-q", "-p", "3.13", "--seed", str(tools)], work)
    return {
        name: (
            prepare_sample(work)
            if name == "sample"
            else prepare_pluggy(work, str(tools / "bin" / "python"))
        ).path
        for name in names.split(",")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--projects", default="sample,pluggy")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    tools = work / "tools"
    run([UV, "venv", "-q", "-p", "3.13", "--seed", str(tools)], work)
    run([UV, "pip", "install", "-q", "--python", str(tools / "bin" / "python"), *BENCH_TOOLS], work)
    rows, prepared = [], {}
    for name in args.projects.split(","):
        project = (
            prepare_sample(work)
            if name == "sample"
            else prepare_pluggy(work, str(tools / "bin" / "python"))
        )
        rows += bench_project(project, args.runs, tools)
        prepared[name] = project.path
    print()
    print(table(["project", "variant", "envs", "median", "vs raw", "runs (s)"], rows))
    # A tests session's fixed cost, on the same projects (bench/fixed_cost.py).
    print("\n" + fixed_cost.report(prepared, max(args.runs, 5)))
    print(f"\n(scratch folder: {work}; {args.runs} runs; 2 cores)")


if __name__ == "__main__":
    main()
