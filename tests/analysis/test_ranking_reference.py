"""The viral video ranking (sorted integer positions, tiktok/analysis/timeseries.py) against known
answers on a hand-made frame, and against a plain loop over each video's observations on a random one."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tiktok.analysis as ta

T0 = pd.Timestamp("2026-06-01T10:00:00Z")


def frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Rows of (id, minutes after T0, likes, views, username) typed as the loader types them."""
    ids, minutes, likes, views, users = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "id": pd.array(ids, dtype="string"),
            "scraped_at": pd.Series([T0 + pd.Timedelta(minutes=m) for m in minutes]).dt.as_unit("us"),
            "username": pd.array(users, dtype="string"),
            "music_id": pd.array(["m"] * len(rows), dtype="string"),
            "create_time": pd.Series([T0 - pd.Timedelta(days=1)] * len(rows)).dt.as_unit("us"),
            "view_count": pd.array(views, dtype="Int64"),
            "like_count": pd.array(likes, dtype="Int64"),
            "comment_count": pd.array([1] * len(rows), dtype="Int64"),
            "share_count": pd.array([1] * len(rows), dtype="Int64"),
            "author_follower_count": pd.array([100] * len(rows), dtype="Int64"),
            "source": "foryou",
        }
    )


def test_known_peaks_steps_and_ties() -> None:
    rows = [
        ("b", 0, 10, 100, "bo"),
        ("b", 45, 25, 250, "bo"),  # 15 likes in 0.75 h from 0
        ("b", 60, 40, 400, "bo"),  # 15 min after 45, too short a step: 30 likes in the hour from 0
        ("b", 120, 240, 2400, None),  # 200 in the hour from 60; the creator missing here, "bo" kept
        ("a", 0, 5, 50, "al"),
        ("a", 90, 5, 50, "al"),
        ("a", 90, 305, 3050, "al"),  # the same snapshot twice: the row with more likes is the observation
        ("a", 150, None, None, "al"),  # likes missing: no rate, still an observation
        ("c", 0, 7, 70, "cy"),  # seen once: not ranked
    ]
    with pytest.warns(ta.TooLittleData, match="a median video needs 10 that did"):
        ranking = ta.viral_videos(frame(rows))
    table = ranking.set_index("id")
    assert list(ranking["id"]) == ["a", "b"] and list(ranking["rank"]) == [1, 2]  # a tie keeps the ids' order
    assert table.loc["b", "peak_likes_per_hour"] == 200.0 and table.loc["a", "peak_likes_per_hour"] == 200.0  # 300 in 1.5 h
    assert table.loc["b", "peak_at"] == T0 + pd.Timedelta(minutes=120) and table.loc["a", "peak_at"] == T0 + pd.Timedelta(minutes=90)
    assert table.loc["a", "observations"] == 3 and table.loc["b", "observations"] == 4
    assert table.loc["b", "username"] == "bo" and table.loc["a", "likes"] == 305 and table.loc["b", "views"] == 2400
    steps = ta.growth(ta.observations(frame(rows)))
    assert list(zip(steps["id"], steps["hours"], steps["likes_per_hour"].astype(object), strict=True)) == [
        ("a", 1.5, 200.0),
        ("a", 1.0, pd.NA),
        ("b", 0.75, 20.0),
        ("b", 1.0, 30.0),
        ("b", 1.0, 200.0),
    ]


def reference(videos: pd.DataFrame, min_hours: float) -> dict[str, tuple[float, pd.Timestamp, int]]:
    """Each video's peak likes per hour, when it ended, and its observations, by a plain loop."""
    out = {}
    for vid, rows in videos.dropna(subset=["id", "scraped_at"]).groupby("id"):
        best: dict[pd.Timestamp, tuple[float, float]] = {}
        for at, likes, views in zip(rows["scraped_at"], rows["like_count"], rows["view_count"], strict=True):
            key = (-math.inf if pd.isna(likes) else likes, -math.inf if pd.isna(views) else views)
            if at not in best or key >= best[at]:
                best[at] = key
        seen = sorted(best.items())
        peak, peak_at = -math.inf, None
        for i, (end, (likes, _)) in enumerate(seen):
            before = [(t, c) for t, c in seen[:i] if (end - t) >= pd.Timedelta(hours=min_hours)]
            if before:
                start, (start_likes, _) = before[-1]
                rate = (likes - start_likes) / ((end - start).total_seconds() / 3600) if math.isfinite(likes + start_likes) else -math.inf
                if peak_at is None or rate > peak:
                    peak, peak_at = rate, end
        if peak_at is not None:
            out[str(vid)] = (peak, peak_at, len(seen))
    return out


@pytest.mark.parametrize("min_hours", [0.5, 2.0])
def test_the_ranking_equals_a_plain_loop(min_hours: float) -> None:
    rng = np.random.default_rng(15)
    n = 600
    likes = [None if r < 0.05 else int(x) for r, x in zip(rng.random(n), rng.integers(0, 10_000, n), strict=True)]
    rows = list(
        zip(rng.choice([f"v{i}" for i in range(40)], n), rng.integers(0, 20, n) * 20, likes, rng.integers(0, 9, n), ["u"] * n, strict=True)
    )
    videos = frame(rows)
    ranking = ta.viral_videos(videos, min_hours=min_hours)
    expected = reference(videos, min_hours)
    assert set(ranking["id"]) == set(expected)
    for row in ranking.itertuples():
        peak, peak_at, observations = expected[row.id]
        assert (pd.isna(row.peak_likes_per_hour) and peak == -math.inf) or row.peak_likes_per_hour == peak
        assert row.peak_at == peak_at and row.observations == observations
    peaks = ranking["peak_likes_per_hour"].dropna()
    assert list(peaks) == sorted(peaks, reverse=True) and ranking["rank"].tolist() == list(range(1, len(ranking) + 1))
    threshold = 1000 * np.median([p for p, _, _ in expected.values() if p > 0])  # the median video of those that grew
    assert set(ranking.loc[ranking["viral"], "id"]) == {v for v, (p, _, _) in expected.items() if p >= threshold}
