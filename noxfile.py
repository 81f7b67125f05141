# /// script
# dependencies = ["nox>=2026.10.20"]
# ///
"""This repository's CI: the same thin noxfile users write, fed by the working tree."""

import sys
from pathlib import Path

# ci-sessions is not published yet: dogfood the working tree itself.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nox

import ci_sessions

nox.needs_version = ">=2026.10.20"
ci_sessions.register()

if __name__ == "__main__":
    nox.main()
