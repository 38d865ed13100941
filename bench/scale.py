"""Many workers on one crawl through Redis (issue 14): items per second of 1, 2 and 4 workers against
the simulator answering like a remote site (--latency-ms), each worker keeping the project's polite
defaults (DOWNLOAD_DELAY, AutoThrottle, two requests at a time: tiktok/settings.py), through a real
local redis-server. Two plain-HTTP crawls (`video -a comments=all`, `research_network`) and a
browser one (`hashtag`, at 1 and 2 workers, with each worker's memory: its chromium's included).
The baseline is the same crawl by one worker, in the same run; the goal is 4 workers >= 3.2x one.
Each run's merged shards are checked against the simulator's truth: a figure for an incomplete
collection would be meaningless (the bench then exits 1).

    .venv/bin/python -m bench.scale [--latency-ms 150] [--crawls video,research_network,hashtag] [--workers 1,2,4]

The time of a run is from the first request the simulator answers to the last item stored (the
shards' lines, read every 0.2 s): Python's start-up before a worker's first request is left out,
a later worker's start-up is not. The wall time from launch to the last exit is printed beside it,
with the CPU the workers, the simulator and Redis used. Media and OCR are off: they are not what is
spread over workers here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis

from bench.procstat import children_cpu, cpu_seconds
from bench.results import result as result_line
from tests.helpers.crawl import SIM_CREDENTIALS, lines
from tests.helpers.redis_process import running_redis
from tests.helpers.sim_process import ROOT, follower_network, free_port, truth, wait_for
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage import shards

GOAL = 3.2


@contextmanager
def simulator(log: Path, *args: str) -> Iterator[tuple[str, int]]:
    """The simulator as its own process (tests/helpers' running_simulator, with its pid kept), its
    messages in `log` (a browser closing a page mid-request makes aiohttp log the lost connection)."""
    port = free_port()
    cmd = [sys.executable, "-m", "tiktok.simulator", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/__sim__/")
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass
class Crawl:
    """One crawl to spread: its spider, its arguments, and the truth its merged shards must equal."""

    spider: str
    arguments: list[str]
    expected: dict[str, set[Any]]  # file -> the keys every record of it must make up, exactly
    key: dict[str, Any]  # file -> how a record's key is read

    def check(self, merged: Path) -> tuple[bool, str]:
        """(complete, what was found) of a merged copy against the truth."""
        parts, ok = [], True
        for name, want in self.expected.items():
            got = [self.key[name](r) for r in lines(merged / f"{name}.jsonl")]
            missing, extra, twice = len(want - set(got)), len(set(got) - want), len(got) - len(set(got))
            ok = ok and not (missing or extra or twice)
            parts.append(f"{name} {len(set(got) & want)}/{len(want)} (missing {missing}, unexpected {extra}, twice {twice})")
        return ok, ", ".join(parts)


def video_crawl(base: str, videos: int) -> Crawl:
    """`video -a comments=all` over `videos` public videos with a few comments each (a long
    comment thread is a chain of pages only one worker at a time can follow)."""
    ids: list[str] = []
    comments: set[str] = set()
    for user in truth(base, "users"):
        if user["private"]:
            continue
        for v in truth(base, f"user/{user['username']}")["video_ids"][:3]:
            found = {c["id"] for c in truth(base, f"video/{v}/comments")}
            if 2 <= len(found) <= 40:
                ids.append(v)
                comments |= found
        if len(ids) >= videos:
            break
    ids = ids[:videos]
    comments = {c["id"] for v in ids for c in truth(base, f"video/{v}/comments")}
    return Crawl(
        "video",
        ["-a", f"ids={','.join(ids)}", "-a", "comments=all"],
        {"videos": set(ids), "comments": comments},
        {"videos": lambda r: r["id"], "comments": lambda r: r["id"]},
    )


def network_crawl(base: str, users: int) -> Crawl:
    """`research_network` of followers, depth 2, from one verified public user with about `users`
    public followers: every asked user's status, and an edge per public follower of each (walked as
    the spider walks, breadth-first)."""
    candidates = [u["username"] for u in truth(base, "users") if u["verified"] and not u["private"] and not u["refused"]]
    followers = {name: len(truth(base, f"user/{name}")["public_followers"]) for name in candidates[:300]}
    big_enough = [name for name in followers if followers[name] >= users]
    seed = min(big_enough, key=followers.__getitem__) if big_enough else max(followers, key=followers.__getitem__)
    chosen = [seed]
    asked, _ = follower_network(base, seed, 2)
    edges = {(follower, name) for name, followers in asked.items() for follower in followers or []}
    return Crawl(
        "research_network",
        ["-a", f"seeds={','.join(chosen)}", "-a", "direction=followers", "-a", "depth=2"],
        {"follows": edges, "user_statuses": set(asked)},
        {"follows": lambda r: (r["follower"], r["followee"]), "user_statuses": lambda r: r["username"]},
    )


def hashtag_crawl(base: str, tags: int) -> Crawl:
    """`hashtag` (a browser scrolling each tag page) over `tags` hashtags of 20 to 80 listed videos
    each: every video the site lists for each, under the source `hashtag:<name>`."""
    listed: dict[str, list[str]] = {}
    looked: set[str] = set()
    for user in truth(base, "users"):
        for video in truth(base, f"user/{user['username']}")["video_ids"][:2]:
            for name in set(truth(base, f"video/{video}")["hashtags"]) - looked:
                looked.add(name)
                reachable = truth(base, f"hashtag/{quote(name)}")["reachable"]
                if 20 <= len(reachable) <= 80:
                    listed[name] = reachable
        if len(listed) >= tags:
            break
    listed = dict(list(listed.items())[:tags])
    return Crawl(
        "hashtag",
        ["-a", f"hashtags={','.join(listed)}"],
        {"videos": {(f"hashtag:{name}", v) for name, ids in listed.items() for v in ids}},
        {"videos": lambda r: (r["source"], r["id"])},
    )


def tree_pss(pid: int, children: dict[int, list[int]]) -> tuple[int, int]:
    """Memory (bytes, proportional set size: a page shared by n processes counts 1/n in each) of a
    process, and of its descendants (chromium's processes, Playwright's driver)."""

    def pss(p: int) -> int:
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:  # ended meanwhile
            return 0
        return next((int(line.split()[1]) * 1024 for line in text.splitlines() if line.startswith("Pss:")), 0)

    below, todo = 0, list(children.get(pid, []))
    while todo:
        p = todo.pop()
        below += pss(p)
        todo += children.get(p, [])
    return pss(pid), below


def process_children() -> dict[int, list[int]]:
    """Every process's children, from /proc (Linux)."""
    out: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return out


