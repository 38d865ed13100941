"""For-You audits (issue 17): how far a persona's feed drifts towards its interests, against the
control persona's feed measured the same way.

A persona's exposures are its videos in the order it was shown them: run after run (training, then
measurement), by `feed_position` within a run. The interest share of a window of exposures is the
share of its videos that match the interests of one persona file (its hashtags, sounds or
creators), with a Wilson 95 % interval; measuring every persona's feed against the same interests
is what makes the control a baseline.
"""

from __future__ import annotations

import math

import pandas as pd

from tiktok.personas import Persona, interest_weight
from tiktok.schema.items import Video

Z95 = 1.959964


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


def interest_share(videos: pd.DataFrame, interests: Persona, window: int = 20) -> pd.DataFrame:
    """Per persona and window of `window` exposures: n, videos matching `interests`, their share
    and its 95 % interval, and the phase(s) and UTC dates the window covers."""
    seen = exposures(videos)
    seen["matching"] = matching(seen, interests).to_numpy()
    seen["window"] = (seen["exposure"] - 1) // window
    rows = []
    for (persona, _), part in seen.groupby(["persona", "window"], sort=True):
        n, hits = len(part), int(part["matching"].sum())
        low, high = wilson(hits, n)
        rows.append({
            "persona": persona, "first": int(part["exposure"].min()), "last": int(part["exposure"].max()), "n": n,
            "matching": hits, "share": hits / n, "low": low, "high": high,
            "phase": ",".join(sorted(part["phase"].dropna().unique())), "start": part["scraped_at"].min(), "end": part["scraped_at"].max(),
        })  # fmt: skip
    columns = ["persona", "first", "last", "n", "matching", "share", "low", "high", "phase", "start", "end"]
    return pd.DataFrame(rows, columns=columns)


def interests_text(persona: Persona) -> str:
    """`the cats persona's interests (#cats, #dogs)`: what a chart says its videos were matched against."""
    wanted = persona.interests
    names = [f"#{h}" for h in wanted.hashtags] + [f"sound {s}" for s in wanted.sounds] + [f"@{c}" for c in wanted.creators]
    return f"the {persona.name} persona's interests ({', '.join(names) or 'none'})"
