"""Which videos, sounds and creators went viral across hourly snapshots, and whether a viral video
brings its creator followers.

- A video is viral when its peak likes gained per hour (over steps of at least `MIN_STEP_HOURS`)
  is at least `VIDEO_FACTOR` times the median video's peak, of the videos that grew: a burst
  is orders of magnitude above ordinary growth, which spans a few around the median (a video
  slows as it ages). Relative to the sample, as in the studies this follows, but with no share
  fixed: a cut at a percentile flags 1% of the videos whether 0.1% or 5% are bursting. Not a
  cut from the spread (a modified z-score of the log rate above 3.5, Iglewicz and Hoaglin's
  outlier rule): the slowest videos gain 1, 2 or 3 likes a step, so whole likes set that
  spread, and it moved between two crawls of one world enough to flag an ordinary video. Needs
  `MIN_VIDEOS` videos that grew (a video that gained nothing is not viral, nor in the median).
- A creator is viral when they gain followers, per hour and per 1,000 they have, at least
  `CREATOR_FACTOR` times as fast as the median creator: a big account's steady growth is not a
  burst, and a percentile of the 80 creators a study follows would always name exactly one.
- A sound is viral when its adoption accelerates against its own past, not when it is popular:
  more of its videos were posted in the last `window_hours` than its share of all the posts
  collected predicts, by the exact conditional test for two Poisson rates (Przyborowski and
  Wilenski 1940: of a sound's n videos, each is recent with the chance that any collected post
  is if its share did not change: a binomial tail), and at least `MIN_NEW_VIDEOS` of them. The
  p-values of the sounds judged are held to a false discovery rate of `SOUND_FDR` (Benjamini and
  Hochberg 1995): a study screens dozens of sounds in a small sample and thousands in a large
  one, and a fixed p cut either misses a real rise in the first (the small world's spreading
  sound sat at p = 0.0009 against a cut of 0.001, and crossed it in one crawl of three) or
  names chance rises in the second. Shares, not counts, so a crawl that collects more recent videos does
  not make every sound rise; conditional on the sound's own n, so a rare sound needs no guessed
  prior (a Poisson test against a prior of half a video flagged rare sounds with 3 new videos by
  chance). A sound with so few videos that even all of them recent would not reach
  `SOUND_EVIDENCE` is not judged (Tarone 1990: it could never be significant, so it does not
  count among the tests either): it is said, not called "not viral".

Below a measure's minimum the function warns (`TooLittleData`) and flags nothing, or returns an
empty frame: it never ranks on noise or prints NaN."""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from tiktok.analysis.timeseries import (
    MIN_STEP_HOURS,
    about,
    earlier,
    firsts,
    group_argmax,
    group_max,
    hours_between,
    last_present,
    observed,
    per_hour,
    steps,
)

VIDEO_FACTOR = 1000.0  # three orders of magnitude above the median video's peak growth
MIN_VIDEOS = 10  # that grew, for a median video to compare with
CREATOR_FACTOR = 10.0
MIN_CREATORS = 10  # for a median creator to compare with
AUDIENCE_FLOOR = 1000  # a creator below 1,000 followers counts as 1,000: one new follower of 100 is no burst
SOUND_WINDOW_HOURS = 48.0
MIN_NEW_VIDEOS = 3
SOUND_EVIDENCE = 0.001  # a sound is judged when all its videos recent would be this unlikely or less
SOUND_FDR = 0.05  # of the sounds flagged viral, at most this share expected by chance
MIN_PAIRS = 10  # for a correlation and its interval


class TooLittleData(UserWarning):
    """The data is below a measure's stated minimum: the result is empty or flags nothing."""


def too_little(message: str) -> None:
    warnings.warn(message, TooLittleData, stacklevel=3)


