"""Creators: how constant their likes-to-comments ratio is, how often they post against how they
grow, and whose displayed counts wrapped past 2^31."""

from __future__ import annotations

import pandas as pd

from tiktok.analysis.timeseries import about
from tiktok.analysis.virality import creator_growth, follower_sources, too_little

INT32_LIMIT = 2**31
MIN_POSTS = 3  # a posting rate needs two intervals between posts
MIN_POSTING_DAYS = 1.0


def latest(videos: pd.DataFrame) -> pd.DataFrame:
    """Each video's latest observation."""
    return videos.sort_values("scraped_at", kind="stable").drop_duplicates("id", keep="last")


def likes_comments_ratio(videos: pd.DataFrame, min_videos: int = 3) -> pd.DataFrame:
    """Per creator with `min_videos` videos that have comments: the mean likes-to-comments ratio, its
    standard deviation and coefficient of variation (low: a constant ratio), most constant first."""
    last = latest(videos)
    last = last.loc[last["comment_count"].fillna(0) > 0]
    ratio = last["like_count"].astype(float) / last["comment_count"].astype(float)
    table = ratio.groupby(last["username"]).agg(["size", "mean", "std"]).rename(columns={"size": "videos"})
    table["cv"] = table["std"] / table["mean"]
    table = table.loc[table["videos"] >= min_videos].sort_values("cv")
    return table.rename(columns={"mean": "likes_per_comment", "std": "sd"}).reset_index()


def posting_frequency(videos: pd.DataFrame, users: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per creator with `MIN_POSTS` videos posted over `MIN_POSTING_DAYS` or more: unique videos
    collected, videos posted per week (intervals between posts over their span: a floor of one
    week made every creator with a few recent videos line up at the same rate), mean likes per
    video, and followers gained per hour over the snapshots. `attrs['left_out']` counts the rest."""
    last = latest(videos)
    per = last.groupby("username").agg(
        videos=("id", "size"),
        first_post=("create_time", "min"),
        last_post=("create_time", "max"),
        likes_per_video=("like_count", "mean"),
    )
    days = (per["last_post"] - per["first_post"]).dt.total_seconds() / 86400
    enough = (per["videos"] >= MIN_POSTS) & (days >= MIN_POSTING_DAYS)
    if not enough.all():
        left = f"{int((~enough).sum())} of {len(per)} creators"
        too_little(f"posting frequency: {left} have fewer than {MIN_POSTS} videos or posted them within {MIN_POSTING_DAYS:g} day; left out")
    per = per.loc[enough].copy()
    per["videos_per_week"] = (per["videos"] - 1) / (days[enough] / 7)
    growth = creator_growth(videos, users).set_index("username")
    hours = (growth["last_seen"] - growth["first_seen"]).dt.total_seconds() / 3600.0
    per["followers_per_hour"] = (growth["gained"] / hours).reindex(per.index)
    table = per.reset_index().sort_values("videos_per_week", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(left_out=int((~enough).sum()), about=about(follower_sources(videos, users)))
    return table


def wrapped_counts(videos: pd.DataFrame, users: pd.DataFrame | None = None) -> pd.DataFrame:
    """Creators whose total likes pass 2^31, where the web's int32 `heart` field wraps: username,
    the likes, and whether the parser corrected a wrapped value (counts_corrected)."""
    parts = [videos[["username", "author_likes_count", "counts_corrected"]].set_axis(["username", "likes", "corrected"], axis=1)]
    if users is not None and len(users):
        parts.append(users[["username", "likes_count", "counts_corrected"]].set_axis(["username", "likes", "corrected"], axis=1))
    rows = pd.concat(parts, ignore_index=True)
    corrected = rows["corrected"].map(lambda c: c is not None and len(c) > 0 and any("likes" in str(f) for f in c))
    rows = rows.assign(corrected=corrected.astype(bool))
    big = rows.loc[(rows["likes"].astype("Float64") >= INT32_LIMIT).fillna(False) | rows["corrected"]]
    table = big.groupby("username").agg(likes=("likes", "max"), corrected=("corrected", "any")).reset_index()
    table["times_past_2_31"] = (table["likes"].astype(float) / INT32_LIMIT).round(2)
    return table.sort_values("likes", ascending=False).reset_index(drop=True)
