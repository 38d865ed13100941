"""Data for the analysis tests and notebooks: the simulator crawled as an hourly study would, over
several simulated hours: the For-You feed (media and OCR in the first hour) and every creator's
profile each hour, #fyp in the first and the last hour, then the follow graph of every user
through the Research API. A larger world (bench/truth_scenario.py) follows fewer creators, without
media or the follow graph."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.helpers.sim_process import ROOT, advance, truth

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
NO_MEDIA = ["-s", "TIKTOK_MEDIA_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False"]
RESEARCH_ENV = {"TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}


def crawl(base: str, data: Path, spider: str, *args: str) -> None:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"DATA_DIR={data}", *FAST, *args]
    cmd += ["-s", f"TIKTOK_WEB_URL={base}", "-s", f"TIKTOK_API_URL={base}"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **RESEARCH_ENV})
    assert result.returncode == 0, f"{spider} {args}: {result.stderr[-3000:]}"


def crawl_hours(
    base: str,
    data: Path,
    hours: int,
    start_after: float,
    creators: Callable[[Path], list[str]] | None = None,
    media: bool = True,
    network: bool = True,
) -> tuple[float, float]:
    """`hours` hourly snapshots from `start_after` simulated seconds past the clock's start, then the
    follow graph; returns the simulated times of the first and the last snapshot. `creators`: whose
    profiles each hour, from the data so far (default: every user); `media`: in the first hour."""
    first = advance(base, start_after)
    everyone = ",".join(u["username"] for u in truth(base, "users"))
    for hour in range(hours):
        crawl(base, data, "foryou", "-a", "count=60", *([] if hour == 0 and media else NO_MEDIA))
        followed = everyone if creators is None else ",".join(creators(data))
        crawl(base, data, "user", "-a", f"usernames={followed}")
        if hour in (0, hours - 1):
            crawl(base, data, "hashtag", "-a", "hashtags=fyp", *NO_MEDIA)
        if hour < hours - 1:
            advance(base, 3600)
    last = advance(base, 0)
    if network:
        crawl(base, data, "research_network", "-a", f"seeds={everyone}", "-a", "depth=1", "-a", "direction=following")
    return first, last
