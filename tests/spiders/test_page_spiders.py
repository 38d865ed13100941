"""The spiders for single pages against the simulator: `video` (with every comment and reply),
`user` (profiles, and every video of one), `sound` (its details and videos), and bad input
refused before any request."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT, running_simulator, truth
from tiktok.simulator.world import EPOCH, World

pytestmark = pytest.mark.crawl

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False", "-s", "TIKTOK_MEDIA_ENABLED=False"]


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:
        yield base


def crawl(spider: str, base: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}", *FAST, *args]
    cmd += ["-s", "LOG_LEVEL=INFO"]  # the full log on stderr: these tests read Scrapy's stats dump
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def busy_video(world: World, low: int, high: int) -> str:
    """A public video whose comments and replies number between low and high."""
    for v in range(world.size.videos):
        if world.public(v, EPOCH) and low <= world.video_counts(v, EPOCH)["comments"] <= high:
            return str(world.video_id(v))
    raise AssertionError("no such video in the small world")


def test_every_comment_and_reply(simulator: str, tmp_path: Path, small_world: World) -> None:
    vid = busy_video(small_world, 150, 400)
    result = crawl("video", simulator, tmp_path, "-a", f"ids={vid}", "-a", "comments=all")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = truth(simulator, f"video/{vid}/comments")
    got = lines(tmp_path / "comments.jsonl")
    assert sorted((c["id"], c["parent_comment_id"]) for c in got) == sorted((c["id"], c["parent_comment_id"]) for c in expected)
    (video,) = lines(tmp_path / "videos.jsonl")
    assert video["id"] == vid and video["comment_count"] == len(expected)


def test_first_n_comments_from_a_file_of_urls(simulator: str, tmp_path: Path, small_world: World) -> None:
    vid = busy_video(small_world, 150, 400)
    listing = tmp_path / "videos.txt"
    listing.write_text(f"# one per line\nhttps://www.tiktok.com/@someone/video/{vid}\n", encoding="utf-8")
    result = crawl("video", simulator, tmp_path / "data", "-a", f"file={listing}", "-a", "comments=20")
    assert result.returncode == 0
    got = lines(tmp_path / "data" / "comments.jsonl")
    top = [c["id"] for c in truth(simulator, f"video/{vid}/comments") if c["parent_comment_id"] == vid]
    assert [c["id"] for c in got] == top[:20]


def test_deleted_video_is_counted_not_fatal(simulator: str, tmp_path: Path, small_world: World) -> None:
    deleted = next(v for v in range(small_world.size.videos) if 0 < small_world.v_deleted_at[v] < EPOCH)
    result = crawl("video", simulator, tmp_path, "-a", f"ids={small_world.video_id(deleted)}")
    assert result.returncode == 0 and "'video/unavailable': 1" in result.stderr
    assert "TikTok answered statusCode 10204" in result.stderr


@pytest.mark.browser
def test_user_profiles_and_all_their_videos(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    prolific = max((u for u in range(w.size.users) if not w.u_private[u]), key=lambda u: w.u_video_start[u + 1] - w.u_video_start[u])
    private = next(u for u in range(w.size.users) if w.u_private[u])
    names = [w.username(prolific), w.username(private), "nobody_here1"]
    result = crawl("user", simulator, tmp_path, "-a", f"usernames={','.join(names)}", "-a", "posts=1")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = truth(simulator, f"user/{w.username(prolific)}")
    videos = [v["id"] for v in lines(tmp_path / "videos.jsonl") if v["source"] == f"user:{w.username(prolific)}"]
    assert sorted(videos) == sorted(expected["video_ids"]) and len(videos) > 35  # more than one page
    users = {u["username"]: u for u in lines(tmp_path / "users.jsonl")}
    assert users[w.username(prolific)]["follower_count"] == expected["stats"]["followers"]
    assert users[w.username(private)]["is_private"] is True
    assert "'user/private': 1" in result.stderr and "'user/unavailable': 1" in result.stderr


@pytest.mark.browser
def test_a_sound_and_the_videos_using_it(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    s = max(range(w.size.sounds), key=lambda s: len(w.sound_rows(s)))
    sid = str(w.music_id(s))
    result = crawl("sound", simulator, tmp_path, "-a", f"ids={sid}")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = truth(simulator, f"sound/{sid}")
    videos = [v["id"] for v in lines(tmp_path / "videos.jsonl") if v["source"] == f"sound:{sid}"]
    assert sorted(videos) == sorted(expected["video_ids"]) and len(videos) > 30
    sound = next(x for x in lines(tmp_path / "sounds.jsonl") if x["id"] == sid)
    assert sound["title"] == expected["title"] and sound["video_count"] == len(expected["video_ids"])
