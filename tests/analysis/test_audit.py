"""The audit's interest share, its periods and time to narrowing (tiktok/analysis/audit.py), on
small hand-made feeds whose answers are known exactly."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from tiktok.analysis.audit import MIN_N, interest_share, narrowing, wilson
from tiktok.personas import Persona
from tiktok.personas.model import Interests

START = pd.Timestamp("2026-06-01T00:00:00Z")


def feed(persona: str, tags: list[list[str]], minutes: int = 1, run: str = "run-1", **extra: Any) -> pd.DataFrame:
    """One persona's feed as a crawl stores it: one row per video in the order shown, a video every
    `minutes` minutes from START."""
    n = len(tags)
    return pd.DataFrame({
        "id": [f"{persona}-{run}-{i}" for i in range(n)], "persona": persona, "phase": "training", "run_id": run,
        "feed_position": pd.array(range(1, n + 1), dtype="Int64"), "hashtag_names": tags,
        "scraped_at": [START + pd.Timedelta(minutes=minutes * i) for i in range(n)],
        "username": extra.get("usernames", [f"user{i}" for i in range(n)]), "music_id": extra.get("sounds", [str(i) for i in range(n)]),
    })  # fmt: skip


CATS = Persona(name="cats", file="cats.yaml", interests=Interests(hashtags={"cats": 1.0}))


def test_wilson_gives_the_published_intervals() -> None:
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)  # z^2 / (n + z^2): never a zero-width interval
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_the_share_per_window_counts_the_matching_videos_against_the_control() -> None:
    # cats: 2 of the first 10 match, then 8 of 10; the control: 1 of 10 in each window.
    mine = feed("cats", [["cats"] if i in (0, 5) else ["x"] for i in range(10)] + [["cats", "y"] if i < 8 else [] for i in range(10)])
    control = feed("control", [["CATS"] if i in (3, 13) else ["dogs"] for i in range(20)])
    table = interest_share(pd.concat([mine, control]), CATS, window=10)
    assert table[["persona", "first", "last", "n", "matching"]].values.tolist() == [
        ["cats", 1, 10, 10, 2], ["cats", 11, 20, 10, 8], ["control", 1, 10, 10, 1], ["control", 11, 20, 10, 1],
    ]  # fmt: skip
    assert table["share"].tolist() == [0.2, 0.8, 0.1, 0.1]
    assert table[["low", "high"]].iloc[1].tolist() == pytest.approx(wilson(8, 10))
    assert (table["interests"] == "cats").all() and (table["note"] == "").all()


def test_a_period_below_the_minimum_says_so() -> None:
    table = interest_share(feed("cats", [["cats"]] * (MIN_N + 3)), CATS, window=MIN_N)
    assert table["n"].tolist() == [MIN_N, 3]
    assert table["note"].tolist() == ["", f"too few videos (n = 3 < {MIN_N})"]


def test_by_hour_groups_the_videos_by_their_utc_hour() -> None:
    # A video every 25 minutes: 00:00, 00:25, 00:50 | 01:15, 01:40 | 02:05 ...
    table = interest_share(feed("cats", [["cats"], [], [], ["cats"], ["cats"], []], minutes=25), CATS, by="hour")
    assert table["period"].tolist() == [START, START + pd.Timedelta(hours=1), START + pd.Timedelta(hours=2)]
    assert table[["n", "matching"]].values.tolist() == [[3, 1], [2, 2], [1, 0]]


def test_exposures_run_after_run_in_the_order_they_started() -> None:
    first = feed("cats", [[]] * 10, run="run-a")
    later = feed("cats", [["cats"]] * 10, run="run-b").assign(scraped_at=lambda f: f["scraped_at"] + pd.Timedelta(hours=1))
    table = interest_share(pd.concat([later, first]), CATS, window=10)  # stored out of order
    assert table["matching"].tolist() == [0, 10]


def test_narrowing_is_the_first_window_above_the_threshold_and_the_first_whose_interval_is() -> None:
    shares: list[list[str]] = [[]] * 10 + [["cats"]] * 6 + [[]] * 4 + [["cats"]] * 8 + [[]] * 2 + [["cats"]] * 10
    table = narrowing(interest_share(feed("cats", shares), CATS, window=10), threshold=0.5)
    row = table.iloc[0]
    assert (row["persona"], row["videos"], row["window"], row["share"]) == ("cats", 20, "11-20", 0.6)
    assert (row["sure_videos"], row["sure_window"]) == (40, "31-40")  # 8/10 has its low end at 0.49, 10/10 at 0.72
    assert row["shown"] == 40 and row["note"] == ""


def test_a_feed_that_never_narrows_says_so() -> None:
    table = narrowing(interest_share(feed("control", [[]] * 30), CATS, window=10), threshold=0.5)
    assert math.isnan(table["videos"].iloc[0]) and table["note"].iloc[0] == "not above 50% in 30 videos"


def test_narrowing_keeps_the_controls_feed_apart_for_each_persona_s_interests() -> None:
    dogs = Persona(name="dogs", file="dogs.yaml", interests=Interests(hashtags={"dogs": 1.0}))
    control = feed("control", [["dogs"]] * 10 + [["cats"]] * 10)  # above 50 % for dogs first, for cats later
    table = narrowing(pd.concat([interest_share(control, p, window=10) for p in (CATS, dogs)]), threshold=0.5)
    assert table[["interests", "persona", "videos"]].values.tolist() == [["cats", "control", 20], ["dogs", "control", 10]]
