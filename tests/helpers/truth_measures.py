"""What the virality measures must find in a crawl of the simulator, from its truth, and precision
and recall against it. One home for tests/analysis/test_truth.py (the small world, every creator
followed) and bench/truth_scenario.py (a larger world, of which a crawl sees a part: `seen`,
`observed` and `collected` narrow the truth to what the crawl could measure)."""

from __future__ import annotations

from typing import Any

from tests.helpers.sim_process import truth
from tiktok.analysis.virality import MIN_NEW_VIDEOS

VIRAL_SECONDS = 36 * 3600  # how long a viral video bursts (tiktok/simulator/world.py VIRAL_HOURS)


def precision_recall(found: set[str], expected: set[str]) -> tuple[float, float]:
    hits = len(found & expected)
    return hits / len(found) if found else 0.0, hits / len(expected) if expected else 1.0


def bursting_videos(base: str, first: float, last: float) -> list[dict[str, Any]]:
    """The viral videos of the truth whose burst overlaps the snapshots' window (first, last)."""
    return [v for v in truth(base, "viral")["videos"] if v["viral_start"] < last and v["viral_start"] + VIRAL_SECONDS > first]


def expected_videos(base: str, first: float, last: float, seen_twice: set[str]) -> set[str]:
    """Bursting in the window and seen in two snapshots (a rate needs two)."""
    return {v["id"] for v in bursting_videos(base, first, last)} & seen_twice


def expected_creators(base: str, first: float, last: float, observed: set[str] | None = None) -> set[str]:
    """The creators of the videos bursting in the window (of those `observed` twice, if given)."""
    creators = {v["author"] for v in bursting_videos(base, first, last)}
    return creators if observed is None else creators & observed


def expected_sounds(base: str, last: float, collected: set[str] | None = None, min_new: int = MIN_NEW_VIDEOS) -> set[str]:
    """The sounds the simulator spreads from before `last`, with at least the measure's minimum of
    public videos posted with them since the spread began (of the `collected` videos, if given)."""
    expected = set()
    for sound in truth(base, "viral")["sounds"]:
        if sound["viral_start"] >= last:
            continue
        ids = truth(base, f"sound/{sound['id']}")["video_ids"]
        posted = [truth(base, f"video/{v}")["create_time"] for v in ids if collected is None or v in collected]
        if sum(sound["viral_start"] < t <= last for t in posted) >= min_new:
            expected.add(sound["id"])
    return expected
