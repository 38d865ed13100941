"""The study's questions (tiktok/analysis/study.py) as Datasette canned queries over tiktok.db.

Each query answers what the study function of the same name answers from videos.jsonl, with the
same columns and order (tests/analysis/test_browse.py compares them), so a researcher can click
through what a notebook computes. Their descriptions are the functions' docstrings, written once."""

from __future__ import annotations

import inspect
from typing import Any

from tiktok.analysis import study

TOP = 10  # the study functions' default `top`

# Each creator's follower count at each snapshot, as followers_by_snapshot; reused below.
FOLLOWERS = (
    "SELECT scraped_at, username, max(author_follower_count) AS author_follower_count FROM videos"
    " WHERE scraped_at IS NOT NULL AND username IS NOT NULL GROUP BY scraped_at, username"
    " HAVING max(author_follower_count) IS NOT NULL"
)


def newest(column: str) -> str:
    """Each creator's `column` on their most recently observed video that has one (pandas' `last`
    over each video's latest observation)."""
    return (
        f"SELECT username, {column} FROM (SELECT username, {column}, row_number() OVER (PARTITION BY username"
        f" ORDER BY scraped_at DESC) AS n FROM latest_videos WHERE {column} IS NOT NULL AND username IS NOT NULL) WHERE n = 1"
    )


SQL = {
    "unique_counts": "SELECT 'creators' AS what, count(DISTINCT username) AS \"unique\" FROM videos"
    " UNION ALL SELECT 'sounds', count(DISTINCT music_id) FROM videos UNION ALL SELECT 'videos', count(DISTINCT id) FROM videos",
    "scraping_runs": "SELECT run_id, source, min(scraped_at) AS observed_at, count(DISTINCT id) AS videos FROM videos"
    " GROUP BY run_id, source ORDER BY observed_at IS NULL, observed_at, source IS NULL, source",
    "followers_by_snapshot": f"{FOLLOWERS} ORDER BY scraped_at, username",
    "most_followed_over_time": "SELECT scraped_at, username, author_follower_count FROM (SELECT *, row_number() OVER"
    f" (PARTITION BY scraped_at ORDER BY author_follower_count DESC, username) AS n FROM ({FOLLOWERS})) WHERE n = 1 ORDER BY scraped_at",
    "biggest_follower_increase": f"WITH f AS ({FOLLOWERS}), ends AS (SELECT username, min(scraped_at) AS a, max(scraped_at) AS b"
    " FROM f GROUP BY username) SELECT e.username, s.author_follower_count AS first, l.author_follower_count AS last,"
    " l.author_follower_count - s.author_follower_count AS increase FROM ends e JOIN f s ON s.username = e.username AND"
    f" s.scraped_at = e.a JOIN f l ON l.username = e.username AND l.scraped_at = e.b ORDER BY increase DESC LIMIT {TOP}",
    "most_videos": "SELECT username, count(DISTINCT id) AS videos FROM videos WHERE username IS NOT NULL"
    f" GROUP BY username ORDER BY videos DESC LIMIT {TOP}",
    "highest_likes_per_video": "SELECT username, avg(like_count) AS likes_per_video FROM latest_videos WHERE username IS NOT NULL"
    f" GROUP BY username ORDER BY likes_per_video DESC LIMIT {TOP}",
    "highest_likes_per_follower": "WITH per AS (SELECT username, avg(like_count) AS likes_per_video FROM latest_videos"
    f" WHERE username IS NOT NULL GROUP BY username), f AS ({newest('author_follower_count')})"
    " SELECT per.username, per.likes_per_video, f.author_follower_count AS followers,"
    " CASE WHEN f.author_follower_count > 0 THEN per.likes_per_video / f.author_follower_count END AS likes_per_follower"
    f" FROM per LEFT JOIN f ON f.username = per.username ORDER BY likes_per_follower DESC LIMIT {TOP}",
    "most_prolific": f"SELECT username, author_video_count AS videos_posted FROM ({newest('author_video_count')})"
    f" ORDER BY videos_posted DESC LIMIT {TOP}",
    "video_sound_pairs_over_time": "SELECT first_seen AS scraped_at, count(*) AS new_pairs, sum(count(*)) OVER (ORDER BY first_seen)"
    " AS pairs_so_far FROM (SELECT min(scraped_at) AS first_seen FROM videos WHERE music_id IS NOT NULL GROUP BY id, music_id)"
    " WHERE first_seen IS NOT NULL GROUP BY first_seen ORDER BY first_seen",
    "engagement_over_time": "SELECT id, username, scraped_at, like_count, comment_count, share_count, view_count FROM"
    " (SELECT *, row_number() OVER (PARTITION BY id, scraped_at ORDER BY like_count DESC, view_count DESC, rowid DESC) AS n"
    " FROM (SELECT rowid, * FROM videos WHERE scraped_at IS NOT NULL AND id = :video_id)) WHERE n = 1 ORDER BY scraped_at",
}

SEARCH = (
    "SELECT r.kind, r.id, r.video_id, r.username, snippet(search, 2, '[', ']', '…', 12) AS snippet, r.cover_path, r.url,"
    " bm25(search) AS score FROM search JOIN search_results r ON r.document = search.rowid"
    " WHERE search MATCH escape_fts(:words) ORDER BY score LIMIT 100"
)


def canned_queries() -> dict[str, dict[str, Any]]:
    queries = {
        "ranked_search": {
            "title": "Search, best first",
            "description": "Videos and comments holding all the words (descriptions, hashtags, cover text, transcripts,"
            " comments), ranked by BM25 as `python -m tiktok db search` ranks them; at most 100.",
            "sql": SEARCH,
        }
    }
    for name, sql in SQL.items():
        doc = inspect.getdoc(getattr(study, name)) or ""
        title = name.replace("_", " ").capitalize()
        queries[name] = {"title": title, "description": f"{doc} As tiktok.analysis.study.{name} computes it.", "sql": sql}
    return queries
