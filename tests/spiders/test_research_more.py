"""The other Research API spiders against the simulator's truth: user info with refusals recorded,
every comment and reply, and a depth-2 follower network with its study-style CSV export."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT, follower_network, running_simulator, truth
from tiktok.simulator.world import EPOCH, World

pytestmark = pytest.mark.crawl

ENV = {**os.environ, "TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001", "--faults", "hostile") as base:  # faults on: data must still be complete
        yield base


def crawl(spider: str, base: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_API_URL={base}", *args]
    cmd += ["-s", "LOG_LEVEL=INFO"]  # the full log on stderr: these tests read Scrapy's stats dump
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=ENV)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_users_and_refusals(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    public = next(u for u in range(w.size.users) if not w.u_private[u] and not w.u_refused[u])
    refused = next(u for u in range(w.size.users) if w.u_refused[u])
    names = [w.username(public), w.username(refused), "ghost999999"]
    result = crawl("research_users", simulator, tmp_path, "-a", f"usernames={','.join(names)}")
    assert result.returncode == 0, result.stderr[-2000:]
    (user,) = lines(tmp_path / "users.jsonl")
    assert (
        user["username"] == w.username(public)
        and user["follower_count"] == truth(simulator, f"user/{w.username(public)}")["stats"]["followers"]
    )
    statuses = {s["username"]: s["status"] for s in lines(tmp_path / "user_statuses.jsonl")}
    assert statuses == {w.username(public): "parsed", w.username(refused): "refused", "ghost999999": "not_found"}
    again = crawl("research_users", simulator, tmp_path, "-a", f"usernames={','.join(names)}")
    assert "'research/users/skipped_settled': 2" in again.stderr  # refused and unknown are not asked again


def test_every_comment_and_reply(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    vid = next(
        str(w.video_id(v)) for v in range(w.size.videos) if w.public(v, EPOCH) and 120 <= w.video_counts(v, EPOCH)["comments"] <= 300
    )
    result = crawl("research_comments", simulator, tmp_path, "-a", f"video_ids={vid}")
    assert result.returncode == 0, result.stderr[-2000:]
    expected = sorted((c["id"], c["parent_comment_id"]) for c in truth(simulator, f"video/{vid}/comments"))
    assert sorted((c["id"], c["parent_comment_id"]) for c in lines(tmp_path / "comments.jsonl")) == expected


def test_depth_2_network_and_its_csv_export(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    seed = next(w.username(u) for u in range(w.size.users) if w.u_verified[u] and not w.u_private[u] and not w.u_refused[u])
    result = crawl("research_network", simulator, tmp_path, "-a", f"seeds={seed}", "-a", "direction=followers", "-a", "depth=2")
    assert result.returncode == 0, result.stderr[-2000:]
    # The truth, walked the same way: lists of hop-0 and hop-1 users; refused users give no list.
    asked, level = follower_network(simulator, seed, 2)
    expected_edges = {(follower, name) for name, followers in asked.items() for follower in followers or []}
    statuses = {name: "refused" if followers is None else "parsed" for name, followers in asked.items()}
    got = {(f["follower"], f["followee"]) for f in lines(tmp_path / "follows.jsonl")}
    assert got == expected_edges and len(got) > 20
    assert {s["username"]: s["status"] for s in lines(tmp_path / "user_statuses.jsonl")} == statuses
    out = tmp_path / "csv"
    export = subprocess.run(
        [sys.executable, "-m", "tiktok", "export", "network-csv", str(tmp_path), str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert export.returncode == 0, export.stderr
    network = list(csv.reader((out / "network.csv").open(encoding="utf-8")))
    assert network[0] == ["source", "destination"] and {tuple(r) for r in network[1:]} == expected_edges
    parsing = {r["username"]: r["status"] for r in csv.DictReader((out / "parsing_list.csv").open(encoding="utf-8"))}
    assert all(parsing[u] == ("1" if s == "parsed" else "2") for u, s in statuses.items())
    queue = [r["username"] for r in csv.DictReader((out / "queue.csv").open(encoding="utf-8"))]
    assert set(queue) == set(level) - set(statuses) and all(parsing[u] == "4" for u in queue)  # the frontier: never asked


def test_liked_pinned_and_reposted(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    names = [w.username(u) for u in range(w.size.users) if not w.u_private[u] and not w.u_refused[u]][:8]
    result = crawl("research_user_videos", simulator, tmp_path, "-a", f"usernames={','.join(names)}")
    assert result.returncode == 0, result.stderr[-2000:]
    videos = lines(tmp_path / "videos.jsonl")
    statuses = lines(tmp_path / "user_statuses.jsonl")
    hidden = {s["username"] for s in statuses if s["source"] == "research_liked"}
    assert hidden and all(s["status"] == "refused" for s in statuses)  # most users hide their likes
    for name in names:
        public = set(truth(simulator, f"user/{name}")["video_ids"])
        pinned = {v["id"] for v in videos if v["source"] == f"pinned:{name}"}
        assert pinned <= public and len(pinned) in (0, min(3, len(public)))  # a user pins up to 3 of their own
    liked = [v for v in videos if v["source"].startswith("liked:")]
    assert liked and {v["source"].split(":", 1)[1] for v in liked}.isdisjoint(hidden)
    assert any(v["source"].startswith("reposted:") for v in videos)


def test_network_plan_asks_only_for_the_seeds_counts(tmp_path: Path, small_world: World) -> None:
    w = small_world
    seed = next(w.username(u) for u in range(w.size.users) if w.u_verified[u] and not w.u_private[u] and not w.u_refused[u])
    with running_simulator("--clock-speed", "0.000001") as base:
        result = crawl("research_network", base, tmp_path, "-a", f"seeds={seed}", "-a", "direction=followers", "-a", "plan=1")
        with urllib.request.urlopen(base + "/__sim__/counters") as resp:
            served = json.load(resp)
        followers = truth(base, f"user/{seed}")["stats"]["followers"]
    assert result.returncode == 0
    assert (
        f"from 1 seed(s) ({seed}: {followers:,} followers)" in result.stdout
        and "Sent for this plan: 1 request(s) (the seeds' user info)." in result.stdout
    )
    assert served.get("/v2/research/user/info/") == 1 and "/v2/research/user/followers/" not in served
