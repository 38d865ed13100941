"""What the virality measures must find in a crawl of the simulator, from its truth, and precision
and recall against it. One home for tests/analysis/test_truth.py (the small world, every creator
followed) and bench/truth_scenario.py (a larger world, of which a crawl sees a part). Each item of
the truth is narrowed, by a stated rule, to what the crawl could measure: a video whose burst
overlaps the span between its first and last snapshot, a creator observed twice, a sound with
enough collected videos for its test."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tests.helpers.sim_process import truth
from tiktok.analysis.virality import MIN_NEW_VIDEOS

VIRAL_SECONDS = 36 * 3600  # how long a viral video bursts (tiktok/simulator/world.py VIRAL_HOURS)


def precision_recall(found: set[str], expected: set[str]) -> tuple[float, float]:
    hits = len(found & expected)
    return hits / len(found) if found else 0.0, hits / len(expected) if expected else 1.0


def bursting_videos(base: str, first: float, last: float) -> list[dict[str, Any]]:
    """The viral videos of the truth whose burst overlaps the snapshots' window (first, last)."""
    return [v for v in truth(base, "viral")["videos"] if v["viral_start"] < last and v["viral_start"] + VIRAL_SECONDS > first]


def expected_videos(base: str, first: float, last: float, ranking: pd.DataFrame) -> set[str]:
    """Bursting between the first and the last snapshot that observed it, as the video ranking
    (`viral_videos`) has them: a rate needs two snapshots, and a burst that ended before the crawl
    first saw the video (or began after it last did) is not in any step of it."""
    seen = ranking.set_index("id")
    return {
        v["id"]
        for v in bursting_videos(base, first, last)
        if v["id"] in seen.index
        and v["viral_start"] < seen.at[v["id"], "last_seen"].timestamp()
        and v["viral_start"] + VIRAL_SECONDS > seen.at[v["id"], "first_seen"].timestamp()
    }


def expected_creators(base: str, first: float, last: float, observed: set[str] | None = None) -> set[str]:
    """The creators of the videos bursting in the window (of those `observed` twice, if given)."""
    creators = {v["author"] for v in bursting_videos(base, first, last)}
    return creators if observed is None else creators & observed


def expected_sounds(
    base: str, last: float, collected: set[str] | None = None, min_new: int = MIN_NEW_VIDEOS, min_videos: int = 0
) -> set[str]:
    """The sounds the simulator spreads from before `last` that the measure could find: at least
    its minimum of public videos posted with them since the spread began, and at least the
    `min_videos` its test needs in all (`viral_sounds(...).attrs["min_videos"]`), of the
    `collected` videos if given."""
    expected = set()
    for sound in truth(base, "viral")["sounds"]:
        if sound["viral_start"] >= last:
            continue
        ids = truth(base, f"sound/{sound['id']}")["video_ids"]
        posted = [t for t in (truth(base, f"video/{v}")["create_time"] for v in ids if collected is None or v in collected) if t <= last]
        if sum(t > sound["viral_start"] for t in posted) >= min_new and len(posted) >= min_videos:
            expected.add(sound["id"])
    return expected
