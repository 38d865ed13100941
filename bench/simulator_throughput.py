"""How many JSON API answers per second the simulator gives on one core, against a bare aiohttp
server on the same core in the same run; and how fast the large world starts and how big it is.

Servers are pinned to core 0 and the load generator to core 1 (taskset, where there is one); each
load is bounded in time and sent only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
WORKERS = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(core: int, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *cmd] if shutil.which("taskset") else cmd


def start(cmd: list[str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    started = time.monotonic()
    proc = subprocess.Popen(pinned(0, cmd), cwd=ROOT, stdout=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__sim__/", timeout=1).close()
            return proc, time.monotonic() - started
        except OSError:
            if proc.poll() is not None or time.monotonic() - started > 60:
                raise SystemExit(f"server did not start: {cmd}") from None
            time.sleep(0.05)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(base: str, calls: list[tuple[str, str, dict[str, str], str]]) -> float:
    """Answers per second over SECONDS with WORKERS concurrent clients cycling through `calls`."""
    done = 0
    deadline = time.monotonic() + SECONDS
    async with aiohttp.ClientSession() as session:

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.monotonic() < deadline:
                method, path, headers, body = calls[i % len(calls)]
                async with session.request(method, base + path, headers=headers, data=body or None) as resp:
                    await resp.read()
                    assert resp.status == 200, (path, resp.status)
                done += 1
                i += 1

        started = time.monotonic()
        await asyncio.gather(*(worker(k) for k in range(WORKERS)))
        return done / (time.monotonic() - started)


def simulator_calls(base: str) -> list[tuple[str, str, dict[str, str], str]]:
    limits = {f"{family}_{kind}": 10**12 for family in ("research", "follow") for kind in ("requests", "records")}
    urllib.request.urlopen(urllib.request.Request(base + "/__sim__/quota", data=json.dumps(limits).encode())).close()
    form = b"client_key=sim-demo-key&client_secret=sim-demo-secret&grant_type=client_credentials"
    token = json.load(urllib.request.urlopen(base + "/v2/oauth/token/", data=form))["access_token"]
    users = json.load(urllib.request.urlopen(base + "/__sim__/truth/users"))
    name = next(u["username"] for u in users if not u["private"] and not u["refused"])
    vid = json.load(urllib.request.urlopen(base + "/__sim__/truth/hashtag/fyp"))["video_ids"][0]
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    query = {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}]}
    search = json.dumps({"query": query, "start_date": "20260502", "end_date": "20260530", "max_count": 20})
    return [
        ("POST", "/v2/research/user/info/?fields=display_name,follower_count,likes_count", auth, json.dumps({"username": name})),
        ("POST", "/v2/research/video/query/?fields=id,username,like_count", auth, search),
        ("POST", "/v2/research/user/followers/", auth, json.dumps({"username": name, "max_count": 20})),
        ("GET", "/api/challenge/detail/?challengeName=london", {}, ""),
        ("GET", f"/api/item/detail/?itemId={vid}", {}, ""),
        ("GET", f"/api/comment/list/?aweme_id={vid}&count=20", {}, ""),
    ]  # fmt: skip


def main() -> None:
    print(f"Simulator throughput: {WORKERS} clients for {SECONDS:.0f} s per server; servers on one core")
    port = free_port()
    base_proc, _ = start([sys.executable, "bench/baseline_server.py", str(port)], port)
    try:
        baseline = asyncio.run(load(f"http://127.0.0.1:{port}", [("GET", "/x", {}, "")]))
    finally:
        base_proc.terminate()
        base_proc.wait()
    port = free_port()
    sim_proc, _ = start(
        [sys.executable, "-m", "tiktok.simulator", "--port", str(port)],
        port,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        calls = simulator_calls(base)
        sim = asyncio.run(load(base, calls))
        each = {path.split("?")[0]: asyncio.run(load(base, [call])) for call in calls for path in [call[1]]}
    finally:
        sim_proc.terminate()
        sim_proc.wait()
    print(f"  baseline (bare aiohttp, fixed JSON): {baseline:8.0f} answers/s")
    print(f"  simulator (research + web API mix):  {sim:8.0f} answers/s  = {sim / baseline:.2f} x baseline  (goal: >= 1000/s)")
    for path, rate in each.items():
        print(f"    {path:40s} {rate:8.0f} answers/s")
    port = free_port()
    large, seconds = start([sys.executable, "-m", "tiktok.simulator", "--port", str(port), "--world", "large"], port)
    try:
        print(
            f"  large world (1,000,000 videos): ready in {seconds:.1f} s (goal < 5 s), {rss_mb(large.pid):.0f} MB resident (goal < 1024 MB)"
        )
    finally:
        large.terminate()
        large.wait()


if __name__ == "__main__":
    main()
