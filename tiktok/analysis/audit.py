"""For-You audits (issue 17): how far a persona's feed drifts towards its interests, against the
control persona's feed measured the same way.

A persona's exposures are its videos in the order it was shown them: run after run (training, then
measurement), by `feed_position` within a run. The interest share of a window of exposures is the
share of its videos that match the interests of one persona file (its hashtags, sounds or
creators), with a Wilson 95 % interval; measuring every persona's feed against the same interests
is what makes the control a baseline. Periods are windows of N exposures or clock hours (UTC, of
`scraped_at`); a period of fewer than MIN_N videos keeps its figures but is marked as too few to
read. Time to narrowing is the first window whose share exceeds a threshold the caller states.
"""

from __future__ import annotations

import math

import pandas as pd

from tiktok.personas import Persona, interest_weight
from tiktok.schema.items import Video

Z95 = 1.959964
MIN_N = 10  # videos in a period: below, a share's 95 % interval spans about half of [0, 1]
PERIODS = ("window", "hour")


def wilson(hits: int, n: int) -> tuple[float, float]:
    """The Wilson score 95 % interval of a share; it stays inside [0, 1] for small n."""
    if n == 0:
        return math.nan, math.nan
    p = hits / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def exposures(videos: pd.DataFrame) -> pd.DataFrame:
    """The persona videos, numbered 1.. per persona in the order shown (runs by when they started,
    then by run id, which starts with the wall-clock time)."""
    seen = videos[videos["persona"].notna() & videos["feed_position"].notna()].copy()
    started = seen.groupby("run_id")["scraped_at"].transform("min")
    seen = seen.assign(run_started=started).sort_values(["persona", "run_started", "run_id", "feed_position"], kind="stable")
    seen["exposure"] = seen.groupby("persona").cumcount() + 1
    return seen.drop(columns="run_started").reset_index(drop=True)


def matching(videos: pd.DataFrame, interests: Persona) -> pd.Series:
    """Whether each video matches one of `interests`' hashtags, sounds or creators."""

    def one(row: pd.Series) -> bool:
        tags = row.get("hashtag_names")
        video = Video(
            id=str(row["id"]),
            hashtag_names=list(tags) if isinstance(tags, list | tuple) or hasattr(tags, "tolist") else None,
            music_id=row.get("music_id") if isinstance(row.get("music_id"), str) else None,
            username=row.get("username") if isinstance(row.get("username"), str) else None,
        )
        return interest_weight(interests, video) > 0

    return videos.apply(one, axis=1).astype(bool) if len(videos) else pd.Series(dtype=bool)


def periods(seen: pd.DataFrame, by: str, window: int) -> pd.Series:
    """Each exposure's period: its window of `window` exposures (0, 1, ...) or its UTC hour."""
    if by == "hour":
        return seen["scraped_at"].dt.floor("h")
    return (seen["exposure"] - 1) // window


def too_few(n: int) -> str:
    """The note a period of `n` videos carries when it is below MIN_N ("" when it is not)."""
    return f"too few videos (n = {n} < {MIN_N})" if n < MIN_N else ""


def span_of(part: pd.DataFrame) -> dict[str, object]:
    """What every period row says of itself: exposures, n, phase(s) and UTC dates."""
    return {
        "first": int(part["exposure"].min()), "last": int(part["exposure"].max()), "n": len(part),
        "phase": ",".join(sorted(part["phase"].dropna().unique())), "start": part["scraped_at"].min(),
        "end": part["scraped_at"].max(), "note": too_few(len(part)),
    }  # fmt: skip


SPAN_COLUMNS = ["first", "last", "n", "phase", "start", "end", "note"]
NARROWING_COLUMNS = ["persona", "interests", "threshold", "shown", "videos", "window", "share", "low", "high",
                     "sure_videos", "sure_window", "note"]  # fmt: skip
SHARE_COLUMNS = ["persona", "interests", "period", *SPAN_COLUMNS, "matching", "share", "low", "high"]


def interest_share(videos: pd.DataFrame, interests: Persona, window: int = 20, by: str = "window") -> pd.DataFrame:
    """Per persona and period (window of `window` exposures, or hour): n, videos matching
    `interests`, their share and its Wilson 95 % interval, and the phase(s) and UTC dates covered."""
    seen = exposures(videos)
    seen["matching"] = matching(seen, interests).to_numpy()
    seen["period"] = periods(seen, by, window)
    rows = []
    for (persona, period), part in seen.groupby(["persona", "period"], sort=True):
        hits = int(part["matching"].sum())
        low, high = wilson(hits, len(part))
        rows.append({"persona": persona, "interests": interests.name, "period": period, **span_of(part),
                     "matching": hits, "share": hits / len(part), "low": low, "high": high})  # fmt: skip
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def narrowing(shares: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Time to narrowing, per persona and interests of a window table (`interest_share`; the
    control's feed appears once for each studied persona's interests): the first window of at
    least MIN_N videos whose share exceeds `threshold`, and the first whose whole 95 % interval
    does (the stricter reading). `videos` is how many the persona had been shown by its end; NaN
    (with a note) when no window got there."""
    rows = []
    for (interests, persona), part in shares[shares["n"] >= MIN_N].groupby(["interests", "persona"], sort=True):
        above, surely = part[part["share"] > threshold], part[part["low"] > threshold]
        row: dict[str, object] = {"persona": persona, "interests": interests, "threshold": threshold, "shown": int(part["last"].max())}
        for prefix, hits in (("", above), ("sure_", surely)):
            first = hits.iloc[0] if len(hits) else None
            row[f"{prefix}videos"] = int(first["last"]) if first is not None else math.nan
            row[f"{prefix}window"] = f"{first['first']}-{first['last']}" if first is not None else ""
            if prefix == "":
                row |= {k: first[k] if first is not None else math.nan for k in ("share", "low", "high")}
        row["note"] = "" if len(above) else f"not above {threshold:.0%} in {row['shown']} videos"
        rows.append(row)
    return pd.DataFrame(rows, columns=NARROWING_COLUMNS)


def interests_text(persona: Persona) -> str:
    """`the cats persona's interests (#cats, #dogs)`: what a chart says its videos were matched against."""
    wanted = persona.interests
    names = [f"#{h}" for h in wanted.hashtags] + [f"sound {s}" for s in wanted.sounds] + [f"@{c}" for c in wanted.creators]
    return f"the {persona.name} persona's interests ({', '.join(names) or 'none'})"
