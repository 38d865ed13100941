"""Research API efficiency against the simulator's request counters (issue #6):

1. records per request on a complete crawl, against the ideal: each window's records divided by
   ceil(records / 100) pages;
2. requests after a kill -9 and a resume, against the pages that were still left.

A baseline in the same run: the ideal itself, computed from the simulator's truth.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.results import result
from tests.helpers.sim_process import ROOT, running_simulator

WINDOWS = [("20260401", "20260430"), ("20260501", "20260524")]
QUERY = {"or": [{"field_name": "region_code", "operation": "IN", "field_values": ["US", "GB", "FR", "DE"]}]}
ENV = {**os.environ, "TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}


def control(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, method="POST" if data else "GET")) as resp:
        return json.load(resp)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        query = Path(tmp) / "q.yaml"
        query.write_text(
            json.dumps({"name": "bench", "query": QUERY, "start": "2026-04-01", "end": "2026-05-24", "max_count": 100}), encoding="utf-8"
        )
        query = query.rename(query.with_suffix(".json"))
        with running_simulator("--clock-speed", "0.000001") as base:
            sizes = [
                len(control(base, "/__sim__/truth/research/video_query", {"query": QUERY, "start_date": s, "end_date": e})["video_ids"])
                for s, e in WINDOWS
            ]
            ideal_pages = sum(max(1, math.ceil(n / 100)) for n in sizes)
            cmd = [sys.executable, "-m", "scrapy", "crawl", "research_videos", "-a", f"query={query}", "-s", f"TIKTOK_API_URL={base}"]
            subprocess.run([*cmd, "-s", f"DATA_DIR={tmp}/full"], cwd=ROOT, env=ENV, check=True, capture_output=True)
            requests = control(base, "/__sim__/counters")["/v2/research/video/query/"]
            stored = len((Path(tmp) / "full" / "videos.jsonl").read_text(encoding="utf-8").splitlines())
        with running_simulator("--clock-speed", "0.000001") as base:
            proc = subprocess.Popen(
                [*cmd[:-2], "-s", f"TIKTOK_API_URL={base}", "-s", f"DATA_DIR={tmp}/killed", "-s", "DOWNLOAD_DELAY=1"],
                cwd=ROOT,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            videos = Path(tmp) / "killed" / "videos.jsonl"
            while not (videos.exists() and len(videos.read_bytes().splitlines()) >= 150):
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            before = control(base, "/__sim__/counters")["/v2/research/video/query/"]
            stored_before = len(videos.read_bytes().splitlines())
            subprocess.run(
                [*cmd[:-2], "-s", f"TIKTOK_API_URL={base}", "-s", f"DATA_DIR={tmp}/killed"],
                cwd=ROOT,
                env=ENV,
                check=True,
                capture_output=True,
            )
            after = control(base, "/__sim__/counters")["/v2/research/video/query/"] - before
            total = len(videos.read_bytes().splitlines())
    records = sum(sizes)
    share = (stored / requests) / (records / ideal_pages)
    left = math.ceil((total - stored_before) / 100)
    print(f"Research API video query: {records} videos in {len(WINDOWS)} windows (max_count 100)")
    print(f"  ideal (baseline, from the truth): {ideal_pages} requests = {records / ideal_pages:.1f} records per request")
    per_request = stored / requests
    print(f"  research_videos: {requests} requests, {stored} videos = {per_request:.1f} per request = {share:.0%} of ideal (goal >= 95%)")
    print(f"  after kill -9 at {stored_before} videos: {after} requests to finish, for {total - stored_before} videos left")
    print(f"  ({left} pages were left, plus the page in flight)")
    print(
        result(
            "research.records_per_request",
            f"{per_request:.1f}",
            f"ideal {records / ideal_pages:.1f}",
            share,
            ">= 95% of ideal",
            share >= 0.95,
        )
    )


if __name__ == "__main__":
    main()
