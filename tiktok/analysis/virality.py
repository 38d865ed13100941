"""Which videos, sounds and creators went viral across hourly snapshots, and whether a viral video
brings its creator followers.

Viral is relative, as in the studies this follows: a video is viral when its peak gain per hour
between two consecutive observations is above the chosen percentile of all videos' peaks; a
creator, when their peak follower gain per hour is; a sound, when the unique videos posted with it
per hour in the last `window_hours` are."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from tiktok.analysis.timeseries import growth, observations

DEFAULT_PERCENTILE = 99.0


def flag_above(frame: pd.DataFrame, column: str, percentile: float) -> pd.DataFrame:
    """Sorts by `column`, adds `viral` (above the percentile of that column) and keeps the cut."""
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile {percentile} is not between 0 and 100")
    values = frame[column].astype("Float64").dropna().to_numpy(dtype=float)
    threshold = float(np.percentile(values, percentile)) if len(values) else math.nan
    frame = frame.sort_values(column, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    frame["viral"] = (frame[column].astype("Float64") > threshold).fillna(False).astype(bool)
    frame.attrs.update(threshold=threshold, percentile=percentile, column=column)
    return frame


def viral_videos(videos: pd.DataFrame, percentile: float = DEFAULT_PERCENTILE, rate: str = "likes") -> pd.DataFrame:
    """Every video seen at least twice, ranked by its peak `rate` (likes or views) gain per hour."""
    if rate not in ("likes", "views"):
        raise ValueError(f"rate {rate!r}: give likes or views")
    obs = observations(videos)
    steps = growth(obs)
    column = f"{rate}_per_hour"
    peak_rows = steps.loc[steps[column].astype("Float64").fillna(-math.inf).groupby(steps["id"]).idxmax()]
    per_video = obs.groupby("id").agg(
        username=("username", "last"),
        music_id=("music_id", "last"),
        observations=("scraped_at", "size"),
        first_seen=("scraped_at", "min"),
        last_seen=("scraped_at", "max"),
        likes=("like_count", "max"),
        views=("view_count", "max"),
    )
    peaks = steps.groupby("id").agg(peak_likes_per_hour=("likes_per_hour", "max"), peak_views_per_hour=("views_per_hour", "max"))
    peaks["peak_at"] = peak_rows.set_index("id")["end"]
    table = per_video.join(peaks, how="inner").reset_index()
    return flag_above(table, f"peak_{column}", percentile)


def follower_series(videos: pd.DataFrame, users: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each creator's follower count at each observation: username, at, followers. From exact
    profile rows (users.jsonl) for a creator who has some, else from the author's figures on video
    rows, which the web rounds ("54.8K"): mixing the two would make rounding look like growth."""
    parts = [videos[["username", "scraped_at", "author_follower_count"]].set_axis(["username", "at", "followers"], axis=1).assign(exact=0)]
    if users is not None and len(users):
        profiles = users[["username", "scraped_at", "follower_count"]].set_axis(["username", "at", "followers"], axis=1)
        parts.append(profiles.assign(exact=users["counts_exact"].fillna(False).astype(int).to_numpy()))
    series = pd.concat(parts, ignore_index=True).dropna(subset=["username", "at", "followers"])
    series = series.loc[series["exact"] == series.groupby("username")["exact"].transform("max")]
    series = series.sort_values(["username", "at", "exact", "followers"], kind="stable")
    return series.drop_duplicates(["username", "at"], keep="last").drop(columns="exact").reset_index(drop=True)


def viral_creators(videos: pd.DataFrame, users: pd.DataFrame | None = None, percentile: float = DEFAULT_PERCENTILE) -> pd.DataFrame:
    """Creators seen at least twice, ranked by their peak follower gain per hour."""
    series = follower_series(videos, users)
    same = series["username"].eq(series["username"].shift(1))
    hours = (series["at"] - series["at"].shift(1)).dt.total_seconds() / 3600.0
    series["followers_per_hour"] = ((series["followers"].astype("Float64") - series["followers"].shift(1)) / hours).where(
        same & (hours > 0)
    )
    table = series.groupby("username").agg(
        observations=("at", "size"),
        followers_first=("followers", "first"),
        followers_last=("followers", "last"),
        first_seen=("at", "min"),
        last_seen=("at", "max"),
        peak_followers_per_hour=("followers_per_hour", "max"),
    )
    table = table.loc[table["observations"] > 1].reset_index()
    table["gained"] = table["followers_last"] - table["followers_first"]
    return flag_above(table, "peak_followers_per_hour", percentile)


