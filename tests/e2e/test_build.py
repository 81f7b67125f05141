"""End-to-end: the build session builds both distributions and checks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import RunNox

pytestmark = pytest.mark.e2e


def test_build_makes_an_sdist_and_a_wheel(sample: Path, run_nox: RunNox) -> None:
    result = run_nox(sample, "-s", "build")
    assert result.returncode == 0, result
    dist = sorted(p.name for p in (sample / "reports" / "dist").iterdir())
    assert dist == ["sample-0.1.0-py3-none-any.whl", "sample-0.1.0.tar.gz"]
    assert "PASSED" in result.output  # twine check, once per file


def test_build_fails_on_a_description_pypi_would_not_render(sample: Path, run_nox: RunNox) -> None:
    (sample / "README.rst").write_text("Sample\n======\n\n.. no-such-directive::\n")
    pyproject = sample / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'version = "0.1.0"', 'version = "0.1.0"\nreadme = "README.rst"'
        )
    )
    result = run_nox(sample, "-s", "build")
    assert result.returncode != 0, result
    assert 'Unknown directive type "no-such-directive"' in result.output
    assert "Command twine check" in result.output
