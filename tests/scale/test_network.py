"""The Research API across machines (issue 14), against a real redis-server and the simulator:
three `research_network` workers share one frontier and one quota ledger in Redis. With quota
enough they equal the simulator's truth, Redis restarted mid-crawl included (it keeps its data in
an append-only file, as scripts/cluster.sh runs it); with too little, every worker stops with the
quota verdict (exit 4) and the requests spent across workers equal the simulator's own count,
never more than the quota. The ledger and the frontier's hops are tested in-process on the same Redis."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.helpers.crawl import SIM_CREDENTIALS, lines
from tests.helpers.redis_process import RedisServer, running_redis
from tests.helpers.sim_process import ROOT, follower_network, running_simulator
from tiktok.research.ledger import RedisLedger
from tiktok.scale.network import SharedNetwork
from tiktok.simulator.world import World

pytestmark = pytest.mark.crawl

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TIKTOK_MEDIA_ENABLED=False"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: run make setup")
    with running_redis(tmp_path_factory.mktemp("redis")) as redis_server:  # append-only: a restart keeps the crawl
        yield redis_server


@pytest.fixture(scope="module")
def sim() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.0001") as base:
        yield base


def seed_of(small_world: World) -> str:
    w = small_world
    return next(w.username(u) for u in range(w.size.users) if w.u_verified[u] and not w.u_private[u] and not w.u_refused[u])


def set_quota(base: str, follow_requests: int) -> None:
    body = json.dumps({"reset": True, "follow_requests": follow_requests}).encode()
    urllib.request.urlopen(urllib.request.Request(base + "/__sim__/quota", data=body, method="POST")).close()


def sim_spent(base: str) -> int:
    with urllib.request.urlopen(base + "/__sim__/quota") as resp:
        return int(json.load(resp)["follow"]["requests"])


def command(
    verb: str, base: str, data: Path, url: str, name: str, quota: int, *args: str, delay: float = 0.05
) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, **SIM_CREDENTIALS, "TIKTOK_REDIS_URL": url, "TIKTOK_WORKER_ID": name, "TIKTOK_WORKER_TTL": "5"}
    cmd = [sys.executable, "-m", "tiktok", verb, "research_network", *args, "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_API_URL={base}"]
    cmd += ["-s", f"TIKTOK_QUOTA_FOLLOW_REQUESTS={quota}", *FAST, "-s", f"DOWNLOAD_DELAY={delay}"]
    return cmd, env


def worker(base: str, data: Path, url: str, name: str, quota: int, *args: str, delay: float = 0.05) -> subprocess.Popen[str]:
    cmd, env = command("work", base, data, url, name, quota, *args, delay=delay)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def three_workers(base: str, data: Path, url: str, quota: int, seed: str) -> list[subprocess.Popen[str]]:
    first = worker(base, data, url, "n1", quota, "-a", f"seeds={seed}", "-a", "direction=followers", "-a", "depth=2")
    time.sleep(1.0)  # the first claims the crawl; the others join with no arguments
    return [first, *(worker(base, data, url, name, quota) for name in ("n2", "n3"))]


def collected(data: Path, name: str) -> list[dict[str, Any]]:
    return [r for shard in sorted(data.iterdir()) if shard.is_dir() for r in lines(shard / name)]


def ledger_spent(url: str) -> int:
    return RedisLedger(redis.Redis.from_url(url), {}).today("follow")["requests"]


def test_three_workers_equal_the_truth_through_a_redis_restart(sim: str, server: RedisServer, tmp_path: Path, small_world: World) -> None:
    seed = seed_of(small_world)
    asked, _ = follower_network(sim, seed, 2)
    set_quota(sim, 10_000)
    redis.Redis.from_url(server.url).flushdb()
    # The seeds enqueued first, then three workers started together with no arguments (the README's
    # way), each at a pace that leaves work for the others while they start.
    enqueue, env = command(
        "enqueue", sim, tmp_path, server.url, "q", 10_000, "-a", f"seeds={seed}", "-a", "direction=followers", "-a", "depth=2"
    )
    subprocess.run(enqueue, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    workers = [worker(sim, tmp_path, server.url, name, 10_000, delay=0.2) for name in ("n1", "n2", "n3")]
    for _ in range(400):  # Redis goes away once the workers are busy
        if len(collected(tmp_path, "user_statuses.jsonl")) >= 2:
            break
        time.sleep(0.05)
    server.stop()
    time.sleep(1.5)
    server.start()
    codes = [p.wait(timeout=120) for p in workers]
    logs = [p.stderr.read() if p.stderr else "" for p in workers]
    assert codes == [0, 0, 0], [log[-2000:] for log in logs]
    assert any("the worker waits for it" in log and "Redis answers again" in log for log in logs)

    expected = {(follower, name) for name, followers in asked.items() for follower in followers or []}
    follows = collected(tmp_path, "follows.jsonl")
    assert {(f["follower"], f["followee"]) for f in follows} == expected and len(follows) == len(expected) > 20
    statuses = collected(tmp_path, "user_statuses.jsonl")
    assert sorted(s["username"] for s in statuses) == sorted(asked)  # every user asked once, by one worker
    assert {s["username"]: s["status"] for s in statuses} == {n: "refused" if f is None else "parsed" for n, f in asked.items()}
    assert len({s["collector"] for s in statuses}) >= 2  # the work was shared
    assert ledger_spent(server.url) == sim_spent(sim)  # one ledger, every request the API counted


def test_too_little_quota_stops_every_worker_within_it(sim: str, server: RedisServer, tmp_path: Path, small_world: World) -> None:
    quota = 12
    set_quota(sim, quota)
    redis.Redis.from_url(server.url).flushdb()
    workers = three_workers(sim, tmp_path, server.url, quota, seed_of(small_world))
    codes = [p.wait(timeout=120) for p in workers]
    logs = [p.stderr.read() if p.stderr else "" for p in workers]
    assert codes == [4, 4, 4], [log[-2000:] for log in logs]  # the quota verdict, each worker
    assert all("daily quota reached" in log and "run the same command after" in log for log in logs)
    assert ledger_spent(server.url) == sim_spent(sim) == quota  # spent across workers: the quota, not one more
    queued = redis.Redis.from_url(server.url).zcard("tiktok:research_network:requests")
    assert queued > 0  # what the quota cut stays queued for the next day's workers


def test_the_ledger_takes_no_more_than_the_quota_and_closes_the_day(server: RedisServer) -> None:
    client = redis.Redis.from_url(server.url)
    ledger = RedisLedger(client, {"research": (3, 100), "follow": (5, 100)})
    client.delete(ledger.key("research"), ledger.key("follow"))
    assert [ledger.take("research") for _ in range(4)] == [True, True, True, False]
    ledger.add("research", records=7)
    assert ledger.today("research") == {"requests": 3, "records": 7}
    assert ledger.take("follow")  # its own family
    ledger.close_day("follow")  # the API said daily_quota_limit_exceeded
    assert not ledger.take("follow") and ledger.today("follow")["requests"] == 1


def test_a_frontier_lost_mid_crawl_makes_the_run_partial(sim: str, server: RedisServer, tmp_path: Path, small_world: World) -> None:
    """Redis emptied under a running crawl (FLUSHDB: as a restart without persistence leaves it): the
    worker cannot know what was queued there, so its run ends partial (exit 3), never complete."""
    set_quota(sim, 10_000)
    client = redis.Redis.from_url(server.url)
    client.flushdb()
    proc = worker(sim, tmp_path, server.url, "n1", 10_000, "-a", f"seeds={seed_of(small_world)}", "-a", "direction=followers", delay=0.3)
    for _ in range(400):  # the crawl is under way: its record is in Redis and a page is stored
        if client.exists("tiktok:research_network:crawl") and collected(tmp_path, "follows.jsonl"):
            break
        time.sleep(0.05)
    client.flushdb()
    code = proc.wait(timeout=120)
    log = proc.stderr.read() if proc.stderr else ""
    assert code == 3, log[-2000:]
    assert "was lost mid-crawl" in log and "Verdict: partial" in log
    ended = [r for r in lines(tmp_path / "n1" / "runs.jsonl") if r.get("event") == "ended"]
    assert [r["verdict"] for r in ended] == ["partial"]


def test_the_shared_frontier_keeps_each_users_shortest_hop(server: RedisServer) -> None:
    """Lists ending out of breadth-first order, as workers end them: a user found at hop 2 first and
    at hop 1 later gets hop 1 and is requested once; at depth 3 a user brought closer after its own
    list was read brings that list's users closer too."""
    redis.Redis.from_url(server.url).flushdb()
    shared = SharedNetwork(redis.Redis.from_url(server.url), "research_network", None)
    assert shared.seed(["alice", "bob"]) == ["alice", "bob"]
    assert shared.finish("alice", "parsed", ["fay"], 2) == [("fay", 1)]
    assert shared.finish("fay", "parsed", ["xena"], 2) == []  # hop 2: beyond depth 2
    assert shared.finish("bob", "parsed", ["xena", "fay"], 2) == [("xena", 1)]
    assert shared.finish("bob", "parsed", [], 2) == [("xena", 1)]  # read again, xena not asked yet: requested again
    assert shared.finish("xena", "parsed", [], 2) == [] and shared.finish("bob", "parsed", [], 2) == []

    redis.Redis.from_url(server.url).flushdb()
    shared.seed(["alice", "bob"])
    shared.finish("alice", "parsed", ["fay"], 3)
    assert shared.finish("fay", "parsed", ["xena"], 3) == [("xena", 2)]
    assert shared.finish("xena", "parsed", ["yan"], 3) == []  # yan at hop 3: beyond depth 3, for now
    assert shared.finish("bob", "parsed", ["xena"], 3) == [("yan", 2)]  # xena's list was read: yan moves closer
    assert shared.counts() == {"known": 5, "asked": 4}