def sound_usage(videos: pd.DataFrame, freq: str = "1h") -> pd.DataFrame:
    """Unique videos using each sound over time, by posting time: for each sound and period
    (`freq`, a pandas frequency), the videos posted with it then and all of them so far."""
    posts = videos.dropna(subset=["music_id", "create_time"]).drop_duplicates("id")
    counted = posts.groupby(["music_id", posts["create_time"].dt.floor(freq).rename("period")]).size().rename("new_videos")
    usage = counted.reset_index().sort_values(["music_id", "period"])
    usage["videos_so_far"] = usage.groupby("music_id")["new_videos"].cumsum()
    return usage.reset_index(drop=True)


def viral_sounds(videos: pd.DataFrame, percentile: float = DEFAULT_PERCENTILE, window_hours: float = 48.0) -> pd.DataFrame:
    """Sounds ranked by the unique videos posted with them per hour in the `window_hours` before the
    last observation (the videos collected, so a sound spreading in the feed shows)."""
    posts = videos.dropna(subset=["music_id"]).drop_duplicates("id")
    end = videos["scraped_at"].max()
    recent = posts["create_time"] > end - pd.Timedelta(hours=window_hours)
    table = posts.groupby("music_id").agg(music_title=("music_title", "last"), videos=("id", "size"))
    table["recent_videos"] = posts.loc[recent].groupby("music_id").size().reindex(table.index, fill_value=0)
    table["recent_videos_per_hour"] = table["recent_videos"] / window_hours
    table = flag_above(table.reset_index(), "recent_videos_per_hour", percentile)
    table.attrs["window"] = (end - pd.Timedelta(hours=window_hours), end)
    return table


def correlation_ci(x: pd.Series, y: pd.Series, method: str = "pearson", confidence: float = 0.95) -> dict[str, Any]:
    """Pearson's r or Spearman's rho with its confidence interval by Fisher's z (for Spearman with
    Bonett and Wright's variance 1.06/(n-3)); NaN below four pairs. By hand: the formula is three
    lines, where scipy.stats gives no interval for either."""
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method {method!r}: give pearson or spearman")
    pairs = pd.DataFrame({"x": x.astype(float), "y": y.astype(float)}).dropna()
    n = len(pairs)
    result: dict[str, Any] = {"method": method, "r": math.nan, "low": math.nan, "high": math.nan, "n": n, "confidence": confidence}
    if n < 4 or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        return result
    if method == "spearman":
        pairs = pairs.rank()
    r = float(np.corrcoef(pairs["x"], pairs["y"])[0, 1])
    variance = (1.06 if method == "spearman" else 1.0) / (n - 3)
    z, spread = math.atanh(max(min(r, 0.999999), -0.999999)), NormalDist().inv_cdf(0.5 + confidence / 2) * math.sqrt(variance)
    return result | {"r": r, "low": math.tanh(z - spread), "high": math.tanh(z + spread)}


def viral_follower_correlation(
    videos: pd.DataFrame, users: pd.DataFrame | None = None, method: str = "pearson"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per creator seen at least twice: their best video's peak likes per hour, and the followers
    they gained per hour over the same snapshots; and the correlation of the two with its 95% CI
    (Spearman's is the one to quote when one creator's burst dwarfs the rest)."""
    videos_peak = viral_videos(videos, percentile=100.0).groupby("username")["peak_likes_per_hour"].max()
    creators = viral_creators(videos, users, percentile=100.0).set_index("username")
    hours = (creators["last_seen"] - creators["first_seen"]).dt.total_seconds() / 3600.0
    table = pd.DataFrame({"best_video_likes_per_hour": videos_peak, "followers_per_hour": creators["gained"] / hours}).dropna()
    table = table.rename_axis("username").reset_index()
    return table, correlation_ci(table["best_video_likes_per_hour"], table["followers_per_hour"], method)
