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
START_AFTER = 10 * 3600  # 10:00 simulated: one video is mid-burst, two more start during the window


@dataclass
class Crawled:
    data: Path
    base: str
    first: float  # simulated time of the first snapshot
    last: float


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    data = tmp_path_factory.mktemp("hourly")
    with running_simulator("--clock-speed", "0.000001") as base:  # the clock barely moves between moves
        first, last = crawl_hours(base, data, HOURS, START_AFTER)
        yield Crawled(data, base, first, last)
