"""Per-video time series from repeated observations, and the growth between them.

A crawl stores one row per video per run and source; the same video seen by two sources in one
snapshot is one observation here (the higher counts kept: counts only grow). Rates are per hour
of the data's own clock (`scraped_at`, the server's time where TikTok sends it), and only over
steps at least `MIN_STEP_HOURS` long: two one-off crawls 80 s apart turn one new like into
45 likes/h (issue 16), so a shorter step is measured from an earlier snapshot instead."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

COUNTS = {"view_count": "views", "like_count": "likes", "comment_count": "comments", "share_count": "shares"}
OBSERVATION_COLUMNS = ["id", "scraped_at", "username", "music_id", "create_time", *COUNTS, "author_follower_count"]
MIN_STEP_HOURS = 0.5


class Ordered(NamedTuple):
    """Rows of a frame sorted by a key and then time, as integer arrays: no column of the frame is
    moved, and a key's strings are compared once, when they are coded."""

    rows: np.ndarray  # positions in the frame
    key: np.ndarray  # each row's key as its rank among the keys
    tick: np.ndarray  # each row's time as its rank among the times
    times: np.ndarray  # the distinct times in nanoseconds, ascending
    sorted_by: np.ndarray  # key and tick in one sortable integer, ascending


def ordered(frame: pd.DataFrame, by: str, at: str, rows: np.ndarray | None = None) -> Ordered:
    """`frame`'s rows (all, or those at `rows`, none without `by` or `at`) sorted by `by` then `at`,
    ties in frame order. One stable sort of one integer per row: sort_values would compare strings
    again and move every column with them."""
    rows = np.arange(len(frame)) if rows is None else rows
    key = pd.factorize(frame[by].array, sort=True)[0][rows]
    tick, times = pd.factorize(frame[at].to_numpy(dtype="int64")[rows], sort=True)
    sorted_by = key * len(times) + tick  # below len(frame) ** 2: fits in int64
    order = np.argsort(sorted_by, kind="stable")
    ns = pd.Timedelta(1, unit=frame[at].dt.unit).value
    return Ordered(rows[order], key[order], tick[order], times * ns, sorted_by[order])


def observed(videos: pd.DataFrame) -> Ordered:
    """The observations of `videos` (see `observations`) as positions sorted by video then time."""
    usable = np.flatnonzero((videos["scraped_at"].notna() & videos["id"].notna()).to_numpy())
    obs = ordered(videos, "id", "scraped_at", usable)
    if not len(usable):
        return obs
    last = np.append(obs.sorted_by[1:] != obs.sorted_by[:-1], True)
    alone = last & np.insert(last[:-1], 0, True)
    if alone.all():
        return obs
    # The same video twice in one snapshot: the row with the most likes, then views, is kept (a
    # missing count lowest, the later row on a tie), as a stable sort by them with keep="last".
    tied = np.flatnonzero(~alone)
    counts = [
        videos[c].array.take(obs.rows[tied]).to_numpy(dtype="int64", na_value=np.iinfo(np.int64).min) for c in ("view_count", "like_count")
    ]
    tied = tied[np.lexsort((*counts, obs.sorted_by[tied]))]
    keep = alone.copy()
    keep[tied[np.append(obs.sorted_by[tied][1:] != obs.sorted_by[tied][:-1], True)]] = True
    return Ordered(obs.rows[keep], obs.key[keep], obs.tick[keep], obs.times, obs.sorted_by[keep])


def observations(videos: pd.DataFrame) -> pd.DataFrame:
    """One row per video and observation time, sorted by video then time."""
    return videos[OBSERVATION_COLUMNS].take(observed(videos).rows).reset_index(drop=True)


def earlier(obs: Ordered, min_hours: float = MIN_STEP_HOURS) -> tuple[np.ndarray, np.ndarray]:
    """The rows of `obs` with a row of the same key at least `min_hours` before them, and the latest
    such row for each (both as positions in `obs`). Binary searches on the sorted integers: what
    merge_asof does, without sorting and moving the columns twice (bench/compaction.py)."""
    if min_hours <= 0:
        raise ValueError(f"min_hours {min_hours} must be above 0")
    latest = np.searchsorted(obs.times, obs.times - pd.Timedelta(hours=min_hours).value, side="right") - 1
    found = np.searchsorted(obs.sorted_by, obs.key * len(obs.times) + latest[obs.tick], side="right") - 1
    later = np.flatnonzero((found >= 0) & (obs.key[found] == obs.key))
    return later, found[later]


