"""Compaction benchmark (issue #15): a season of hourly observations, 10,000,000 rows (100,000
videos x 100 hourly snapshots, 1% of them bursting), compacted to Parquet; then load + viral
ranking from the Parquet copy against the same from the jsonlines (the baseline, same run), and
the load from Parquet alone. Goals: 10M rows in < 30 s with a peak RSS < 4 GB; 1M rows in < 3 s.

Each figure runs in its own child process, and its peak RSS is that child's (os.wait4), so one
figure's memory does not hide in another's. BENCH_ROWS sets the rows (default 10,000,000; below
100,000 videos' worth, fewer snapshots). The data is written to a temporary folder (BENCH_TMP, else
the system's) and deleted at the end: 10M rows take about 14 GB of jsonl. BENCH_DATA=DIR writes it
to DIR instead and keeps it, and a later run of the same size reuses it.

Run with `make bench` (or `BENCH_ROWS=1000000 .venv/bin/python -m bench.compaction`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results import result

ROWS = int(os.environ.get("BENCH_ROWS", "10000000"))
VIDEOS = 100_000
GOALS = {1_000_000: 3.0, 10_000_000: 30.0}  # seconds for load + viral ranking from Parquet
RSS_GOAL_GB = 4.0


def measure(figure: str, data: Path) -> dict[str, Any]:
    """Runs one figure in a child process: its own figures, and its peak RSS."""
    child = subprocess.Popen([sys.executable, "-m", "bench.compaction", figure, str(data)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"bench.compaction {figure} failed (exit {child.returncode})")
    return {**json.loads(out.strip().splitlines()[-1]), "rss_gb": usage.ru_maxrss / 1e6}  # ru_maxrss: kB on Linux


def run_figure(figure: str, data: Path) -> dict[str, Any]:
    """In the child: one figure's work, timed."""
    import tiktok.analysis as ta
    from tiktok.storage.parquet import compact

    started = time.perf_counter()
    if figure == "compact":
        notes: list[str] = []
        added = compact(data, notes)
        return {"seconds": time.perf_counter() - started, "rows": added.get("videos", 0), "notes": notes}
    if figure == "jsonl" and (data / "parquet").exists():
        raise SystemExit("the jsonl figure must run before the compaction")
    frame = ta.load(data, "videos", columns=ta.OBSERVATION_COLUMNS)
    loaded = time.perf_counter() - started
    if figure == "load":
        return {"seconds": loaded, "rows": len(frame)}
    ranking = ta.viral_videos(frame)
    flagged = sorted(ranking.loc[ranking["viral"], "id"])
    digest = hashlib.sha256("\n".join(flagged).encode()).hexdigest()[:12]
    return {"seconds": time.perf_counter() - started, "load": loaded, "rows": len(frame), "flagged": flagged, "digest": digest}


def observations(data: Path, videos: int, snapshots: int) -> tuple[set[str], str]:
    """DATA/videos.jsonl written, or the one a run with the same shape kept there (BENCH_DATA: 10M
    rows take minutes to write); the planted bursts, and how the file came to be. Its Parquet copy
    is deleted: the compaction is measured again, and the jsonl figure must find none."""
    from bench.analysis import write_observations

    shutil.rmtree(data / "parquet", ignore_errors=True)
    kept = data / "bench.json"
    shape = {"videos": videos, "snapshots": snapshots}
    if kept.is_file() and (data / "videos.jsonl").is_file():
        saved = json.loads(kept.read_text())
        if saved["shape"] == shape:
            return set(saved["bursting"]), f"kept from an earlier run in {data}"
    kept.unlink(missing_ok=True)
    started = time.perf_counter()
    bursting = write_observations(data / "videos.jsonl", videos, snapshots)
    kept.write_text(json.dumps({"shape": shape, "bursting": sorted(bursting)}))
    return bursting, f"written in {time.perf_counter() - started:.0f} s"


def main() -> None:
    videos = min(VIDEOS, ROWS)
    snapshots = max(1, ROWS // videos)
    rows = videos * snapshots
    keep = os.environ.get("BENCH_DATA")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        data = Path(tmp)
        bursting, origin = observations(data, videos, snapshots)
        size = (data / "videos.jsonl").stat().st_size / 1e6
        shape = f"{videos:,} videos x {snapshots} hourly snapshots"
        print(f"compaction: {rows:,} observation rows ({shape}; {size:,.0f} MB of jsonlines, {origin})")
        jsonl = measure("jsonl", data)
        compacted = measure("compact", data)
        parquet = measure("parquet", data)
        load_only = measure("load", data)
        stored = sum(p.stat().st_size for p in (data / "parquet").rglob("*.parquet")) / 1e6
        parts = len(list((data / "parquet").rglob("*.parquet")))
    goal = GOALS.get(rows)
    took = f"{compacted['seconds']:.1f} s, peak RSS {compacted['rss_gb']:.2f} GB"
    print(f"   compaction to Parquet: {took}; {compacted['rows']:,} rows in {parts} parts, {stored:,.0f} MB")
    for note in compacted["notes"]:
        print(f"     note: {note}")
    took = f"{jsonl['seconds']:.1f} s (load {jsonl['load']:.1f} s), peak RSS {jsonl['rss_gb']:.2f} GB"
    print(f"   baseline load + viral ranking from jsonlines: {took}")
    ratio = parquet["seconds"] / jsonl["seconds"]
    met = ""
    if goal is not None:
        met = f"; goal < {goal:g} s and < {RSS_GOAL_GB:g} GB: " + (
            "met" if parquet["seconds"] < goal and parquet["rss_gb"] < RSS_GOAL_GB else "MISSED"
        )
    print(
        f"   load + viral ranking from Parquet: {parquet['seconds']:.1f} s (load {parquet['load']:.1f} s) = {ratio:.2f} x baseline, "
        f"peak RSS {parquet['rss_gb']:.2f} GB{met}"
    )
    print(f"     of which the load alone (its own process): {load_only['seconds']:.1f} s, peak RSS {load_only['rss_gb']:.2f} GB")
    same = "the same" if parquet["digest"] == jsonl["digest"] and parquet["rows"] == jsonl["rows"] == rows else "NOT the same"
    hits = len(set(parquet["flagged"]) & bursting)
    print(f"   viral: {len(parquet['flagged']):,} flagged ({hits:,} of the {len(bursting):,} planted bursts), {same} from both sources")
    name = f"compaction_{rows // 1_000_000}M" if rows % 1_000_000 == 0 else f"compaction_{rows}"
    took = parquet["seconds"]
    print(
        result(
            f"{name}_compact", f"{compacted['seconds']:.1f} s", f"jsonl load {jsonl['load']:.1f} s", compacted["seconds"] / jsonl["load"]
        )
    )
    timed = (f"{took:.1f} s", f"jsonl {jsonl['seconds']:.1f} s", ratio)
    print(result(f"{name}_load_rank_parquet", *timed, f"< {goal:g} s" if goal else "", goal is not None and took < goal))
    rss, against = parquet["rss_gb"], f"jsonl {jsonl['rss_gb']:.2f} GB"
    print(
        result(f"{name}_load_rank_parquet_rss", f"{rss:.2f} GB", against, rss / jsonl["rss_gb"], f"< {RSS_GOAL_GB:g} GB", rss < RSS_GOAL_GB)
    )
    alone = load_only["rss_gb"]
    print(result(f"{name}_load_parquet_rss", f"{alone:.2f} GB", f"jsonl load and rank {jsonl['rss_gb']:.2f} GB", alone / jsonl["rss_gb"]))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run_figure(sys.argv[1], Path(sys.argv[2]))))
    else:
        main()
