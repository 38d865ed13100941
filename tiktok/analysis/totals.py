"""Hashtag and sound totals over time (issue 16, part 3): the totals TikTok reported at each crawl
that read them (totals.jsonl, one row per entity and run), as a table; figures.totals_lines draws
one line per entity.

A line needs two points: an entity read once is left out with a TooLittleData warning, and with
none left the table is empty and no chart is drawn. Times are the data's own (`observed_at`, the
answer's time, in UTC)."""

from __future__ import annotations

import pandas as pd

from tiktok.analysis.timeseries import about
from tiktok.analysis.virality import too_little

MIN_OBSERVATIONS = 2  # a line from one point shows no change
KINDS = ("hashtag", "sound")
MEASURES = {"video_count": "videos TikTok reports", "view_count": "views TikTok reports"}
COLUMNS = ["kind", "id", "name", "observed_at", "video_count", "view_count", "source", "run_id"]


def totals_over_time(totals: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The readings of hashtags (kind "hashtag") or sounds ("sound") observed at least twice, one
    row per entity and time, sorted by name then time; `attrs['about']` gives their source and dates,
    `attrs['left_out']` the entities read only once. Warns (TooLittleData) for those left out."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: give one of {', '.join(KINDS)}")
    rows = totals.loc[(totals["kind"] == kind) & totals["observed_at"].notna(), COLUMNS]
    rows = rows.drop_duplicates(["id", "observed_at"], keep="last")  # one reading per time, whatever the run
    seen = rows.groupby("id")["observed_at"].transform("size")
    left_out = sorted(str(n) for n in rows.loc[seen < MIN_OBSERVATIONS, "name"].fillna(rows["id"]).unique())
    if left_out:
        too_little(
            f"{kind} totals over time: {len(left_out)} {kind}(s) read only once, left out ({', '.join(left_out[:5])}"
            f"{', ...' if len(left_out) > 5 else ''}); a line needs {MIN_OBSERVATIONS} readings: crawl them again later"
        )
    kept = rows.loc[seen >= MIN_OBSERVATIONS]
    out = kept.assign(name=kept["name"].fillna(kept["id"])).sort_values(["name", "id", "observed_at"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(kind=kind, left_out=left_out, about=about(out, "observed_at"))
    return out
