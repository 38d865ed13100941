"""Top co-occurring hashtags with their share of posts, as a newsroom's hashtag tool shows them.

Posts are unique videos: a video seen in eight hourly runs counts once."""

from __future__ import annotations

import pandas as pd

from tiktok.analysis.timeseries import about


def posts(videos: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Unique videos, those collected by `source` (e.g. hashtag:london, foryou) when given."""
    if source is not None:
        videos = videos.loc[videos["source"] == source]
    return videos.drop_duplicates("id")


def top_hashtags(videos: pd.DataFrame, top: int = 20, source: str | None = None) -> pd.DataFrame:
    """The `top` hashtags by posts carrying them: hashtag, posts, ratio (to all posts). For a
    hashtag source the hashtag itself is left out: it is on every post, and the question is what
    goes with it. `attrs['posts']` holds the number of posts, `attrs['about']` their source and dates."""
    unique = posts(videos, source)
    tags = unique[["id", "hashtag_names"]].explode("hashtag_names").dropna(subset=["hashtag_names"])
    tags["hashtag"] = tags["hashtag_names"].astype("string").str.lower()
    if source and source.startswith("hashtag:"):
        tags = tags.loc[tags["hashtag"] != source.removeprefix("hashtag:").lower()]
    counts = tags.drop_duplicates(["id", "hashtag"]).groupby("hashtag").size().rename("posts")
    table = counts.reset_index().sort_values(["posts", "hashtag"], ascending=[False, True]).head(top).reset_index(drop=True)
    table["ratio"] = table["posts"] / len(unique) if len(unique) else 0.0
    table.attrs.update(posts=len(unique), source=source, about=about(videos if source is None else videos.loc[videos["source"] == source]))
    return table