def flag_above_median(frame: pd.DataFrame, column: str, factor: float, what: str) -> pd.DataFrame:
    """Sorts by `column`, numbers the rows (`rank`, as the charts label them), and adds `viral`:
    at least `factor` times the median of its positive values (of `what`), when there are
    `MIN_VIDEOS` of them."""
    if not factor > 1:
        raise ValueError(f"factor {factor} is not a number above 1")
    values = frame[column].astype("Float64").dropna().to_numpy(dtype=float)
    grew = values[values > 0]
    frame = frame.sort_values(column, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    median = float(np.median(grew)) if len(grew) else math.nan
    threshold = factor * median
    if len(grew) < MIN_VIDEOS:
        if len(values):  # none at all: the caller says why
            too_little(f"{len(grew)} of the {len(values)} {what} grew: a median video needs {MIN_VIDEOS} that did; none flagged viral")
        threshold = math.inf
    frame["viral"] = (frame[column].astype("Float64") >= threshold).fillna(False).astype(bool)
    frame.attrs.update(threshold=threshold, factor=factor, median=median, column=column)
    return frame


def video_growth(videos: pd.DataFrame, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """Every video with two observations at least `min_hours` apart, with its peak likes and views
    gained per hour and when the likes peak ended (`peak_at`). On positions sorted once: a season
    of hourly snapshots is 10M rows (bench/compaction.py), and only one row per video is taken."""
    obs = observed(videos)
    later, before = earlier(obs, min_hours)
    ends, starts = obs.rows[later], obs.rows[before]
    hours = hours_between(videos["scraped_at"], ends, starts)
    likes = per_hour(videos["like_count"], ends, starts, hours)
    views = per_hour(videos["view_count"], ends, starts, hours)
    grown = firsts(obs.key[later])  # where each video's steps start
    seen = firsts(obs.key)  # where each video's observations start
    pick = np.searchsorted(obs.key[seen], obs.key[later][grown])  # the videos with a step among them
    first, last = obs.rows[seen][pick], obs.rows[np.append(seen, len(obs.rows))[1:] - 1][pick]

    def latest(column: str) -> Any:
        return videos[column].array.take(last_present(videos[column], obs.rows, seen)[pick], allow_fill=True)

    def most(column: str) -> Any:
        return group_max(pd.Series(videos[column].array.take(obs.rows)), seen).array[pick]

    return pd.DataFrame(
        {
            "id": videos["id"].array.take(first),
            "username": latest("username"),
            "create_time": latest("create_time"),
            "music_id": latest("music_id"),
            "observations": np.diff(np.append(seen, len(obs.rows)))[pick],
            "first_seen": videos["scraped_at"].array.take(first),
            "last_seen": videos["scraped_at"].array.take(last),
            "likes": most("like_count"),
            "views": most("view_count"),
            "peak_likes_per_hour": group_max(likes, grown).array,
            "peak_views_per_hour": group_max(views, grown).array,
            "peak_at": videos["scraped_at"].array.take(ends[group_argmax(likes, grown)]),
        }
    )


def viral_videos(
    videos: pd.DataFrame, factor: float = VIDEO_FACTOR, rate: str = "likes", min_hours: float = MIN_STEP_HOURS
) -> pd.DataFrame:
    """Videos ranked by their peak `rate` (likes or views) gained per hour, viral at `factor` times
    the median video's peak or more (of those that grew); empty, with a warning, when no video was
    seen twice `min_hours` apart. attrs: the `threshold` per hour, the `median` peak, the `factor`."""
    if rate not in ("likes", "views"):
        raise ValueError(f"rate {rate!r}: give likes or views")
    table = video_growth(videos, min_hours)
    if not len(table):
        too_little(f"no video was observed twice at least {min_hours:g} h apart: virality needs repeated snapshots")
    table = flag_above_median(table, f"peak_{rate}_per_hour", factor, "videos observed twice")
    table.attrs["about"] = about(videos)
    return table


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


def follower_sources(videos: pd.DataFrame, users: pd.DataFrame | None) -> pd.DataFrame:
    """The rows follower counts come from, for `about`."""
    return pd.concat([f[["source", "scraped_at"]] for f in (videos, users) if f is not None and len(f)], ignore_index=True)


def follower_steps(videos: pd.DataFrame, users: pd.DataFrame | None = None, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """Each creator's follower gain per hour at each observation (`end`), absolute and per 1,000
    followers at the step's start (floored at `AUDIENCE_FLOOR`)."""
    pairs = steps(follower_series(videos, users), "username", "at", min_hours)
    gained = pairs["followers"].astype(float) - pairs["start_followers"].astype(float)
    audience = pairs["start_followers"].astype(float).clip(lower=AUDIENCE_FLOOR)
    return pd.DataFrame(
        {
            "username": pairs["username"],
            "end": pairs["at"],
            "followers_per_hour": gained / pairs["hours"],
            "per_1k_followers_per_hour": 1000 * gained / pairs["hours"] / audience,
        }
    )


def creator_growth(videos: pd.DataFrame, users: pd.DataFrame | None = None, min_hours: float = MIN_STEP_HOURS) -> pd.DataFrame:
    """Creators with two observations at least `min_hours` apart: first and last followers and
    times, followers gained, and their peak gain per hour, absolute and per 1,000 followers."""
    series = follower_series(videos, users)
    gains = follower_steps(videos, users, min_hours)
    table = series.groupby("username").agg(
        observations=("at", "size"),
        followers_first=("followers", "first"),
        followers_last=("followers", "last"),
        first_seen=("at", "min"),
        last_seen=("at", "max"),
    )
    peaks = gains.groupby("username").agg(
        peak_followers_per_hour=("followers_per_hour", "max"), peak_per_1k_followers_per_hour=("per_1k_followers_per_hour", "max")
    )
    table = table.join(peaks, how="inner").reset_index()
    table["gained"] = table["followers_last"] - table["followers_first"]
    return table


def viral_creators(
    videos: pd.DataFrame, users: pd.DataFrame | None = None, factor: float = CREATOR_FACTOR, min_hours: float = MIN_STEP_HOURS
) -> pd.DataFrame:
    """Creators ranked by their peak follower gain per hour per 1,000 followers; viral at `factor`
    times the median creator's peak or more. Flags none, with a warning, below `MIN_CREATORS`
    creators or when the median creator gained nobody."""
    table = creator_growth(videos, users, min_hours)
    column = "peak_per_1k_followers_per_hour"
    table = table.sort_values(column, ascending=False, kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    median = float(table[column].median()) if len(table) else 0.0
    threshold = factor * median
    if len(table) < MIN_CREATORS:
        too_little(f"{len(table)} creators observed twice: a median creator needs at least {MIN_CREATORS}; none flagged viral")
        threshold = math.inf
    elif median <= 0:
        too_little("the median creator gained no followers between snapshots: no growth to compare with; none flagged viral")
        threshold = math.inf
    table["viral"] = table[column] >= threshold
    table.attrs.update(threshold=threshold, factor=factor, median=median, column=column, about=about(follower_sources(videos, users)))
    return table


def sound_usage(videos: pd.DataFrame, freq: str = "1h") -> pd.DataFrame:
    """Unique videos using each sound over time, by posting time: for each sound and period
    (`freq`, a pandas frequency), the videos posted with it then and all of them so far."""
    posts = videos.dropna(subset=["music_id", "create_time"]).drop_duplicates("id")
    counted = posts.groupby(["music_id", posts["create_time"].dt.floor(freq).rename("period")]).size().rename("new_videos")
    usage = counted.reset_index().sort_values(["music_id", "period"])
    usage["videos_so_far"] = usage.groupby("music_id")["new_videos"].cumsum()
    return usage.reset_index(drop=True)


SOUND_COLUMNS = [
    "rank",
    "music_id",
    "music_title",
    "videos",
    "baseline_videos",
    "recent_videos",
    "expected_recent",
    "acceleration",
    "p_value",
    "q_value",
    "testable",
    "viral",
]


def fewest_testable(recent_share: float, alpha: float) -> int:
    """The fewest videos a sound needs for the test to reach `alpha` at all: all n recent has the
    chance recent_share ** n, so n must pass log(alpha) / log(recent_share)."""
    return math.floor(math.log(alpha) / math.log(recent_share)) + 1


def viral_sounds(
    videos: pd.DataFrame,
    window_hours: float = SOUND_WINDOW_HOURS,
    min_new: int = MIN_NEW_VIDEOS,
    fdr: float = SOUND_FDR,
    evidence: float = SOUND_EVIDENCE,
) -> pd.DataFrame:
    """Sounds ranked by how far the videos posted with them in the `window_hours` before the last
    observation exceed what an unchanged share predicts (`expected_recent`: their videos times the
    share of all collected posts that are recent; `acceleration` is the ratio, `p_value` the
    binomial chance of that many recent or more, `q_value` its Benjamini-Hochberg adjustment over
    the sounds judged). Viral: `testable` (at least attrs `min_videos` videos, see
    `fewest_testable`), at least `min_new` recent videos and `q_value` below `fdr`;
    a warning counts the sounds with `min_new` recent videos but too few in all. Empty, with a
    warning, when the videos collected were posted over less than two windows or none in the last one."""
    from scipy.stats import binom, false_discovery_control  # type: ignore[import-untyped]  # here: scipy is slow to load, no hints

    posts = videos.dropna(subset=["music_id", "create_time"]).drop_duplicates("id")
    if not len(posts):
        too_little("no video with a sound and a posting time: no sound adoption to measure")
        return pd.DataFrame(columns=SOUND_COLUMNS)
    end = videos["scraped_at"].max()
    start = end - pd.Timedelta(hours=window_hours)
    recent = (posts["create_time"] > start) & (posts["create_time"] <= end)
    before = posts["create_time"] <= start
    history = (start - posts["create_time"].min()).total_seconds() / 3600.0
    if history < window_hours or not recent.any():
        too_little(
            f"the videos collected were posted over {max(history, 0):.0f} h before the last {window_hours:g} h "
            f"and {int(recent.sum())} in them: a sound's baseline needs {window_hours:g} h and its rise some new videos"
        )
        return pd.DataFrame(columns=SOUND_COLUMNS)
    table = posts.groupby("music_id").agg(music_title=("music_title", "last"), videos=("id", "size"))
    table["baseline_videos"] = posts.loc[before].groupby("music_id").size().reindex(table.index, fill_value=0)
    table["recent_videos"] = posts.loc[recent].groupby("music_id").size().reindex(table.index, fill_value=0)
    recent_share = int(recent.sum()) / (int(recent.sum()) + int(before.sum()))
    counted = table["baseline_videos"] + table["recent_videos"]
    min_videos = fewest_testable(recent_share, evidence)
    table["expected_recent"] = counted * recent_share
    table["acceleration"] = table["recent_videos"] / table["expected_recent"]
    table["p_value"] = binom.sf(table["recent_videos"] - 1, counted, recent_share)
    table["testable"] = counted >= min_videos
    judged = table["testable"].to_numpy()
    table["q_value"] = np.nan
    if judged.any():
        table.loc[judged, "q_value"] = false_discovery_control(table.loc[judged, "p_value"].to_numpy())
    table["viral"] = table["testable"] & (table["recent_videos"] >= min_new) & (table["q_value"] < fdr)
    untestable = int((~table["testable"] & (table["recent_videos"] >= min_new)).sum())
    if untestable:
        too_little(
            f"{untestable} sounds with {min_new} or more new videos have fewer than {min_videos} in all: with "
            f"{recent_share:.0%} of the collected posts in the last {window_hours:g} h, too few to tell a rise from chance "
            f"at p < {evidence:g}; not judged (collect more of the posts)"
        )
    table = table.reset_index().sort_values(["p_value", "recent_videos"], ascending=[True, False], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    table.attrs.update(
        window=(start, end),
        min_new=min_new,
        fdr=fdr,
        evidence=evidence,
        judged=int(judged.sum()),
        min_videos=min_videos,
        recent_share=recent_share,
        baseline_posts=int(before.sum()),
        recent_posts=int(recent.sum()),
        about=about(videos),
    )
    return table


def correlation_ci(x: pd.Series, y: pd.Series, method: str = "pearson", confidence: float = 0.95) -> dict[str, Any]:
    """Pearson's r or Spearman's rho with its confidence interval by Fisher's z (for Spearman with
    Bonett and Wright's variance 1.06/(n-3)). By hand: the formula is three lines, where scipy.stats
    gives no interval for either. Below `MIN_PAIRS` pairs, or with a constant side, r is None and
    `note` says why (with a warning)."""
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method {method!r}: give pearson or spearman")
    pairs = pd.DataFrame({"x": x.astype(float), "y": y.astype(float)}).dropna()
    n = len(pairs)
    result: dict[str, Any] = {"method": method, "r": None, "low": None, "high": None, "n": n, "confidence": confidence, "note": ""}
    if n < MIN_PAIRS or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        result["note"] = (
            f"not computed: n = {n}, needs {MIN_PAIRS}" if n < MIN_PAIRS else f"not computed: one side is constant over n = {n}"
        )
        too_little(f"{method} correlation {result['note']}")
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
    """Per creator seen twice: their best video's peak likes per hour, and the followers they
    gained per hour over their snapshots; and the correlation of the two with its 95% CI
    (Spearman's is the one to quote when one creator's burst dwarfs the rest)."""
    videos_peak = video_growth(videos).groupby("username")["peak_likes_per_hour"].max()
    creators = creator_growth(videos, users).set_index("username")
    hours = (creators["last_seen"] - creators["first_seen"]).dt.total_seconds() / 3600.0
    table = pd.DataFrame({"best_video_likes_per_hour": videos_peak, "followers_per_hour": creators["gained"] / hours}).dropna()
    table = table.rename_axis("username").reset_index()
    table.attrs["about"] = about(follower_sources(videos, users))
    return table, correlation_ci(table["best_video_likes_per_hour"], table["followers_per_hour"], method)
