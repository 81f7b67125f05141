"""Splitting a tests run into shards: which one a run is, which files it writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SHARD_OPTION = "--shard"
_SPEC = re.compile(r"^(?P<index>\d+)/(?P<count>\d+)$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @property
    def suffix(self) -> str:
        return f"shard{self.index}"

    def pytest_args(self, durations: str) -> list[str]:
        """pytest-split's options for this shard."""
        return [f"--splits={self.count}", f"--group={self.index}", f"--durations-path={durations}"]


def parse(spec: str) -> Shard:
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"--shard takes K/N, such as 2/4, not {spec!r}")
    shard = Shard(int(match["index"]), int(match["count"]))
    if not 1 <= shard.index <= shard.count:
        raise ValueError(f"--shard {spec}: K must be from 1 to N")
    return shard


def take_shard(posargs: Sequence[str]) -> tuple[Shard | None, list[str]]:
    """Split `--shard K/N` (or `--shard=K/N`) off the posargs meant for pytest."""
    rest: list[str] = []
    shard = None
    items = list(posargs)
    while items:
        item = items.pop(0)
        if item == SHARD_OPTION:
            if not items:
                raise ValueError("--shard needs a value such as 2/4")
            shard = parse(items.pop(0))
        elif item.startswith(SHARD_OPTION + "="):
            shard = parse(item.split("=", 1)[1])
        else:
            rest.append(item)
    return shard, rest


def missing(pythons: Sequence[str], count: int, file_names: Sequence[str]) -> list[str]:
    """Shards of the matrix without a data file, as "3.12 shard 2/4".

    A Python run whole (no --shard, as locally) needs no shards.
    """
    if count <= 1:
        return []
    present = set(file_names)
    return [
        f"{python} shard {index}/{count}"
        for python in pythons
        if f".coverage.py{python}" not in present
        for index in range(1, count + 1)
        if f".coverage.py{python}.shard{index}" not in present
    ]
