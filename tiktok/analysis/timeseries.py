"""Per-video time series from repeated observations, and the growth between them.

A crawl stores one row per video per run and source; the same video seen by two sources in one
snapshot is one observation here (the higher counts kept: counts only grow). Rates are per hour
of the data's own clock (`scraped_at`, the server's time where TikTok sends it), and only over
steps at least `MIN_STEP_HOURS` long: two one-off crawls 80 s apart turn one new like into
45 likes/h (issue 16), so a shorter step is measured from an earlier snapshot instead."""

from __future__ import annotations

import numpy as np
import pandas as pd

COUNTS = {"view_count": "views", "like_count": "likes", "comment_count": "comments", "share_count": "shares"}
OBSERVATION_COLUMNS = ["id", "scraped_at", "username", "music_id", "create_time", *COUNTS, "author_follower_count"]
MIN_STEP_HOURS = 0.5


def observations(videos: pd.DataFrame) -> pd.DataFrame:
    """One row per video and observation time, sorted by video then time."""
    obs = videos.loc[videos["scraped_at"].notna() & videos["id"].notna(), OBSERVATION_COLUMNS]
    obs = obs.sort_values(["id", "scraped_at", "like_count", "view_count"], na_position="first", kind="stable")
    return obs.drop_duplicates(["id", "scraped_at"], keep="last").reset_index(drop=True)


def steps(frame: pd.DataFrame, by: str, at: str, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """Each row of `frame` joined to the latest earlier row of the same `by` at least `min_hours`
    before it (its columns prefixed `start_`), and the `hours` between them; rows without one go."""
    if min_hours <= 0:
        raise ValueError(f"min_hours {min_hours} must be above 0")
    end = frame.assign(_key=frame[at] - pd.Timedelta(hours=min_hours)).sort_values("_key", kind="stable")
    start = frame.add_prefix("start_").sort_values(f"start_{at}", kind="stable")
    start[f"start_{at}"] = start[f"start_{at}"].astype(end["_key"].dtype)
    joined = pd.merge_asof(end, start, left_on="_key", right_on=f"start_{at}", left_by=by, right_by=f"start_{by}", direction="backward")
    joined = joined.loc[joined[f"start_{at}"].notna()].drop(columns=["_key", f"start_{by}"])
    joined["hours"] = (joined[at] - joined[f"start_{at}"]).dt.total_seconds() / 3600.0
    return joined.sort_values([by, at], kind="stable").reset_index(drop=True)


def growth(obs: pd.DataFrame, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """One row per observation of a video that has an earlier one at least `min_hours` before: the
    hours between them and each count's gain per hour (`likes_per_hour`, `views_per_hour`, ...;
    followers of its creator too). On hourly snapshots these are consecutive pairs."""
    pairs = steps(obs, "id", "scraped_at", min_hours)
    out = pd.DataFrame(
        {
            "id": pairs["id"],
            "username": pairs["username"],
            "music_id": pairs["music_id"],
            "start": pairs["start_scraped_at"],
            "end": pairs["scraped_at"],
            "hours": pairs["hours"],
        }
    )
    for column, name in (*COUNTS.items(), ("author_follower_count", "followers")):
        values = pairs[column].astype("Float64")
        out[f"{name}_per_hour"] = (values - pairs[f"start_{column}"].astype("Float64")) / pairs["hours"].to_numpy(dtype=np.float64)
    return out


def span(times: pd.Series) -> str:
    """A date range in UTC as a chart states it: '03 Jun 2026 14:00 - 21:00 UTC' (an en dash)."""
    times = times.dropna()
    if not len(times):
        return "no dates"
    first, last = times.min().tz_convert("UTC"), times.max().tz_convert("UTC")
    if first.floor("min") == last.floor("min"):
        return f"{first:%d %b %Y %H:%M} UTC"
    if first.normalize() == last.normalize():
        return f"{first:%d %b %Y %H:%M} – {last:%H:%M} UTC"
    return f"{first:%d %b %Y %H:%M} – {last:%d %b %Y %H:%M} UTC"


def about(frame: pd.DataFrame, at: str = "scraped_at") -> str:
    """Where rows came from and when they were collected, for a chart's title: 'source: foryou,
    hashtag:fyp · collected 03 Jun 2026 14:00 - 21:00 UTC'."""
    sources = sorted(str(s) for s in frame["source"].dropna().unique()) if "source" in frame else []
    many = pd.Series([s.split(":", 1)[0] for s in sources if ":" in s]).value_counts()
    for prefix, n in many.loc[many > 3].items():  # 80 `user:name` sources read as one
        sources = [s for s in sources if not s.startswith(f"{prefix}:")] + [f"{prefix}:… ({n})"]
    when = f"collected {span(frame[at])}" if at in frame else "collection dates not loaded"
    return f"source: {', '.join(sources) or 'unknown'} · {when}"
