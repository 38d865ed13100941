"""Pipeline benchmarks (issue #4), each with a baseline measured in the same run:

1. validate -> dedupe -> write, items/s, against json.dumps + a buffered write of the same items;
2. dedupe state for 10 million keys: memory and time (and reloading its snapshot);
3. 1 million video rows from jsonlines into pandas, against a plain json.loads loop.

Run with `make bench`; BENCH_SCALE=0.1 runs everything at a tenth of the size, BENCH_PARTS=chain,pandas some parts.
OCR has its own benchmark, bench/ocr.py.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from bench.results import result
from tiktok.schema.items import Video

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def sample_video(i: int) -> Video:
    return Video(
        id=str(7_400_000_000_000_000_000 + i),
        url=f"https://www.tiktok.com/@user{i % 5000}/video/{7_400_000_000_000_000_000 + i}",
        username=f"user{i % 5000}",
        create_time=1_780_000_000 + i,
        video_description=f"morning routine #fyp #london number {i}",
        view_count=i * 10,
        like_count=i,
        comment_count=i // 50,
        share_count=i // 100,
        counts_exact=True,
        music_id=str(7_368_000_000_000_000_000 + i % 999),
        hashtag_names=["fyp", "london"],
        source="foryou",
        feed_position=i % 100 + 1,
        scraped_at="2026-06-01T00:00:00Z",
    )


def chain_rate(items: list[Video], tmp: Path) -> float:
    """Items/s through validate -> dedupe -> write into a fresh data directory, as a crawl runs them."""
    from scrapy.utils.test import get_crawler

    from tiktok.pipelines.dedupe import DedupePipeline
    from tiktok.pipelines.validate import ValidatePipeline
    from tiktok.pipelines.write import WritePipeline
    from tiktok.run.context import run_context

    crawler = get_crawler(settings_dict={"DATA_DIR": str(tmp), "EXTENSIONS": {"tiktok.extensions.runlog.RunLog": 500}})
    run_context(crawler).run_id = "bench"
    validate, dedupe, write = (
        ValidatePipeline.from_crawler(crawler),
        DedupePipeline.from_crawler(crawler),
        WritePipeline.from_crawler(crawler),
    )
    write.open_spider()
    started = time.perf_counter()
    for item in items:
        write.process_item(dedupe.process_item(validate.process_item(item)))
    rate = len(items) / (time.perf_counter() - started)
    write.close_spider()
    assert len((tmp / "videos.jsonl").read_bytes().splitlines()) == len(items)
    return rate


def baseline_rate(items: list[Video], tmp: Path) -> float:
    started = time.perf_counter()
    with open(tmp / "baseline.jsonl", "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(attrs.asdict(item), ensure_ascii=False) + "\n")
    return len(items) / (time.perf_counter() - started)


def bench_chain(n: int, rounds: int = 3) -> None:
    """The median of `rounds` runs of each, taking turns, so a busy machine slows both alike."""
    items = [sample_video(i) for i in range(n)]
    baseline, chain = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            (Path(tmp) / str(r)).mkdir()
            baseline.append(baseline_rate(items, Path(tmp) / str(r)))
            chain.append(chain_rate(items, Path(tmp) / str(r)))
    base, whole = statistics.median(baseline), statistics.median(chain)
    print(f"1. pipeline chain (validate, dedupe, write; no media), {n:,} videos, median of {rounds} rounds:")
    print(f"   baseline json.dumps + buffered write: {base:9,.0f} items/s")
    print(f"   whole chain, each line written at once: {whole:7,.0f} items/s = {whole / base:.2f} x baseline (goal >= 0.5)")
    print(
        result(
            "pipelines.chain",
            f"{whole:,.0f} items/s",
            f"json.dumps + buffered write {base:,.0f} items/s",
            whole / base,
            ">= 0.5 x",
            whole / base >= 0.5,
        )
    )


def vm_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dedupe_in_fresh_process(n: int, out: Any) -> None:
    """Runs in a spawned process, so its memory is measured alone: the seen-keys of n keys as the
    store builds them (hash each key, add, merge), peak and held."""
    from tiktok.schema.items import Comment
    from tiktok.storage.store import SeenKeys, key_hash

    before = vm_mb("VmRSS")
    started = time.perf_counter()
    seen = SeenKeys()
    for i in range(n):
        seen.add(key_hash(Comment, {"id": str(7_000_000_000_000_000_000 + i)}))
    seen.merge()
    built = time.perf_counter() - started
    held, peak = vm_mb("VmRSS") - before, vm_mb("VmHWM") - before
    probes = [key_hash(Comment, {"id": str(7_000_000_000_000_000_000 + i)}) for i in range(0, n, max(1, n // 100_000))]
    started = time.perf_counter()
    assert all(h in seen for h in probes)
    lookup_us = (time.perf_counter() - started) / len(probes) * 1e6
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "seen.npy", seen.base)
        started = time.perf_counter()
        SeenKeys(np.load(Path(tmp) / "seen.npy"))
        reload_s = time.perf_counter() - started
    out.put((held, peak, built, lookup_us, reload_s))


def bench_dedupe(n: int) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=dedupe_in_fresh_process, args=(n, out))
    proc.start()
    held, peak, built, lookup_us, reload_s = out.get()
    proc.join()
    print(f"2. dedupe state for {n:,} keys (in a fresh process):")
    print(f"   memory held {held:.0f} MB, peak {peak:.0f} MB (goal < 300 MB); built in {built:.1f} s (hashing each key included)")
    print(f"   lookup {lookup_us:.1f} us per key; snapshot reload {reload_s:.2f} s")
    print(result(f"pipelines.dedupe_{n // 1_000_000}M_keys", f"peak {peak:.0f} MB", "the 300 MB goal", peak / 300, "< 300 MB", peak < 300))


def bench_pandas(n: int) -> None:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "videos.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps(attrs.asdict(sample_video(i)), ensure_ascii=False) + "\n")
        size = path.stat().st_size / 1e6
        started = time.perf_counter()
        with path.open("rb") as f:
            rows = [json.loads(line) for line in f]
        baseline = time.perf_counter() - started
        del rows
        started = time.perf_counter()
        frame = pd.read_json(path, lines=True, dtype={"id": str, "music_id": str})
        seconds = time.perf_counter() - started
        assert len(frame) == n and frame["id"].iloc[-1] == str(7_400_000_000_000_000_000 + n - 1)
        del frame
        started = time.perf_counter()
        frame = pd.read_json(path, lines=True, engine="pyarrow")
        arrow = time.perf_counter() - started
    assert len(frame) == n and frame["id"].iloc[-1] == str(7_400_000_000_000_000_000 + n - 1)
    print(f"3. {n:,} video rows ({size:.0f} MB of jsonlines) into pandas:")
    print(f"   baseline json.loads loop: {baseline:.1f} s")
    print(f"   pandas.read_json(lines=True): {seconds:.1f} s = {seconds / baseline:.2f} x baseline")
    print(f"   pandas.read_json(lines=True, engine='pyarrow'): {arrow:.1f} s = {arrow / baseline:.2f} x baseline")
    print(result("pipelines.read_json_pyarrow", f"{arrow:.1f} s for {n:,} rows", f"json.loads loop {baseline:.1f} s", arrow / baseline))


def main() -> None:
    parts = {"chain": lambda: bench_chain(int(100_000 * SCALE)), "dedupe": lambda: bench_dedupe(int(10_000_000 * SCALE))}
    parts["pandas"] = lambda: bench_pandas(int(1_000_000 * SCALE))
    for name in os.environ.get("BENCH_PARTS", ",".join(parts)).split(","):
        parts[name]()


if __name__ == "__main__":
    main()
