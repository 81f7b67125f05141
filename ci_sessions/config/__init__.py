"""``[tool.ci_sessions]`` -> a frozen, resolved Config; one ConfigError naming the key."""

from __future__ import annotations

from ci_sessions.config.loader import (
    DB_ENV,
    DEFAULT_PYTHONS,
    SCHEMA,
    SECTIONS,
    TABLE,
    BenchmarkConfig,
    Config,
    ConfigError,
    CoverageConfig,
    FlakyConfig,
    IntegrationConfig,
    SecurityConfig,
    Waiver,
    WorkflowConfig,
    load_config,
    read_pyproject,
    source_dir,
)

__all__ = [
    "DB_ENV",
    "DEFAULT_PYTHONS",
    "SCHEMA",
    "SECTIONS",
    "TABLE",
    "BenchmarkConfig",
    "Config",
    "ConfigError",
    "CoverageConfig",
    "FlakyConfig",
    "IntegrationConfig",
    "SecurityConfig",
    "Waiver",
    "WorkflowConfig",
    "load_config",
    "read_pyproject",
    "source_dir",
]
