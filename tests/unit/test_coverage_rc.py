from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest
from coverage import Coverage, CoverageData

from ci_sessions.glue.coverage_rc import coverage_settings, render_ini


def test_user_settings_kept_and_matrix_settings_forced() -> None:
    user = {
        "run": {"source": ["src"], "omit": ["*/vendored/*"], "branch": False},
        "report": {"exclude_lines": ["pragma: no cover", "if TYPE_CHECKING:"]},
        "paths": {"mine": ["lib/", "*/lib/"]},
    }
    settings = coverage_settings(user, ["pkg", "ns.sub"], {"pkg": "src/pkg"})
    assert settings["run"] == {
        "omit": ["*/vendored/*"],
        "branch": True,
        "relative_files": True,
        "source_pkgs": ["pkg", "ns.sub"],
    }
    assert settings["report"] == user["report"]
    assert settings["paths"]["mine"] == ["lib/", "*/lib/"]
    assert settings["paths"]["ci_sessions_pkg"] == ["src/pkg", "*/site-packages/pkg"]
    assert "ci_sessions_ns_sub" not in settings["paths"]  # no source dir found for it


def test_render_ini_reads_back_with_configparser() -> None:
    text = render_ini(
        {"run": {"branch": True, "source_pkgs": ["a", "b"]}, "report": {"precision": 2}}
    )
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    assert parser.getboolean("run", "branch") is True
    assert parser.get("run", "source_pkgs").split() == ["a", "b"]
    assert parser.getint("report", "precision") == 2


def test_a_single_module_package_maps_its_installed_copy_back() -> None:
    from ci_sessions.glue.coverage_rc import coverage_settings

    settings = coverage_settings(
        {}, ["typing_extensions"], {"typing_extensions": "src/typing_extensions.py"}
    )
    [paths] = settings["paths"].values()
    assert paths[0] == "src/typing_extensions.py"
    assert "*/site-packages/typing_extensions.py" in paths


# Where each system's tests job measured src/pkg/mod.py: this checkout (relative), a
# Windows runner's checkout and venv, a macOS runner's venv, a Linux runner's checkout.
SYSTEMS_PATHS = {
    "relative": "src/pkg/mod.py",
    "windows-relative": "src\\pkg\\mod.py",
    "windows-venv": "D:\\a\\p\\p\\.nox\\tests-3-12\\Lib\\site-packages\\pkg\\mod.py",
    "windows-checkout": "D:\\a\\p\\p\\src\\pkg\\mod.py",
    "macos-venv": "/Users/runner/work/p/p/.nox/tests-3-12/lib/python3.12/site-packages/pkg/mod.py",
    "linux-checkout": "/home/runner/work/p/p/src/pkg/mod.py",
}


@pytest.mark.parametrize("where", sorted(SYSTEMS_PATHS))
def test_every_system_s_paths_combine_onto_this_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Real coverage.py combining data whose paths another system wrote: each line it
    measured counts for this checkout's file (a line only that system ran included)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "mod.py").write_text(
        "def f(x):\n    if x:\n        return 1\n    return 2\n"
    )
    rc = tmp_path / "rc"
    rc.write_text(render_ini(coverage_settings({}, ["pkg"], {"pkg": "src/pkg"})))
    here = CoverageData(basename=".coverage.here")
    here.add_arcs({"src/pkg/mod.py": [(-1, 1), (1, -1)]})
    here.write()
    other = CoverageData(basename=".coverage.other")
    other.add_arcs({SYSTEMS_PATHS[where]: [(-2, 2), (2, 3), (3, -1)]})
    other.write()
    cov = Coverage(config_file=str(rc), data_file=".coverage")
    cov.combine([".coverage.here", ".coverage.other"])
    cov.save()
    cov.json_report(outfile="coverage.json")
    files = json.loads(Path("coverage.json").read_text())["files"]
    assert list(files) == ["src/pkg/mod.py"]
    assert files["src/pkg/mod.py"]["executed_lines"] == [1, 2, 3]