def stored(data: Path) -> int:
    """Records stored so far across the shards (lines of the item files)."""
    total = 0
    for name in ITEM_TYPES:
        for path in data.glob(f"*/{name}.jsonl"):
            with path.open("rb") as f:
                total += sum(1 for _ in f)
    return total


def served(base: str) -> int:
    with urllib.request.urlopen(base + "/__sim__/counters") as resp:
        return sum(n for name, n in json.load(resp).items() if " " not in name and name != "/robots.txt")


@dataclass
class Run:
    workers: int
    items: int
    seconds: float  # first answer to last item stored
    wall: float  # launch to the last worker's exit
    start: float  # launch to the first answer (Python and Scrapy starting)
    complete: bool
    found: str
    codes: list[int]
    cpu: dict[str, float]  # CPU seconds from launch to the last exit: the workers together, the simulator, Redis
    peak: tuple[int, int]  # peak bytes (PSS) of a worker process, and of a worker's descendants (its chromium)

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    def detail(self) -> str:
        end = self.wall - self.start - self.seconds
        return (
            f"{self.items} items in {self.seconds:.1f} s (wall {self.wall:.1f} s: {self.start:.1f} s to the first answer, "
            f"{end:.1f} s from the last item to the last exit); exit codes {self.codes}; "
            f"{'complete' if self.complete else 'INCOMPLETE'}: {self.found}\n"
            "  CPU from launch to the last exit: "
            + ", ".join(f"{who} {seconds:.1f} s ({seconds / self.wall:.2f} cores)" for who, seconds in self.cpu.items())
            + (
                f"\n  peak memory of one worker: {self.peak[0] / 2**20:.0f} MiB, its chromium and Playwright driver "
                f"{self.peak[1] / 2**20:.0f} MiB (proportional set size, at the peak)"
                if self.peak[0]
                else ""
            )
        )


