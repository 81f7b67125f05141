"""Named suites: `[tool.ci_sessions.suites.<name>]`, each its own session, JUnit, coverage
data and summary (`unit-3.12`, `e2e`, ...)."""
