"""The overlap of personas' feeds (tiktok/analysis/overlap.py): the Jaccard index of known sets, per
hour, with a seeded bootstrap interval (Wilson's where a resample cannot vary)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tests.analysis.test_audit import feed
from tiktok.analysis.audit import MIN_N, wilson
from tiktok.analysis.overlap import jaccard, jaccard_interval, overlap_by_hour


def test_jaccard_of_known_sets() -> None:
    assert jaccard({"a", "b", "c"}, {"b", "c", "d"}) == 0.5
    assert jaccard({"a"}, {"b"}) == 0.0
    assert jaccard({"a", "b"}, {"a", "b"}) == 1.0
    assert math.isnan(jaccard(set(), set()))


def test_the_interval_is_a_seeded_bootstrap_that_holds_the_index() -> None:
    a, b = {str(i) for i in range(0, 30)}, {str(i) for i in range(20, 50)}  # 10 shared of 50
    low, high, how = jaccard_interval(a, b, np.random.default_rng(17))
    assert 0.05 < low < 0.2 < high < 0.35
    assert jaccard_interval(a, b, np.random.default_rng(17)) == (low, high, how) and how.startswith("percentile bootstrap")
    low, high, how = jaccard_interval({"a", "b"}, {"c"}, np.random.default_rng(17))
    assert (low, high) == wilson(0, 3) and how.startswith("Wilson")


def shown(persona: str, ids: list[int], hour: int) -> pd.DataFrame:
    videos = feed(persona, [[]] * len(ids), minutes=0, run=f"run-{hour}").assign(id=[str(i) for i in ids])
    return videos.assign(scraped_at=videos["scraped_at"] + pd.Timedelta(hours=hour))


def test_overlap_by_hour_per_pair_of_personas() -> None:
    videos = pd.concat([
        shown("cats", list(range(0, 12)), 0), shown("control", list(range(6, 18)), 0),  # 6 shared of 18
        shown("cats", list(range(100, 112)), 1), shown("control", list(range(200, 212)), 1), shown("dogs", [100, 201, 300], 1),
    ])  # fmt: skip
    table = overlap_by_hour(videos)
    assert table[["persona_a", "persona_b", "n_a", "n_b", "shared", "union"]].values.tolist() == [
        ["cats", "control", 12, 12, 6, 18], ["cats", "control", 12, 12, 0, 24], ["cats", "dogs", 12, 3, 1, 14],
        ["control", "dogs", 12, 3, 1, 14],
    ]  # fmt: skip
    assert table["jaccard"].tolist() == [6 / 18, 0.0, 1 / 14, 1 / 14]
    assert table["hour"].dt.hour.tolist() == [0, 1, 1, 1]
    assert table["note"].tolist() == ["", "", f"too few videos (n = 3 < {MIN_N})", f"too few videos (n = 3 < {MIN_N})"]
    assert table["interval"].iloc[1].startswith("Wilson") and "seed 17" in table["interval"].iloc[0]
