"""Write a file, making its folder: `python write_file.py PATH TEXT`.

Run with a session venv's python inside nox's install step, so that nox's
--no-install skips it exactly when it skips the install it records.
"""

import sys
from pathlib import Path

target = Path(sys.argv[1])
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(sys.argv[2], encoding="utf-8")
