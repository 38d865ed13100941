"""One crawl of the simulator over eight simulated hours, shared by the analysis tests: the data
and the simulator (kept running, its clock at the last snapshot) whose truth checks them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.hourly_crawl import crawl_hours
from tests.helpers.sim_process import running_simulator

HOURS = 8
# Day 3, 14:00 to 21:00 simulated: three viral videos of three creators are mid-burst, and the viral
# sound that started at 05:20 on day 1 has had four videos posted with it since (38.7 h to 68.2 h
# after the clock's start, tiktok/simulator/world.py seed 7), enough to tell from its own past; the
# other two viral sounds start after the window. Earlier windows saw at most one new video of it.
START_AFTER = 62 * 3600


@dataclass
class Crawled:
    data: Path
    base: str
    first: float  # simulated time of the first snapshot
    last: float


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    data = tmp_path_factory.mktemp("hourly")
    # The popularity feed: this is a virality study, and a personal feed would learn from the crawl's
    # play reports, whose real-time dwell differs with the machine's load, and so show other videos.
    with running_simulator("--clock-speed", "0.000001", "--feed", "popular") as base:  # the clock barely moves between moves
        first, last = crawl_hours(base, data, HOURS, START_AFTER)
        yield Crawled(data, base, first, last)
