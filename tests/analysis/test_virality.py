"""The viral rules on small hand-made frames: a video's peak of likes per hour at 1,000 times the
median video's or more, whatever share of the videos burst; a sound's rise by the exact test on its
own videos, and said, not judged, when it has too few for the test."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import tiktok.analysis as ta
from tiktok.analysis.virality import MIN_VIDEOS, VIDEO_FACTOR

T0 = pd.Timestamp("2026-06-01T10:00:00Z")


def hourly(rates: list[float]) -> pd.DataFrame:
    """One video per rate, seen at T0 and an hour later, `rate` likes apart; typed as the loader types them."""
    n = len(rates)
    ids = [f"v{i}" for i in range(n)] * 2
    return pd.DataFrame(
        {
            "id": pd.array(ids, dtype="string"),
            "scraped_at": pd.Series([T0] * n + [T0 + pd.Timedelta(hours=1)] * n).dt.as_unit("us"),
            "username": pd.array([f"u{i}" for i in range(n)] * 2, dtype="string"),
            "music_id": pd.array(["m"] * 2 * n, dtype="string"),
            "create_time": pd.Series([T0 - pd.Timedelta(days=1)] * 2 * n).dt.as_unit("us"),
            "view_count": pd.array([10_000] * n + [10_000 + round(10 * r) for r in rates], dtype="Int64"),
            "like_count": pd.array([1_000] * n + [1_000 + round(r) for r in rates], dtype="Int64"),
            "comment_count": pd.array([1] * 2 * n, dtype="Int64"),
            "share_count": pd.array([1] * 2 * n, dtype="Int64"),
            "author_follower_count": pd.array([100] * 2 * n, dtype="Int64"),
            "source": "foryou",
        }
    )


def ordinary(n: int, seed: int) -> list[float]:
    """Likes per hour of `n` ordinary videos: log-normal around 100/h, a factor of about 2 either way."""
    return list(np.round(np.exp(np.random.default_rng(seed).normal(math.log(100), math.log(2), n))))


def flagged(ranking: pd.DataFrame) -> set[str]:
    return set(ranking.loc[ranking["viral"], "id"])


BURST = 100 * 5000.0  # likes per hour: 5,000 times the ordinary videos' median


def test_flags_every_burst_even_when_a_tenth_of_the_videos_burst() -> None:
    rates = ordinary(180, seed=1) + [BURST] * 20  # 20 of 200: a 99th percentile would flag 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", ta.TooLittleData)
        ranking = ta.viral_videos(hourly(rates))
    assert flagged(ranking) == {f"v{i}" for i in range(180, 200)}
    assert list(ranking["rank"]) == list(range(1, 201)) and ranking["viral"].head(20).all()
    assert ranking.attrs["median"] == np.median(rates) and ranking.attrs["threshold"] == VIDEO_FACTOR * np.median(rates)
    assert ranking.attrs["factor"] == VIDEO_FACTOR == 1000


def test_flags_a_single_burst_and_a_peak_exactly_at_the_threshold() -> None:
    assert flagged(ta.viral_videos(hourly([*ordinary(99, seed=2), BURST]))) == {"v99"}
    assert flagged(ta.viral_videos(hourly([100.0] * 9 + [100_000.0]))) == {"v9"}  # exactly 1,000 x the median: "or more"


def test_flags_none_when_every_video_grows_the_ordinary_way() -> None:
    ranking = ta.viral_videos(hourly(ordinary(300, seed=3)))
    assert not ranking["viral"].any() and math.isfinite(ranking.attrs["threshold"])
    assert ranking.attrs["threshold"] > 100 * ranking["peak_likes_per_hour"].max()  # ordinary growth is far below it


def test_refuses_below_the_minimum_of_videos_that_grew() -> None:
    rates = [*ordinary(MIN_VIDEOS - 2, seed=4), BURST, 0.0, 0.0, 0.0]  # nine that grew, one a burst; three that did not
    message = f"{MIN_VIDEOS - 1} of the {MIN_VIDEOS + 2} videos observed twice grew: a median video needs {MIN_VIDEOS} that did"
    with pytest.warns(ta.TooLittleData, match=message):
        ranking = ta.viral_videos(hourly(rates))
    assert len(ranking) == MIN_VIDEOS + 2 and not ranking["viral"].any()
    assert ranking.attrs["threshold"] == math.inf and ranking["peak_likes_per_hour"].notna().all()  # no NaN: a stated refusal


def test_a_video_that_lost_likes_or_gained_none_is_never_viral_nor_in_the_median() -> None:
    ranking = ta.viral_videos(hourly([*ordinary(50, seed=5), 0.0, -40.0]))
    assert ranking.attrs["median"] == np.median(ordinary(50, seed=5))
    assert not ranking.set_index("id").loc[["v50", "v51"], "viral"].any()


def test_the_factor_must_be_above_1() -> None:
    with pytest.raises(ValueError, match=r"factor 0\.5 is not a number above 1"):
        ta.viral_videos(hourly(ordinary(20, seed=6)), factor=0.5)


def posts(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Per sound (baseline videos posted 3 to 10 days before T0, recent ones in the 48 h before):
    one observation of each video at T0, typed as the loader types them."""
    rows = []
    for sound, (baseline, recent) in counts.items():
        for k, (n, first, last) in enumerate(((baseline, 240, 72), (recent, 47, 1))):
            rows += [(f"{sound}-{k}-{i}", sound, T0 - pd.Timedelta(hours=first + (last - first) * i / max(n, 1))) for i in range(n)]
    ids, sounds, posted = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "id": pd.array(ids, dtype="string"),
            "music_id": pd.array(sounds, dtype="string"),
            "music_title": pd.array(sounds, dtype="string"),
            "create_time": pd.Series(posted).dt.as_unit("us"),
            "scraped_at": pd.Series([T0] * len(rows)).dt.as_unit("us"),
            "source": "hashtag:fyp",
        }
    )


