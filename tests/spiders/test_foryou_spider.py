"""`scrapy crawl foryou` against the simulator in a real browser: exactly `count` unique videos with
their feed positions, exact counts and creator figures, covers with their text; and hourly runs
that show the simulator's viral videos growing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT, advance, running_simulator, truth

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:  # the clock barely moves: counts stay put
        yield base


def foryou(base: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "foryou", "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_collects_count_unique_videos_with_exact_counts(simulator: str, tmp_path: Path) -> None:
    result = foryou(simulator, tmp_path, "-a", "count=30")
    assert result.returncode == 0, result.stderr[-3000:]
    videos = lines(tmp_path / "videos.jsonl")
    assert len(videos) == 30 and len({v["id"] for v in videos}) == 30
    positions = sorted(v["feed_position"] for v in videos)  # written as downloads finish, not in feed order
    assert positions[0] == 1 and len(set(positions)) == 30
    for v in videos:
        t = truth(simulator, f"video/{v['id']}")
        assert (v["like_count"], v["view_count"], v["comment_count"]) == (
            t["counts"]["likes"],
            t["counts"]["views"],
            t["counts"]["comments"],
        )
        assert v["counts_exact"] is True and v["author_follower_count"] is not None and v["source"] == "foryou"
        assert v["cover_path"] and (tmp_path / v["cover_path"]).exists()
    assert sum(bool(v["ocr_text"]) for v in videos) >= 27
    started, run = lines(tmp_path / "runs.jsonl")
    assert started["event"] == "started" and run["event"] == "ended" and started["run_id"] == run["run_id"]
    assert run["spider"] == "foryou" and run["items"]["videos"] == 30 and run["arguments"] == {"count": "30"}
    assert run["verdict"] == "complete" and run["missing"] == []


def test_hourly_runs_show_viral_videos_growing(simulator: str, tmp_path: Path) -> None:
    viral = {v["id"]: v["viral_start"] for v in truth(simulator, "viral")["videos"]}
    hours = [advance(simulator, 40 * 3600)]  # into the hours when they burst
    for _ in range(2):
        assert foryou(simulator, tmp_path, "-a", "count=20", "-s", "TIKTOK_MEDIA_ENABLED=False").returncode == 0
        hours.append(advance(simulator, 3600))
    runs: dict[str, dict[str, int]] = {}
    for v in lines(tmp_path / "videos.jsonl"):
        runs.setdefault(v["id"], {})[v["run_id"]] = v["like_count"]
    growth = {vid: max(r.values()) - min(r.values()) for vid, r in runs.items() if len(r) == 2}
    bursting = [g for vid, g in growth.items() if vid in viral and viral[vid] <= hours[0] and hours[1] <= viral[vid] + 36 * 3600]
    ordinary = [g for vid, g in growth.items() if vid not in viral]
    assert bursting, "a video going viral should be in both hourly snapshots (viral videos dominate the feed)"
    assert min(bursting) > 10 * max(ordinary, default=0), (bursting, ordinary)
