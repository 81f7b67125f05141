"""Print the exact version of the Python that runs this file (a side venv's, say)."""

import platform

print(platform.python_version())