def test_a_sound_is_viral_by_the_exact_test_on_its_own_videos() -> None:
    frame = posts({"popular": (300, 75), "rising": (1, 8), "steady": (40, 10), **{f"filler{i}": (8, 2) for i in range(20)}})
    table = ta.viral_sounds(frame).set_index("music_id")
    share = (75 + 8 + 10 + 40) / (300 + 1 + 40 + 160 + 75 + 8 + 10 + 40)  # of the collected posts, those in the last 48 h
    chance = sum(math.comb(9, k) * share**k * (1 - share) ** (9 - k) for k in range(8, 10))  # 8 or more of its 9 recent
    assert table.loc["rising", "p_value"] == pytest.approx(chance) and table.loc["rising", "expected_recent"] == pytest.approx(9 * share)
    assert list(table.index[table["viral"]]) == ["rising"]  # the popular sound keeps its share: popular is not viral
    assert table.attrs["recent_share"] == pytest.approx(share) and table["testable"].all()


def test_the_sounds_judged_are_held_to_a_false_discovery_rate() -> None:
    """The same rise is viral among a few sounds and chance among many: Benjamini-Hochberg's q is
    its p times the sounds judged over its rank, so it is flagged while q < 0.05."""
    few = ta.viral_sounds(posts({"rising": (2, 4), **{f"filler{i}": (9, 1) for i in range(10)}})).set_index("music_id")
    share = few.attrs["recent_share"]
    p = few.loc["rising", "p_value"]
    assert p == pytest.approx(sum(math.comb(6, k) * share**k * (1 - share) ** (6 - k) for k in range(4, 7)))
    assert few.attrs["judged"] == 11 and few.loc["rising", "q_value"] == pytest.approx(p * 11) and few.loc["rising", "viral"]
    many = ta.viral_sounds(posts({"rising": (2, 4), **{f"filler{i}": (9, 1) for i in range(400)}})).set_index("music_id")
    q = many.loc["rising", "p_value"] * many.attrs["judged"]
    assert many.attrs["judged"] == 401 and many.loc["rising", "q_value"] == pytest.approx(q) and q > 0.05
    assert not many["viral"].any() and (many["q_value"] >= many["p_value"]).all()


def test_a_sound_with_too_few_videos_for_the_test_is_said_not_judged() -> None:
    frame = posts({"newcomer": (0, 3), "common": (100, 20), "other": (50, 10)})  # 33 of the 183 posts are recent
    share = 33 / 183
    assert share**4 > 0.001 > share**5  # all 4 recent could not reach p < 0.001, all 5 could: the test needs 5
    message = "1 sounds with 3 or more new videos have fewer than 5 in all: with 18% of the collected posts in the last 48 h"
    with pytest.warns(ta.TooLittleData, match=message):
        table = ta.viral_sounds(frame).set_index("music_id")
    assert table.attrs["min_videos"] == 5 and table.loc["newcomer", "p_value"] == pytest.approx(share**3)
    assert not table.loc["newcomer", "testable"] and not table.loc["newcomer", "viral"]
    assert table.loc["common", "testable"] and not table["viral"].any()
