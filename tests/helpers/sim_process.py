"""The simulator as a process, and crawls of it with the helper spider, for end-to-end tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 20) -> None:
    """Until a server that is starting answers `url` (or `seconds` pass: the test then fails on its
    first request, with that request's error)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


@contextmanager
def running_simulator(*args: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tiktok.simulator", "--port", str(port), *args], cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/__sim__/")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def set_faults(base: str, faults: dict[str, float]) -> None:
    request = urllib.request.Request(base + "/__sim__/faults", data=json.dumps(faults).encode(), method="POST")
    urllib.request.urlopen(request).close()


def advance(base: str, seconds: float) -> float:
    """Moves the simulator's clock; returns its new time."""
    request = urllib.request.Request(base + "/__sim__/clock", data=json.dumps({"advance": seconds}).encode(), method="POST")
    with urllib.request.urlopen(request) as resp:
        return float(json.load(resp)["now"])


def truth(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}/__sim__/truth/{path}") as resp:
        return json.load(resp)


def crawl_feed(base: str, data: Path, *args: str) -> tuple[list[dict[str, Any]], float]:
    """Runs tests/helpers/simfeed_spider.py against the simulator; returns the videos stored."""
    cmd = [sys.executable, "-m", "scrapy", "runspider", "tests/helpers/simfeed_spider.py", "-s", f"DATA_DIR={data}"]
    cmd += ["-s", f"TIKTOK_WEB_URL={base}", *args]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    videos = [json.loads(line) for line in (data / "videos.jsonl").read_text(encoding="utf-8").splitlines()]
    return videos, time.monotonic() - started


def followers_by_hop(base: str, seeds: list[str], depth: int) -> tuple[dict[str, list[str] | None], dict[str, int]]:
    """The truth walked level by level from every seed at once: the lists of the users within
    `depth` (None: refused or private, a status not a list) and every user's shortest hop."""
    asked: dict[str, list[str] | None] = {}
    hop = dict.fromkeys(seeds, 0)
    level = list(seeds)
    for distance in range(1, depth + 1):
        found = []
        for name in level:
            info = truth(base, f"user/{name}")
            asked[name] = None if info["refused"] or info["private"] else list(info["public_followers"])
            for follower in asked[name] or []:
                if follower not in hop:
                    hop[follower] = distance
                    found.append(follower)
        level = found
    return asked, hop


def follower_network(base: str, seed: str, depth: int) -> tuple[dict[str, list[str] | None], list[str]]:
    """The truth a followers crawl from `seed` must find, walked breadth-first as research_network
    walks it: each asked user's public followers (None: refused or private, a status not a list),
    and the frontier found at `depth`, never asked."""
    asked, hop = followers_by_hop(base, [seed], depth)
    return asked, [name for name, distance in hop.items() if distance == depth]
