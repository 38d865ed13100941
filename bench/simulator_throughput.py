"""How many JSON API answers per second the simulator gives on one core, against a bare aiohttp
server on the same core in the same run: alone, and while four crawl workers crawl it (issue #15:
"at least 1,000 JSON answers/s on one core while four workers crawl it"); and how fast the large
world starts and how big it is.

Servers are pinned to core 0, the crawl workers to core 1 (taskset, where there is one); each load
is bounded in time and sent only to 127.0.0.1. With the workers, the figure is every JSON answer
(/api/ and /v2/, status 200) the simulator's own counters saw in the measured window, the workers'
and the load clients' together, and the simulator's CPU time in that window says whether it was
the bottleneck. BENCH_SECONDS sets the window (default 5 s); BENCH_SIM_PROFILE=FILE writes a
cProfile of the simulator during the four-worker run (sorted by own time: `python -m pstats FILE`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import aiohttp

from bench.procstat import cpu_seconds
from bench.results import result
from tests.helpers.sim_process import free_port

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
WORKERS = 32
CRAWLERS = 4
GOAL = 1000  # JSON answers/s with the crawl workers
# The workers crawl as fast as they can (no politeness delay, eight requests at a time) and store
# only the data: the point is the simulator's load, not the workers' media.
CRAWL_SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
CRAWL_SETTINGS += ["TIKTOK_MEDIA_ENABLED=False", "TIKTOK_OCR_ENABLED=False", "LOG_LEVEL=WARNING"]


def pinned(core: int, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *cmd] if shutil.which("taskset") else cmd


def start(cmd: list[str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    started = time.monotonic()
    proc = subprocess.Popen(pinned(0, cmd), cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
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


def get(base: str, path: str) -> object:
    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.load(resp)


def json_answers(base: str) -> Counter[str]:
    """The JSON answers (status 200 of /api/ and /v2/ routes) the simulator counted, per route."""
    served = get(base, "/__sim__/counters")
    assert isinstance(served, dict)
    return Counter({k[:-4]: v for k, v in served.items() if k.startswith(("/api/", "/v2/")) and k.endswith(" 200")})


def crawl_workers(base: str, folder: Path) -> list[subprocess.Popen[bytes]]:
    """Four `scrapy crawl video -a comments=all` over disjoint quarters of the world's videos (600
    in the small world: enough to keep each busy past the window), each with its own DATA_DIR (one
    writer per data directory), pinned to core 1."""
    users = get(base, "/__sim__/truth/users")
    assert isinstance(users, list)
    ids = [vid for u in users for vid in get(base, f"/__sim__/truth/user/{u['username']}")["video_ids"]]  # type: ignore[index]
    workers = []
    for k in range(CRAWLERS):
        (folder / f"ids-{k}.txt").write_text("\n".join(ids[k::CRAWLERS]) + "\n")
        cmd = [sys.executable, "-m", "scrapy", "crawl", "video", "-a", f"file={folder / f'ids-{k}.txt'}", "-a", "comments=all"]
        cmd += ["-s", f"DATA_DIR={folder / f'worker-{k}'}", "-s", f"TIKTOK_WEB_URL={base}", "-s", f"TIKTOK_API_URL={base}"]
        cmd += [arg for setting in CRAWL_SETTINGS for arg in ("-s", setting)]
        log = (folder / f"worker-{k}.log").open("wb")
        workers.append(subprocess.Popen(pinned(1, cmd), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    return workers


def while_crawled(base: str, sim_pid: int, calls: list[tuple[str, str, dict[str, str], str]]) -> dict[str, float]:
    """The simulator's JSON answers/s while four crawl workers crawl it and the load clients run:
    the window starts once every worker is reading comments, and must end with all four still at it."""
    with tempfile.TemporaryDirectory() as tmp:
        workers = crawl_workers(base, Path(tmp))
        try:
            deadline = time.monotonic() + 120
            while json_answers(base)["/api/comment/list/"] < 20 * CRAWLERS:
                if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                    raise SystemExit(f"the crawl workers did not start crawling (their logs: {tmp})")
                time.sleep(0.5)
            before, cpu, started = json_answers(base), cpu_seconds(sim_pid), time.monotonic()
            clients = asyncio.run(load(base, calls))
            after, cpu, seconds = json_answers(base), cpu_seconds(sim_pid) - cpu, time.monotonic() - started
            crawling = sum(w.poll() is None for w in workers)
        finally:
            for w in workers:
                if w.poll() is None:
                    os.killpg(w.pid, signal.SIGKILL)  # the bench's own workers; their data is thrown away
                w.wait()
    served = after - before
    total = sum(served.values())
    return {
        "total": total / seconds,
        "clients": clients,
        "workers": (total - clients * seconds) / seconds,
        "busy": cpu / seconds,
        "per_cpu": total / cpu,
        "crawling": crawling,
    }


def main() -> None:
    print(f"Simulator throughput: {WORKERS} clients for {SECONDS:.0f} s per server; servers on one core")
    port = free_port()
    base_proc, base_ready = start([sys.executable, "bench/baseline_server.py", str(port)], port)
    try:
        base_rss, cpu = rss_mb(base_proc.pid), cpu_seconds(base_proc.pid)
        baseline = asyncio.run(load(f"http://127.0.0.1:{port}", [("GET", "/x", {}, "")]))
        baseline_cpu = baseline * SECONDS / (cpu_seconds(base_proc.pid) - cpu)
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
    profile = os.environ.get("BENCH_SIM_PROFILE")
    crawled = with_workers(profile)
    print(f"  baseline (bare aiohttp, fixed JSON): {baseline:8.0f} answers/s")
    print(f"  simulator (research + web API mix):  {sim:8.0f} answers/s  = {sim / baseline:.2f} x baseline")
    for path, rate in each.items():
        print(f"    {path:40s} {rate:8.0f} answers/s")
    total, per_cpu = crawled["total"], crawled["per_cpu"]
    met = per_cpu >= GOAL and crawled["crawling"] == CRAWLERS
    print(
        f"  simulator while {CRAWLERS} workers crawl it (scrapy crawl video -a comments=all, on core 1) and the clients run:\n"
        f"    JSON answers served: {total:8.0f} /s = {total / baseline:.2f} x baseline; "
        f"to the load clients {crawled['clients']:.0f} /s, to the workers {crawled['workers']:.0f} /s; "
        f"{crawled['crawling']:.0f} of {CRAWLERS} workers crawling to the end\n"
        f"    simulator CPU: {crawled['busy']:.0%} of its core in the window{' (under cProfile: slower)' if profile else ''}\n"
        f"    JSON answers per CPU second (one whole core): {per_cpu:8.0f} = {per_cpu / baseline_cpu:.2f} x baseline's "
        f"{baseline_cpu:.0f}  (goal: >= {GOAL}/s: {'met' if met else 'MISSED'})"
    )
    port = free_port()
    large, seconds = start([sys.executable, "-m", "tiktok.simulator", "--port", str(port), "--world", "large"], port)
    try:
        resident = rss_mb(large.pid)
        print(f"  large world (1,000,000 videos): ready in {seconds:.1f} s (goal < 5 s), {resident:.0f} MB resident (goal < 1024 MB)")
    finally:
        large.terminate()
        large.wait()
    print(result("simulator_json_answers", f"{sim:.0f} answers/s", f"bare aiohttp {baseline:.0f} answers/s", sim / baseline))
    figure, against = f"{total:.0f} answers/s", f"bare aiohttp {baseline:.0f} answers/s"
    print(result(f"simulator_json_answers_{CRAWLERS}_workers", figure, against, total / baseline))
    figure, against = f"{per_cpu:.0f} answers per CPU second", f"bare aiohttp {baseline_cpu:.0f} answers per CPU second"
    print(result(f"simulator_json_answers_per_core_{CRAWLERS}_workers", figure, against, per_cpu / baseline_cpu, f">= {GOAL}/s", met))
    against = f"bare aiohttp {base_ready:.1f} s"
    print(result("simulator_large_world_ready", f"{seconds:.1f} s", against, seconds / base_ready, "< 5 s", seconds < 5))
    against = f"bare aiohttp {base_rss:.0f} MB"
    print(result("simulator_large_world_rss", f"{resident:.0f} MB", against, resident / base_rss, "< 1024 MB", resident < 1024))


def with_workers(profile: str | None) -> dict[str, float]:
    """A fresh simulator on core 0 (under cProfile when `profile` names a file), crawled by the
    workers while the load clients run."""
    port = free_port()
    python = [sys.executable, "-m", "cProfile", "-o", profile] if profile else [sys.executable]
    sim_proc, _ = start([*python, "-m", "tiktok.simulator", "--port", str(port)], port)
    try:
        base = f"http://127.0.0.1:{port}"
        return while_crawled(base, sim_proc.pid, simulator_calls(base))
    finally:
        sim_proc.send_signal(signal.SIGINT)  # aiohttp stops on it, and cProfile then writes its file
        sim_proc.wait()


if __name__ == "__main__":
    main()
