from __future__ import annotations

import pytest

from ci_sessions.families.tests.shards import Shard, missing, parse, take_shard


def test_take_shard_leaves_the_rest_for_pytest() -> None:
    assert take_shard(["-k", "slow", "--shard", "2/4"]) == (Shard(2, 4), ["-k", "slow"])
    assert take_shard(["--shard=1/3", "-x"]) == (Shard(1, 3), ["-x"])
    assert take_shard(["-x"]) == (None, ["-x"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [("0/2", "K must be from 1 to N"), ("3/2", "K must be from 1 to N"), ("two", "takes K/N")],
)
def test_bad_shards(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(spec)
    with pytest.raises(ValueError, match="needs a value"):
        take_shard(["--shard"])


def test_pytest_split_options() -> None:
    assert Shard(2, 4).pytest_args(".d") == ["--splits=4", "--group=2", "--durations-path=.d"]


def test_missing_shards() -> None:
    names = [".coverage.py3.12.shard1", ".coverage.py3.13.shard1", ".coverage.py3.13.shard2"]
    assert missing(["3.12", "3.13"], 2, names) == ["3.12 shard 2/2"]
    assert missing(["3.12"], 1, []) == []
    assert missing(["3.12"], 2, [".coverage.py3.12"]) == []  # run whole, locally
