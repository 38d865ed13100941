"""The study's questions over hourly snapshots, one function each, each answering with a table."""

from __future__ import annotations

import pandas as pd

from tiktok.analysis.creators import latest
from tiktok.analysis.timeseries import observations


def unique_counts(videos: pd.DataFrame) -> pd.DataFrame:
    """How many unique creators, sounds and videos the data holds."""
    counts = {"creators": videos["username"].nunique(), "sounds": videos["music_id"].nunique(), "videos": videos["id"].nunique()}
    return pd.DataFrame({"what": list(counts), "unique": list(counts.values())})


def scraping_runs(videos: pd.DataFrame) -> pd.DataFrame:
    """Each run: its source, when it observed, and the videos it stored."""
    runs = videos.groupby(["run_id", "source"], dropna=False).agg(observed_at=("scraped_at", "min"), videos=("id", "nunique"))
    return runs.reset_index().sort_values(["observed_at", "source"], kind="stable").reset_index(drop=True)


def followers_by_snapshot(videos: pd.DataFrame) -> pd.DataFrame:
    """Each creator's follower count at each snapshot (the highest seen then)."""
    return videos.groupby(["scraped_at", "username"])["author_follower_count"].max().dropna().reset_index()


def most_followed_over_time(videos: pd.DataFrame) -> pd.DataFrame:
    """At each snapshot: the most followed creator seen then and their followers."""
    followers = followers_by_snapshot(videos)
    top = followers.sort_values(["scraped_at", "author_follower_count"], ascending=[True, False], kind="stable")
    return top.drop_duplicates("scraped_at").reset_index(drop=True)


def biggest_follower_increase(videos: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Creators by followers gained between their first and last snapshot."""
    followers = followers_by_snapshot(videos).sort_values("scraped_at", kind="stable")
    per = followers.groupby("username")["author_follower_count"].agg(["first", "last"])
    per["increase"] = per["last"] - per["first"]
    return per.sort_values("increase", ascending=False).head(top).reset_index()


def most_videos(videos: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Creators by unique videos in the data."""
    counts = videos.drop_duplicates("id").groupby("username").size().rename("videos")
    return counts.sort_values(ascending=False).head(top).reset_index()


def highest_likes_per_video(videos: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Creators by mean likes per video (each video at its latest observation)."""
    mean = latest(videos).groupby("username")["like_count"].mean().rename("likes_per_video")
    return mean.sort_values(ascending=False).head(top).reset_index()


def highest_likes_per_follower(videos: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Creators by mean likes per video divided by their followers (latest observation)."""
    last = latest(videos)
    per = last.groupby("username").agg(likes_per_video=("like_count", "mean"), followers=("author_follower_count", "last"))
    per["likes_per_follower"] = per["likes_per_video"] / per["followers"].astype("Float64").where(per["followers"] > 0)
    return per.sort_values("likes_per_follower", ascending=False).head(top).reset_index()


def most_prolific(videos: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Creators by the videos they have posted in all (their profile's video count, latest)."""
    last = latest(videos).dropna(subset=["author_video_count"])
    counts = last.groupby("username")["author_video_count"].last().rename("videos_posted")
    return counts.sort_values(ascending=False).head(top).reset_index()


def video_sound_pairs_over_time(videos: pd.DataFrame) -> pd.DataFrame:
    """At each snapshot: the unique (video, sound) pairs seen so far, and new at that snapshot."""
    pairs = videos.dropna(subset=["music_id"]).sort_values("scraped_at", kind="stable").drop_duplicates(["id", "music_id"])
    new = pairs.groupby("scraped_at").size().rename("new_pairs")
    table = new.reset_index()
    table["pairs_so_far"] = table["new_pairs"].cumsum()
    return table


def engagement_over_time(videos: pd.DataFrame, ids: list[str] | None = None) -> pd.DataFrame:
    """Likes, comments and shares of each video (or of `ids`) at each observation."""
    obs = observations(videos)
    if ids is not None:
        obs = obs.loc[obs["id"].isin(ids)]
    return obs[["id", "username", "scraped_at", "like_count", "comment_count", "share_count", "view_count"]].reset_index(drop=True)
