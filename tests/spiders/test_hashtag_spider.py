"""`scrapy crawl hashtag` against the simulator: every reachable video of each hashtag, the totals
TikTok reports, a coverage line saying why each stopped, and bad input refused before any request."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.sim_process import ROOT, running_simulator, truth

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:
        yield base


def hashtag(base: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "hashtag", "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}"]
    cmd += ["-s", "TIKTOK_OCR_ENABLED=False", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_every_reachable_video_of_each_hashtag(simulator: str, tmp_path: Path) -> None:
    result = hashtag(simulator, tmp_path, "-a", "hashtags=London,#paris,zzzqqq")
    assert result.returncode == 0, result.stderr[-3000:]
    videos = [json.loads(line) for line in (tmp_path / "videos.jsonl").read_text(encoding="utf-8").splitlines()]
    for tag in ("london", "paris"):
        expected = truth(simulator, f"hashtag/{tag}")["reachable"]
        got = [v["id"] for v in videos if v["source"] == f"hashtag:{tag}"]
        assert sorted(got) == sorted(expected) and len(got) == len(set(got))
        assert f"#{tag}: {len(expected)} of {len(expected)} videos TikTok reports (100%), stopped: end of list" in result.stderr
    assert "#zzzqqq: 0 videos, stopped: not found" in result.stderr
    tags = {h["name"]: h for h in map(json.loads, (tmp_path / "hashtags.jsonl").read_text(encoding="utf-8").splitlines())}
    assert tags["london"]["video_count"] == len(truth(simulator, "hashtag/london")["video_ids"])


def test_limit_stops_each_hashtag(simulator: str, tmp_path: Path) -> None:
    result = hashtag(simulator, tmp_path, "-a", "hashtags=london", "-a", "limit=10", "-s", "TIKTOK_MEDIA_ENABLED=False")
    assert result.returncode == 0
    assert len((tmp_path / "videos.jsonl").read_text(encoding="utf-8").splitlines()) == 10
    assert "#london: 10 of 50 videos TikTok reports (20%), stopped: limit" in result.stderr
