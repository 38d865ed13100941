"""kill -9 at random points, then the same command: research_comments (with its reply threads),
research_user_videos and research_network resume at page granularity (issue #13). The union of what the runs stored equals
the simulator's truth, nothing is stored twice, and no page is asked for again beyond the one in
flight at each kill, as the simulator counted the requests.

Subprocess crawls: the kill is the point. One request at a time, so "in flight" is one page."""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT, follower_network, running_simulator, truth
from tests.test_fault_matrix import listing_users, research_user_videos_missing, user_video_lists
from tiktok.simulator.world import EPOCH, World

pytestmark = pytest.mark.crawl

ENV = {**os.environ, "TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}
ONE_AT_A_TIME = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.05"]


@pytest.fixture
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:
        yield base


def served(base: str, endpoint: str) -> int:
    with urllib.request.urlopen(base + "/__sim__/counters") as resp:
        return int(json.load(resp).get(endpoint, 0))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def command(spider: str, base: str, data: Path, *args: str) -> list[str]:
    settings = ["-s", f"DATA_DIR={data}", "-s", f"TIKTOK_API_URL={base}", *ONE_AT_A_TIME]
    return [sys.executable, "-m", "scrapy", "crawl", spider, *settings, *args]


def kill_at(cmd: list[str], stored: Path, thresholds: list[int]) -> int:
    """Runs `cmd` once per threshold and kills it -9 once `stored` has that many lines; returns the kills."""
    kills = 0
    for threshold in thresholds:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and len(lines(stored)) < threshold:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    return kills


def test_research_comments_resume_after_kill_9(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    busy = [v for v in range(w.size.videos) if w.public(v, EPOCH) and 120 <= w.video_counts(v, EPOCH)["comments"] <= 300]
    vids = [str(w.video_id(v)) for v in busy[:2]]
    expected = [(c["id"], c["parent_comment_id"]) for vid in vids for c in truth(simulator, f"video/{vid}/comments")]
    threads = Counter(parent for _, parent in expected)  # comments per video, replies per comment
    pages = sum(max(1, math.ceil(n / 100)) for n in threads.values()) + sum(1 for v in vids if v not in threads)
    cmd = command("research_comments", simulator, tmp_path, "-a", f"video_ids={','.join(vids)}")
    thresholds = sorted(random.sample(range(20, len(expected) - 20), 3))
    kills = kill_at(cmd, tmp_path / "comments.jsonl", thresholds)
    final = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert kills >= 1 and final.returncode == 0, final.stderr[-2000:]
    got = [(c["id"], c["parent_comment_id"]) for c in lines(tmp_path / "comments.jsonl")]
    assert sorted(got) == sorted(expected), f"killed at {thresholds}"  # nothing lost, nothing twice
    sent = served(simulator, "/v2/research/video/comment/list/")
    assert pages <= sent <= pages + kills, f"{sent} requests for {pages} pages and {kills} kills at {thresholds}"


def test_research_network_resumes_after_kill_9(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    seed = next(w.username(u) for u in range(w.size.users) if w.u_verified[u] and not w.u_private[u] and not w.u_refused[u])
    lists, _ = follower_network(simulator, seed, 2)  # the truth, walked breadth-first to depth 2
    edges = {(follower, name) for name, followers in lists.items() for follower in followers or []}
    asked = len(lists)
    cmd = command("research_network", simulator, tmp_path, "-a", f"seeds={seed}", "-a", "direction=followers", "-a", "depth=2")
    thresholds = sorted(random.sample(range(5, len(edges) - 5), 3))
    kills = kill_at(cmd, tmp_path / "follows.jsonl", thresholds)
    final = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert kills >= 1 and final.returncode == 0, final.stderr[-2000:]
    got = [(f["follower"], f["followee"]) for f in lines(tmp_path / "follows.jsonl")]
    assert sorted(got) == sorted(edges), f"killed at {thresholds}"
    sent = served(simulator, "/v2/research/user/followers/")
    assert asked <= sent <= asked + kills, f"{sent} requests for {asked} one-page lists and {kills} kills at {thresholds}"


def test_research_user_videos_resume_after_kill_9(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    names = listing_users(w)  # one user who shows their likes, two who hide them
    truth_lists = user_video_lists(simulator, w)
    stored_videos = sum(len(videos) for videos in truth_lists.values() if videos)
    assert all(videos is None or len(videos) < 100 for videos in truth_lists.values())
    lists = len(truth_lists)  # liked, pinned, reposted of each: one page each here (under 100 videos)
    cmd = command("research_user_videos", simulator, tmp_path, "-a", f"usernames={','.join(names)}")
    thresholds = sorted(random.sample(range(2, stored_videos - 2), 2))
    kills = kill_at(cmd, tmp_path / "videos.jsonl", thresholds)
    final = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert kills >= 1 and final.returncode == 0, final.stderr[-2000:]
    assert research_user_videos_missing(simulator, w, tmp_path) == {}, f"killed at {thresholds}"  # nothing lost
    keys = Counter((v["id"], v["source"]) for v in lines(tmp_path / "videos.jsonl"))
    assert max(keys.values()) == 1  # no list stored again by the next run: its page was not asked again
    sent = sum(served(simulator, f"/v2/research/user/{kind}_videos/") for kind in ("liked", "pinned", "reposted"))
    assert lists <= sent <= lists + kills, f"{sent} requests for {lists} one-page lists and {kills} kills at {thresholds}"
