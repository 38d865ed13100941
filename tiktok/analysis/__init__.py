"""Analysis of the jsonlines output with pandas, matplotlib and networkx; what the notebooks import.
Never imports Scrapy, so it runs wherever the data is."""

from tiktok.analysis import audit_charts, audit_tables, figures, network, study
from tiktok.analysis.creators import likes_comments_ratio, posting_frequency, wrapped_counts
from tiktok.analysis.hashtags import top_hashtags
from tiktok.analysis.load import load, load_file
from tiktok.analysis.search import search, video_texts
from tiktok.analysis.timeseries import OBSERVATION_COLUMNS, about, growth, observations
from tiktok.analysis.totals import totals_over_time
from tiktok.analysis.virality import (
    TooLittleData,
    correlation_ci,
    creator_growth,
    follower_series,
    sound_usage,
    video_growth,
    viral_creators,
    viral_follower_correlation,
    viral_sounds,
    viral_videos,
)

__all__ = [
    "OBSERVATION_COLUMNS",
    "TooLittleData",
    "about",
    "audit_charts",
    "audit_tables",
    "correlation_ci",
    "creator_growth",
    "figures",
    "follower_series",
    "growth",
    "likes_comments_ratio",
    "load",
    "load_file",
    "network",
    "observations",
    "posting_frequency",
    "search",
    "sound_usage",
    "study",
    "top_hashtags",
    "totals_over_time",
    "video_growth",
    "video_texts",
    "viral_creators",
    "viral_follower_correlation",
    "viral_sounds",
    "viral_videos",
    "wrapped_counts",
]
