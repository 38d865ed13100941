"""Analysis benchmark (issue #7): one million observation rows (100,000 videos seen in ten hourly
snapshots, 1% of them bursting) loaded and ranked by virality, against a plain json.loads loop over
the same file measured in the same run. Goal: under 10 s. BENCH_SCALE=0.1 runs a tenth of it.

Run with `make bench` (or `.venv/bin/python -m bench.analysis`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

import attrs
import numpy as np

import tiktok.analysis as ta
from bench.pipelines import sample_video
from bench.results import result

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SNAPSHOTS = 10


def write_observations(path: Path, videos: int, snapshots: int = SNAPSHOTS) -> set[str]:
    """Every video once per hourly snapshot, likes growing along its own curve; returns the
    bursting ids. Also the data of bench/compaction.py."""
    rng = np.random.default_rng(7)
    base = rng.integers(10, 100_000, videos)
    per_hour = rng.uniform(0, 500, videos)
    bursting = rng.choice(videos, size=videos // 100, replace=False)
    per_hour[bursting] += rng.uniform(300_000, 1_000_000, len(bursting))  # over 1,000 x the median video's: viral
    template = [attrs.asdict(sample_video(i)) for i in range(videos)]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with path.open("w", encoding="utf-8") as f:
        for hour in range(snapshots):
            likes = (base + per_hour * hour).astype(np.int64).tolist()
            stamp = (start + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for i, record in enumerate(template):
                record.update(like_count=likes[i], view_count=likes[i] * 10, scraped_at=stamp, run_id=f"foryou-{hour}")
                f.write(encode(record) + "\n")
    return {template[i]["id"] for i in bursting}


def main() -> None:
    videos = int(100_000 * SCALE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "videos.jsonl"
        bursting = write_observations(path, videos)
        rows, size = videos * SNAPSHOTS, path.stat().st_size / 1e6
        started = time.perf_counter()
        with path.open("rb") as f:
            records = [json.loads(line) for line in f]
        baseline = time.perf_counter() - started
        assert len(records) == rows
        del records
        started = time.perf_counter()
        frame = ta.load_file(path, "videos", columns=ta.OBSERVATION_COLUMNS)
        loaded = time.perf_counter() - started
        ranking = ta.viral_videos(frame)
        total = time.perf_counter() - started
    flagged = set(ranking.loc[ranking["viral"], "id"])
    hits = len(flagged & bursting)
    print(f"analysis: {rows:,} observation rows ({size:.0f} MB of jsonlines; {videos:,} videos x {SNAPSHOTS} hourly snapshots)")
    print(f"   baseline json.loads loop (dicts, no analysis): {baseline:.1f} s")
    print(f"   tiktok.analysis load_file (the observation columns): {loaded:.1f} s = {loaded / baseline:.2f} x baseline")
    print(f"   load + viral ranking: {total:.1f} s = {total / baseline:.2f} x baseline (goal < 10 s: {'met' if total < 10 else 'MISSED'})")
    print(f"   viral (1,000 x the median video's peak or more): {len(flagged):,} flagged, {hits:,} of the {len(bursting):,} planted bursts")
    print(
        result(
            "analysis.jsonl_load_rank",
            f"{total:.1f} s for {rows:,} rows",
            f"json.loads loop {baseline:.1f} s",
            total / baseline,
            "< 10 s",
            total < 10,
        )
    )


if __name__ == "__main__":
    main()
