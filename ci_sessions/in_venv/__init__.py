"""Code that runs inside a session's venv, kept as real files (never `python -c` strings).

These modules import nothing from ci_sessions: the venvs they run in do not
have it installed. A session copies a file beside its run or runs it by path.
"""
