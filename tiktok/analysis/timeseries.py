"""Per-video time series from repeated observations, and the growth between consecutive ones.

A crawl stores one row per video per run and source; the same video seen by two sources in one
snapshot is one observation here (the higher counts kept: counts only grow). Rates are per hour
of the data's own clock (`scraped_at`, the server's time where TikTok sends it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COUNTS = {"view_count": "views", "like_count": "likes", "comment_count": "comments", "share_count": "shares"}
OBSERVATION_COLUMNS = ["id", "scraped_at", "username", "music_id", "create_time", *COUNTS, "author_follower_count"]


def observations(videos: pd.DataFrame) -> pd.DataFrame:
    """One row per video and observation time, sorted by video then time."""
    obs = videos.loc[videos["scraped_at"].notna() & videos["id"].notna(), OBSERVATION_COLUMNS]
    obs = obs.sort_values(["id", "scraped_at", "like_count", "view_count"], na_position="first", kind="stable")
    return obs.drop_duplicates(["id", "scraped_at"], keep="last").reset_index(drop=True)


def growth(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of consecutive observations of a video: the hours between them and each
    count's gain per hour (`likes_per_hour`, `views_per_hour`, ...; followers of its creator too)."""
    same = (obs["id"].to_numpy() == np.roll(obs["id"].to_numpy(), 1)) & (np.arange(len(obs)) > 0)
    start = obs["scraped_at"].shift(1)
    hours = (obs["scraped_at"] - start).dt.total_seconds() / 3600.0
    keep = same & (hours > 0).fillna(False).to_numpy()
    out = pd.DataFrame(
        {
            "id": obs["id"],
            "username": obs["username"],
            "music_id": obs["music_id"],
            "start": start,
            "end": obs["scraped_at"],
            "hours": hours,
        }
    )
    for column, name in (*COUNTS.items(), ("author_follower_count", "followers")):
        values = obs[column].astype("Float64")
        out[f"{name}_per_hour"] = (values - values.shift(1)) / hours
    return out.loc[keep].reset_index(drop=True)
