"""Hashtag and sound totals over time, on a hand-made totals table: the readings kept, those read
once left out with a warning, and a chart whose title gives measure, source, dates and n."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tiktok.analysis.figures import totals_lines
from tiktok.analysis.totals import totals_over_time
from tiktok.analysis.virality import TooLittleData

H = "hashtag"


def frame() -> pd.DataFrame:
    rows = [
        (H, "1", "london", "2026-06-01T00:00:00Z", 50, 900_000, "hashtag:london", "r1"),
        (H, "1", "london", "2026-06-01T01:00:00Z", 52, 1_200_000, "hashtag:london", "r2"),
        (H, "2", "paris", "2026-06-01T00:00:00Z", 31, 8_000_000, "hashtag:paris", "r1"),
        (H, "2", "paris", "2026-06-01T01:00:00Z", 31, 8_100_000, "hashtag:paris", "r2"),
        (H, "3", "rome", "2026-06-01T01:00:00Z", 9, 10, "hashtag:rome", "r2"),  # read once
        ("sound", "7", "Eyes Motion", "2026-06-01T00:00:00Z", 47, None, "sound:7", "r1"),
    ]
    out = pd.DataFrame(rows, columns=["kind", "id", "name", "observed_at", "video_count", "view_count", "source", "run_id"])
    return out.assign(
        observed_at=pd.to_datetime(out["observed_at"], utc=True),
        video_count=out["video_count"].astype("Int64"),
        view_count=out["view_count"].astype("Int64"),
    )


def test_entities_read_twice_are_kept_and_the_others_named() -> None:
    with pytest.warns(TooLittleData, match=r"1 hashtag\(s\) read only once, left out \(rome\)"):
        series = totals_over_time(frame(), H)
    assert list(zip(series["name"], series["video_count"], strict=True)) == [("london", 50), ("london", 52), ("paris", 31), ("paris", 31)]
    assert series.attrs["left_out"] == ["rome"]
    with pytest.warns(TooLittleData, match="1 sound"):
        assert len(totals_over_time(frame(), "sound")) == 0  # one reading: no line, and said


def test_chart_states_measure_source_dates_and_n() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TooLittleData)
        series = totals_over_time(frame(), H)
    fig = totals_lines(series)
    title = fig.get_suptitle()
    assert title.startswith("Videos and views TikTok reports per hashtag")
    assert "source: hashtag:london, hashtag:paris" in title and "01 Jun 2026 00:00 – 01:00 UTC" in title
    assert title.endswith("n = 2 hashtags, 4 readings")
    videos, views = fig.axes
    assert videos.get_ylabel() == "videos TikTok reports" and views.get_ylabel() == "views TikTok reports"
    assert views.get_xlabel().startswith("observed (UTC)")
    for ax in (videos, views):
        assert len(ax.get_lines()) == 2 and sorted(t.get_text() for t in ax.texts) == ["#london", "#paris"]
    assert [float(y) for y in np.asarray(views.get_lines()[0].get_ydata())] == [900_000, 1_200_000]
