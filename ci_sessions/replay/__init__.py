"""Replaying the generated workflow here, as a runner would run it (no Docker, no GitHub):
`python -m ci_sessions workflow --replay EVENT`. See ci_sessions.replay.run."""