def run(crawl: Crawl, n: int, base: str, url: str, work: Path, pids: dict[str, int], track_memory: bool) -> Run:
    """Enqueues the crawl, starts n workers together, and follows the shards until they exit."""
    redis.Redis.from_url(url).flushdb()  # queue, seen-keys and quota ledger of the last run
    urllib.request.urlopen(urllib.request.Request(base + "/__sim__/counters/reset", method="POST")).close()
    body = json.dumps({"reset": True, "follow_requests": 1_000_000, "research_requests": 1_000_000}).encode()
    urllib.request.urlopen(urllib.request.Request(base + "/__sim__/quota", data=body, method="POST")).close()
    data = work / f"{crawl.spider}-{n}w"
    env = {**os.environ, **SIM_CREDENTIALS, "TIKTOK_REDIS_URL": url}
    common = ["-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}", "-s", f"TIKTOK_API_URL={base}"]
    common += ["-s", "TIKTOK_MEDIA_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False"]
    enqueue = [sys.executable, "-m", "tiktok", "enqueue", crawl.spider, *crawl.arguments, *common]
    subprocess.run(enqueue, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    launched = time.monotonic()
    cpu_before = {"workers": children_cpu(), **{who: cpu_seconds(pid) for who, pid in pids.items()}}
    procs = []
    for i in range(1, n + 1):
        log = (work / f"{crawl.spider}-{n}w-w{i}.log").open("w")
        cmd = [sys.executable, "-m", "tiktok", "work", crawl.spider, *common]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env={**env, "TIKTOK_WORKER_ID": f"w{i}"}, stdout=log, stderr=log))
    first: float | None = None
    last, count = launched, 0
    peak = (0, 0)  # the largest worker process and the largest worker's descendants, bytes (PSS)
    while any(p.poll() is None for p in procs):
        time.sleep(0.2)
        now = time.monotonic()
        if first is None and served(base):
            first = now
        latest = stored(data)
        if latest != count:
            last, count = now, latest
        if track_memory:
            tree = process_children()
            for proc in procs:
                own, below = tree_pss(proc.pid, tree)
                peak = (max(peak[0], own), max(peak[1], below))
    wall = time.monotonic() - launched
    cpu_after = {"workers": children_cpu(), **{who: cpu_seconds(pid) for who, pid in pids.items()}}
    count = stored(data)
    merged = work / f"{crawl.spider}-{n}w-merged"
    problems: list[str] = []
    shards.merge(data, merged, problems)
    complete, found = crawl.check(merged)
    start = (first or launched) - launched
    cpu = {who: cpu_after[who] - cpu_before[who] for who in cpu_before}
    codes = [p.returncode for p in procs]
    return Run(n, count, last - launched - start, wall, start, complete and not problems, found, codes, cpu, peak)


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--latency-ms", type=int, default=150, help="the simulator's wait per answer (default 150)")
    p.add_argument(
        "--crawls", default="video,research_network,hashtag", help="comma-separated: video, research_network, hashtag (a browser crawl)"
    )
    p.add_argument("--workers", default="1,2,4", help="worker counts, the first the baseline (default 1,2,4)")
    p.add_argument("--videos", type=int, default=15, help="videos in the video crawl (default 15: ~1.5 min at 1 worker)")
    p.add_argument(
        "--users", type=int, default=250, help="about this many users asked in the research_network crawl (default 250: ~70 s at 1 worker)"
    )
    p.add_argument("--tags", type=int, default=6, help="hashtags in the browser crawl (default 6)")
    p.add_argument("--browsers", type=int, default=2, help="most workers of the browser crawl, a chromium each (default 2)")
    p.add_argument("--keep", type=Path, help="keep the shards and worker logs in this new directory (default: a temporary one)")
    args = p.parse_args()
    if shutil.which("redis-server") is None:
        print("bench.scale: redis-server is not installed: run make setup", file=sys.stderr)
        return 2
    counts = [int(n) for n in args.workers.split(",")]
    print(f"Workers on one crawl through Redis: simulator world medium, --latency-ms {args.latency_ms}, polite defaults per worker")
    print(f"  (machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start: other jobs share it)")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        missed = spread(args, counts, work)
    return 1 if missed else 0


def spread(args: argparse.Namespace, counts: list[int], work: Path) -> bool:
    """Every crawl at every worker count; whether any collection was incomplete."""
    missed = False
    sim_args = ("--world", "medium", "--clock-speed", "0.0001", "--latency-ms", str(args.latency_ms))
    with simulator(work / "simulator.log", *sim_args) as (base, sim_pid), running_redis() as redis_server:
        pids, url = {"simulator": sim_pid, "redis": redis_server.pid}, redis_server.url
        for name in args.crawls.split(","):
            crawl = (
                video_crawl(base, args.videos)
                if name == "video"
                else network_crawl(base, args.users)
                if name == "research_network"
                else hashtag_crawl(base, args.tags)
            )
            baseline: Run | None = None
            for n in counts if name != "hashtag" else [n for n in counts if n <= args.browsers]:
                result = run(crawl, n, base, url, work, pids, track_memory=name == "hashtag")
                baseline = baseline or result
                ratio = result.rate / baseline.rate
                print(f"{name}, {n} worker(s): {result.detail()}")
                goal = f">= {GOAL} x one worker" if n == 4 else ""
                print(
                    result_line(
                        f"scale.{name}.{n}w",
                        f"{result.rate:.2f} items/s",
                        f"1 worker {baseline.rate:.2f} items/s",
                        ratio,
                        goal,
                        ratio >= GOAL,
                    )
                )
                missed = missed or not result.complete
    return missed


if __name__ == "__main__":
    sys.exit(main())
