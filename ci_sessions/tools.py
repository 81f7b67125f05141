"""The tools each session installs into its own venv, pinned to tested ranges.

One table, so that raising a pin is a one-line change reviewed in one place.
Nothing here is installed into nox's own environment.
"""

from __future__ import annotations

REQUIREMENTS: dict[str, str] = {
    "ruff": "ruff>=0.17,<0.18",
    "black": "black>=26.1,<27",
    "mypy": "mypy>=2.4,<3",
    "pytest": "pytest>=9.0,<10",
    "pytest-cov": "pytest-cov>=7.0,<8",
    "coverage": "coverage>=7.10,<8",
    "pytest-randomly": "pytest-randomly>=3.15,<6",
    "pytest-split": "pytest-split>=0.10,<0.12",
    "pytest-xdist": "pytest-xdist>=3.6,<4",
    # A hanging test fails with its name instead of running until the job's limit.
    "pytest-timeout": "pytest-timeout>=2.3,<3",
    "pytest-benchmark": "pytest-benchmark>=5.1,<6",
    # 5.x: simulation mode counts under stock valgrind when CODSPEED_ENV is set.
    "pytest-codspeed": "pytest-codspeed>=5.0,<6",
    "build": "build[uv]>=1.2,<2",
    "twine": "twine>=6,<8",
    "diff-cover": "diff-cover>=10,<12",
    "bandit": "bandit[sarif]>=1.8,<2",
    # safety 3.8 crashes offline before doing anything; 3.7 reads --db offline.
    "safety": "safety>=3.7,<3.8",
    "typer": "typer<0.26",  # safety 3.7's CLI breaks with newer typer
    # Resolves the dependency set to scan when nox itself has no uv.
    "uv": "uv>=0.8,<1",
}


def requirements(*tools: str) -> list[str]:
    """Pinned requirement strings for the named tools, in the given order."""
    return [REQUIREMENTS[tool] for tool in tools]
