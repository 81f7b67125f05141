from __future__ import annotations

import configparser

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
    assert settings["paths"]["ci_sessions_pkg"][:2] == ["src/pkg", "*/site-packages/pkg"]
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
    assert paths[:2] == ["src/typing_extensions.py", "*/site-packages/typing_extensions.py"]