def hours_between(times: pd.Series, ends: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Hours from `times` at `starts` to `times` at `ends` (positions)."""
    values = times.array
    seconds: np.ndarray = (pd.Series(values.take(ends)) - pd.Series(values.take(starts))).dt.total_seconds().to_numpy()
    return seconds / 3600.0


def per_hour(counts: pd.Series, ends: np.ndarray, starts: np.ndarray, hours: np.ndarray) -> pd.Series:
    """A count's gain per hour from `starts` to `ends` (positions); missing where either is."""
    values = counts.array
    return (pd.Series(values.take(ends)).astype("Float64") - pd.Series(values.take(starts)).astype("Float64")) / hours


def firsts(key: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted `key`: the groups of `Ordered` rows."""
    return np.flatnonzero(np.append(True, key[1:] != key[:-1])) if len(key) else np.zeros(0, dtype=np.intp)


def last_present(values: pd.Series, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each group (`starts` of `rows`), the position in the frame of its last row with a value,
    -1 for none: groupby's `last`, on positions, so the strings are taken once per group."""
    present = np.where(values.notna().to_numpy()[rows], np.arange(len(rows)), -1)
    last = np.maximum.reduceat(present, starts) if len(starts) else present[:0]
    return np.where(last >= 0, rows[last], -1)


def group_max(values: pd.Series, starts: np.ndarray) -> pd.Series:
    """For each group (`starts` of `values`, nullable numbers), its largest value, missing when it
    has none: groupby's `max` on groups that are already runs, without hashing the keys again."""
    lowest = -np.inf if values.dtype.kind == "f" else np.iinfo(np.int64).min
    filled = values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=lowest)
    if not len(starts):
        return pd.Series(filled[:0], dtype=values.dtype)
    none = ~np.logical_or.reduceat(values.notna().to_numpy(), starts)
    return pd.Series(np.maximum.reduceat(filled, starts), dtype=values.dtype).mask(none)


def group_argmax(values: pd.Series, starts: np.ndarray) -> np.ndarray:
    """For each group, the position of its first largest value (a missing one lowest): idxmax."""
    filled = values.to_numpy(dtype="float64", na_value=-np.inf)
    if not len(starts):
        return starts
    top = np.repeat(np.maximum.reduceat(filled, starts), np.diff(np.append(starts, len(filled))))
    return np.minimum.reduceat(np.where(filled == top, np.arange(len(filled)), len(filled)), starts)


def steps(frame: pd.DataFrame, by: str, at: str, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """Each row of `frame` (none without `by` or `at`) joined to the latest earlier row of the same
    `by` at least `min_hours` before it (its columns prefixed `start_`), and the `hours` between
    them; rows without one go. Sorted by `by` then `at`."""
    obs = ordered(frame, by, at)
    later, before = earlier(obs, min_hours)
    ends, starts = obs.rows[later], obs.rows[before]
    joined = pd.concat(
        [frame.take(ends).reset_index(drop=True), frame.drop(columns=by).take(starts).add_prefix("start_").reset_index(drop=True)],
        axis=1,
    )
    joined["hours"] = hours_between(frame[at], ends, starts)
    return joined


def growth(obs: pd.DataFrame, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """One row per observation of a video that has an earlier one at least `min_hours` before: the
    hours between them and each count's gain per hour (`likes_per_hour`, `views_per_hour`, ...;
    followers of its creator too). On hourly snapshots these are consecutive pairs."""
    order = ordered(obs, "id", "scraped_at")
    later, before = earlier(order, min_hours)
    ends, starts = order.rows[later], order.rows[before]
    hours = hours_between(obs["scraped_at"], ends, starts)
    out = pd.DataFrame({c: obs[c].array.take(ends) for c in ("id", "username", "music_id")})
    out["start"], out["end"], out["hours"] = obs["scraped_at"].array.take(starts), obs["scraped_at"].array.take(ends), hours
    for column, name in (*COUNTS.items(), ("author_follower_count", "followers")):
        out[f"{name}_per_hour"] = per_hour(obs[column], ends, starts, hours)
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
