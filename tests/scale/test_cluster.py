"""Many workers, one crawl (issue 14), against a real redis-server and the simulator: three workers
on one `video -a comments=all` crawl equal the simulator's truth after the merge, one of them killed
with kill -9 mid-crawl; an unreachable Redis is one line and exit 2; the seen-set in Redis keeps
reserve-then-commit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_reactor_settings
from twisted.python.failure import Failure

from tests.helpers.crawler import RUNLOG
from tests.helpers.redis_process import running_redis
from tests.helpers.sim_process import ROOT, free_port, running_simulator
from tiktok.scale.seen import RedisSeen
from tiktok.scale.worker import TrackedQueue
from tiktok.schema.items import Comment
from tiktok.spiders.foryou import ForYouSpider
from tiktok.storage.store import key_hash

pytestmark = pytest.mark.crawl

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TIKTOK_MEDIA_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False"]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A redis-server of its own: loopback, no persistence."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: run make setup")
    with running_redis() as server:
        yield server.url


@pytest.fixture(scope="module")
def sim() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.0001") as base:  # counts still: truth read after the crawl holds
        yield base


def truth(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}/__sim__/truth/{path}") as resp:
        return json.load(resp)


def worker(base: str, data: Path, url: str, name: str, *args: str, delay: float = 0.05) -> subprocess.Popen[str]:
    """`python -m tiktok work video ...` as its own process (exec'd: its pid is the worker's)."""
    env = {**os.environ, "TIKTOK_REDIS_URL": url, "TIKTOK_WORKER_ID": name, "TIKTOK_WORKER_TTL": "2"}
    cmd = [sys.executable, "-m", "tiktok", "work", "video", *args, "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}"]
    cmd += ["-s", f"DOWNLOAD_DELAY={delay}", *FAST]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def videos_with_comments(base: str, n: int) -> list[str]:
    ids: list[str] = []
    for user in truth(base, "users"):
        if not user["private"]:
            ids += [v for v in truth(base, f"user/{user['username']}")["video_ids"][:2] if truth(base, f"video/{v}/comments")]
        if len(ids) >= n:
            return ids[:n]
    return ids


def test_three_workers_one_killed_equal_the_truth_after_the_merge(sim: str, redis_url: str, tmp_path: Path) -> None:
    ids = videos_with_comments(sim, 12)
    data, merged = tmp_path / "data", tmp_path / "merged"
    # The seeds enqueued first, then three workers started together with no arguments (they join), at
    # a pace that leaves work for each while the others start: under load a worker started a second
    # after the first could find the crawl nearly done.
    env = {**os.environ, "TIKTOK_REDIS_URL": redis_url}
    enqueue = [sys.executable, "-m", "tiktok", "enqueue", "video", "-a", f"ids={','.join(ids)}", "-a", "comments=all"]
    enqueue += ["-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={sim}"]
    subprocess.run(enqueue, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    first, *others = [worker(sim, data, redis_url, name, delay=0.2) for name in ("w1", "w2", "w3")]
    server = redis.Redis.from_url(redis_url)
    for _ in range(1200):  # kill w2 once it has stored something and holds requests
        if (data / "w2" / "comments.jsonl").exists() and server.hlen("tiktok:video:inflight:w2"):
            break
        time.sleep(0.05)
    assert server.hlen("tiktok:video:inflight:w2"), "w2 never held a request"
    others[0].send_signal(signal.SIGKILL)
    codes = [p.wait(timeout=120) for p in (first, others[1])]
    assert codes == [0, 0], [p.stderr.read() if p.stderr else "" for p in (first, others[1])]

    result = subprocess.run([sys.executable, "-m", "tiktok", "merge", str(data), str(merged)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = {c["id"] for v in ids for c in truth(sim, f"video/{v}/comments")}
    comments = records(merged / "comments.jsonl")
    assert len(comments) == len(expected) and {c["id"] for c in comments} == expected  # nothing missing, nothing twice
    assert sorted(v["id"] for v in records(merged / "videos.jsonl")) == sorted(ids)
    assert len({v["run_id"] for v in records(merged / "videos.jsonl")}) == 1  # one crawl, one run
    assert {c["collector"] for c in comments} <= {"w1", "w2", "w3"}  # every record names its worker
    assert records(data / "w3" / "comments.jsonl"), "the joining worker w3 did no work"
    assert not server.exists("tiktok:video:crawl", "tiktok:video:requests", "tiktok:video:dupefilter")  # the crawl ended


def test_an_unreachable_redis_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    env = {**os.environ, "TIKTOK_REDIS_URL": url}
    for command in (
        ["work", "video", "-a", "ids=7642866501908692994"],
        ["enqueue", "video", "-a", "ids=7642866501908692994"],
        ["cluster", "status"],
    ):
        result = subprocess.run([sys.executable, "-m", "tiktok", *command], cwd=ROOT, capture_output=True, text=True, env=env)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and f"cannot reach Redis at {url}" in result.stderr


def test_a_wrong_password_is_one_line_and_never_shown(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", "right-one"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        env = {**os.environ, "TIKTOK_REDIS_URL": f"redis://127.0.0.1:{port}/0", "TIKTOK_REDIS_PASSWORD": "wrong-one"}
        result = subprocess.run([sys.executable, "-m", "tiktok", "cluster", "status"], cwd=ROOT, capture_output=True, text=True, env=env)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and "refused the password" in result.stderr
        assert "wrong-one" not in result.stderr
        env["TIKTOK_REDIS_PASSWORD"] = "right-one"
        result = subprocess.run([sys.executable, "-m", "tiktok", "cluster", "status"], cwd=ROOT, capture_output=True, text=True, env=env)
        assert result.returncode == 0 and "0 worker(s) alive" in result.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_joiner_without_a_crawl_is_told_how_to_start_one(redis_url: str) -> None:
    env = {**os.environ, "TIKTOK_REDIS_URL": redis_url}
    result = subprocess.run([sys.executable, "-m", "tiktok", "work", "sound"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "no crawl of sound in Redis" in result.stderr and result.stderr.count("\n") == 1


def test_seen_keys_are_reserved_then_committed_across_workers(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    server.set("tiktok:alive:a", "{}", px=5000)
    a, b = RedisSeen(server, "a", 600), RedisSeen(server, "b", 600)
    h = key_hash(Comment, {"id": "c1"})
    assert a.reserve(h) and not b.reserve(h) and not a.reserve(h)  # on its way: nobody takes it twice
    a.release(h)
    assert b.reserve(h)  # dropped by a, b may store it
    server.delete("tiktok:alive:b")
    assert a.reserve(h)  # b died holding it: its reservation is not kept against the requeued work
    a.commit(h)
    assert not b.reserve(h) and not a.reserve(h)  # stored: never again


def foryou_crawler(data: Path, personas: str, **settings: Any) -> tuple[Any, ForYouSpider]:
    """The foryou crawler and spider as `scrapy crawl foryou -a personas=...` builds them: the
    spider made while the settings are open, then the settings applied (extensions built)."""
    crawler = Crawler(ForYouSpider, Settings({**get_reactor_settings(), "DATA_DIR": str(data), "TIKTOK_WEB_URL": "http://sim", **settings}))
    spider = crawler.spider = ForYouSpider.from_crawler(crawler, personas=personas)
    assert isinstance(spider, ForYouSpider)
    crawler._apply_settings()  # what Crawler.crawl does next: the RunLog and Worker extensions are built
    return crawler, spider


def persona_worker(tmp_path: Path, redis_url: str, name: str) -> tuple[Any, ForYouSpider, TrackedQueue]:
    """A For-You worker in this process: its crawler with the scale Worker on, the spider of the
    crawl `-a personas=cats,control`, its queue, and an engine that holds what it is given."""
    extensions = {**RUNLOG, "tiktok.scale.worker.Worker": 100}
    crawler, spider = foryou_crawler(
        tmp_path / name, "cats,control", TIKTOK_REDIS_URL=redis_url, TIKTOK_WORKER_ID=name, EXTENSIONS=extensions
    )
    crawler.engine = SimpleNamespace(_slot=SimpleNamespace(inprogress=set()))
    return crawler, spider, TrackedQueue(redis.Redis.from_url(redis_url), spider, "tiktok:foryou:requests")


async def test_personas_are_handed_out_one_to_a_worker(redis_url: str, tmp_path: Path) -> None:
    server = redis.Redis.from_url(redis_url)
    server.delete(*server.keys("tiktok:foryou:*") or ["none"])
    c1, s1, q1 = persona_worker(tmp_path, redis_url, "p1")
    q2 = persona_worker(tmp_path, redis_url, "p2")[2]
    try:
        visits = [request async for request in s1.start()]  # p1 started the crawl: it pushes the seeds
        assert sorted(r.cb_kwargs["persona_name"] for r in visits) == ["cats", "control"]
        for request in visits:
            q1.push(request)
        taken = q1.pop()
        c1.engine._slot.inprogress.add(taken)  # as Scrapy's engine holds a request until its callback is done
        assert q1.pop() is None  # p1 watches one persona at a time: the other is left on the queue
        other = q2.pop()
        assert taken is not None and other is not None
        assert {taken.cb_kwargs["persona_name"], other.cb_kwargs["persona_name"]} == {"cats", "control"}
        profile = Path(taken.meta["playwright_context_kwargs"]["user_data_dir"])  # filled in by the worker that took it
        assert profile == tmp_path / "p1" / "personas" / taken.cb_kwargs["persona_name"] / "profile"
        assert server.hlen("tiktok:foryou:inflight:p1") == server.hlen("tiktok:foryou:inflight:p2") == 1  # each taken once
        assert q2.pop() is None and server.zcard("tiktok:foryou:requests") == 0
        c1.engine._slot.inprogress.clear()  # p1's visit ended: it takes work again, and files it done
        assert q1.pop() is None and server.hlen("tiktok:foryou:inflight:p1") == 0
    finally:
        server.delete(*server.keys("tiktok:foryou:*"), "tiktok:alive:p1", "tiktok:alive:p2")


async def test_personas_on_one_machine_are_watched_in_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOK_REDIS_URL", raising=False)
    spider = foryou_crawler(tmp_path, "cats,control,cats", EXTENSIONS=RUNLOG)[1]
    visits = [request async for request in spider.start()]
    assert [r.cb_kwargs["persona_name"] for r in visits] == ["cats"]  # one browser at a time
    assert [p.name for p in spider.handout] == ["control"]  # the next when cats' visit ends (repeats dropped)
    crawled: list[Any] = []
    crawler: Any = spider.crawler
    crawler.engine = SimpleNamespace(crawl=crawled.append)
    failure = Failure(ConnectionRefusedError("the site is down"))  # type: ignore[no-untyped-call]  # Twisted leaves it unannotated
    failure.request = visits[0]  # type: ignore[attr-defined]  # as Scrapy hands an errback its failure
    await spider.page_failed(failure)  # cats' visit failed: control's turn comes all the same
    assert [r.cb_kwargs["persona_name"] for r in crawled] == ["control"] and not spider.handout
