"""How long `scrapy crawl foryou -a count=100` takes against the simulator (default settings: covers,
OCR and captions on), and, in the same run, a baseline: the same number of unique videos fetched
by direct signed calls to the item list, with no browser and no pipelines. The goal is under 60 s;
the study this replaces needed about 50 minutes by hand."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from bench.results import result
from tests.helpers.sim_process import ROOT, running_simulator
from tiktok.simulator.signing import x_bogus

COUNT = 100


def direct(base: str) -> float:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    started = time.perf_counter()
    opener.open(base + "/foryou").read()
    token = next(c.value for c in jar if c.name == "msToken" and c.value)
    seen: set[str] = set()
    while len(seen) < COUNT:
        query = urlencode({"aid": "1988", "count": "30", "msToken": token})
        body = json.loads(opener.open(f"{base}/api/recommend/item_list/?{query}&X-Bogus={x_bogus(query, token)}").read())
        seen.update(item["id"] for item in body["itemList"])
    return time.perf_counter() - started


def main() -> None:
    with running_simulator() as base:
        baseline = direct(base)
    with running_simulator() as base, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "foryou",
            "-a",
            f"count={COUNT}",
            "-s",
            f"DATA_DIR={tmp}",
            "-s",
            f"TIKTOK_WEB_URL={base}",
        ]
        crawl = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
        seconds = time.perf_counter() - started
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        videos = [json.loads(line) for line in (Path(tmp) / "videos.jsonl").read_text(encoding="utf-8").splitlines()]
    covers = sum(bool(v["cover_path"]) for v in videos)
    texts = sum(bool(v["ocr_text"]) for v in videos)
    print(f"For-You: {COUNT} unique videos from the simulator")
    print(f"  baseline (signed HTTP calls, no browser, no pipelines): {baseline:6.1f} s")
    print(f"  scrapy crawl foryou (browser, covers, OCR, captions):   {seconds:6.1f} s = {seconds / baseline:.0f} x baseline (goal < 60 s)")
    print(f"  stored: {len(videos)} videos, {covers} covers, {texts} with cover text")
    print(
        result(
            f"foryou.{COUNT}_videos", f"{seconds:.1f} s", f"signed HTTP calls {baseline:.1f} s", seconds / baseline, "< 60 s", seconds < 60
        )
    )


if __name__ == "__main__":
    main()
