"""What one For-You persona costs (issue 17): videos watched per hour at its configured dwell, the
memory of its browser, and CPU seconds per video; hence how many personas fit on a 2-core, 24 GB
machine.

Each persona in PERSONAS (the repo's own files, their dwell seconds) watches VIDEOS videos with the
default settings (covers, OCR), as `scrapy crawl foryou -a persona=NAME` runs; without the files'
jitter and finishing (a finished video takes its whole length), so that the dwell each video was
planned is known exactly. While it runs, the
process tree under the crawl (Scrapy, Playwright's driver, chromium and its helpers, OCR workers) is
sampled from /proc every SAMPLE_S: the peak of the summed PSS (each shared page counted once, split
among its users; summed RSS counts chromium's shared pages once per process and overstates) and of
the summed RSS, and the CPU seconds of every process seen in the tree (each as last sampled).
CPU per video is that CPU between the first and the last video written, over the videos in
between: what each further video costs once the browser runs (getrusage(RUSAGE_CHILDREN) gives
the whole crawl's, start-up included, printed apart with the sampled whole as a check).

Baselines, measured in the same run:
- rate: 3600 / the mean dwell planned for the videos shown (`other_seconds`, or for a match its
  share of `matching_seconds`), the rate with no overhead between cards. The rate is measured
  between the first and the last video written to videos.jsonl, so browser start-up and shutdown
  are left out (they are printed apart). `dwell_ms`, the time each card was on screen, is printed
  beside it;
- memory and CPU: the same chromium with the same launch options on the simulator's /foryou page,
  started by Playwright alone (no Scrapy), then left idle for IDLE_S (its CPU measured over those
  seconds only): what any persona costs before it watches anything.
Run: `.venv/bin/python -m bench.personas` (BENCH_PERSONA_VIDEOS changes VIDEOS).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench import results
from bench.procstat import children_cpu, ticks
from tests.helpers.sim_process import ROOT, running_simulator
from tiktok.personas import Persona, interest_weight, load_persona, watch
from tiktok.schema.items import Video

PERSONAS = ("control", "cats")
VIDEOS = int(os.environ.get("BENCH_PERSONA_VIDEOS", "40"))
SAMPLE_S = 0.5
IDLE_S = 20.0
TICKS = os.sysconf("SC_CLK_TCK")
MACHINE_GB, MACHINE_CORES = 24.0, 2


@dataclass
class Tree:
    """A process tree sampled from /proc: the peaks of its summed memory (MB) and its CPU seconds."""

    root: int
    pss_mb: float = 0.0
    rss_mb: float = 0.0
    processes: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # CPU ticks of every process seen in the tree, at its last sample

    @property
    def cpu_s(self) -> float:
        """CPU seconds of every process seen in the tree so far, each as last sampled (a process
        that left the tree keeps its time; one that lived between two samples is missed)."""
        return sum(self.seen.values()) / TICKS

    def sample(self) -> None:
        pss = rss = 0.0
        tree = descendants(self.root)
        for pid in tree:
            pss += kb(f"/proc/{pid}/smaps_rollup", "Pss:") / 1024
            rss += kb(f"/proc/{pid}/status", "VmRSS:") / 1024
            self.seen[pid] = max(self.seen.get(pid, 0), ticks(pid))
        self.pss_mb, self.rss_mb, self.processes = max(self.pss_mb, pss), max(self.rss_mb, rss), max(self.processes, len(tree))


def descendants(root: int) -> list[int]:
    """`root` and every process under it, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # gone since the listing
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name, in brackets, may hold spaces
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def kb(path: str, key: str) -> float:
    """A `key: N kB` line of a /proc file (0 when the process has gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


@dataclass
class Watched:
    persona: str
    videos: int
    seconds: float  # whole crawl, start-up and shutdown included
    cpu_s: float  # whole crawl, from getrusage
    first_to_last: float  # seconds from the first video written to the last
    steady_cpu_s: float  # the tree's CPU seconds over the same span
    dwell_s: list[float]  # each video's recorded time on screen
    planned_s: list[float]  # each video's expected dwell by the persona file
    tree: Tree


def run_persona(base: str, persona: str, data: Path) -> Watched:
    """One persona watching VIDEOS videos; videos.jsonl is polled to time the first and last."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "foryou", "-a", f"persona={steady(persona, data.parent)}",
           "-a", f"count={VIDEOS}", "-s", f"DATA_DIR={data}", "-s", f"TIKTOK_WEB_URL={base}"]  # fmt: skip
    videos = data / "videos.jsonl"
    written: dict[int, tuple[float, float]] = {}  # lines in videos.jsonl: when first seen, and the tree's CPU seconds then
    cpu, started = children_cpu(), time.monotonic()
    with open(data.parent / f"{persona}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        tree = Tree(proc.pid)
        while proc.poll() is None:
            tree.sample()
            lines = videos.read_bytes().count(b"\n") if videos.exists() else 0
            written.setdefault(lines, (time.monotonic(), tree.cpu_s))
            time.sleep(SAMPLE_S)
    seconds, cpu = time.monotonic() - started, children_cpu() - cpu
    if proc.returncode != 0:
        sys.exit(f"bench.personas: the {persona} crawl failed (exit {proc.returncode}); see {data.parent / persona}.log")
    rows = [json.loads(line) for line in videos.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in rows if r.get("persona") == persona]
    first, last = min(v for n, v in written.items() if n >= 1), written[max(written)]
    dwell = [r["dwell_ms"] / 1000 for r in mine]
    planned = [planned_dwell(load_persona(data.parent / f"{persona}.yaml"), r) for r in mine]
    return Watched(persona, len(mine), seconds, cpu, last[0] - first[0], last[1] - first[1], dwell, planned, tree)


def planned_dwell(persona: Persona, row: dict[str, Any]) -> float:
    """The seconds a persona without jitter or finishing plans for this stored video."""
    video = Video(id=row["id"], hashtag_names=row.get("hashtag_names"), music_id=row.get("music_id"), username=row.get("username"))
    return watch(persona, interest_weight(persona, video), None, random.Random(0)).seconds


def steady(persona: str, folder: Path) -> Path:
    """A copy of the repo's persona file in `folder`, without jitter and finishing."""
    data = yaml.safe_load((ROOT / "personas" / f"{persona}.yaml").read_text(encoding="utf-8"))
    data.setdefault("watching", {}).update(jitter=0, finish_share=0)
    path = folder / f"{persona}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def idle_browser(url: str) -> None:
    """The baseline browser: the crawl's chromium and launch options on `url`, idle until stdin closes."""
    from playwright.sync_api import sync_playwright
    from scrapy.utils.project import get_project_settings

    options = get_project_settings().getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, **options)
        context.new_page().goto(url)
        print("ready", flush=True)
        sys.stdin.read()
        context.close()


def idle(base: str) -> tuple[Tree, float]:
    """The idle browser's peak memory, and its CPU seconds per second once its page has loaded."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.personas", "--idle", f"{base}/foryou"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        sys.exit(f"bench.personas: the idle browser failed (exit {proc.wait()})")
    tree = Tree(proc.pid)
    tree.sample()
    cpu, started = tree.cpu_s, time.monotonic()
    while time.monotonic() - started < IDLE_S:
        time.sleep(SAMPLE_S)
        tree.sample()
    rate = (tree.cpu_s - cpu) / (time.monotonic() - started)
    proc.stdin.close()
    proc.wait()
    return tree, rate


def result(measure: str, figure: float, baseline: float, unit: str) -> None:
    def shown(x: float) -> str:
        return f"{x:,.0f} {unit}" if x >= 100 else f"{x:.3g} {unit}"

    print(results.result(f"personas.{measure}", shown(figure), shown(baseline), figure / baseline))


def main() -> None:
    with running_simulator() as base, tempfile.TemporaryDirectory() as tmp:
        baseline, idle_cpu_per_s = idle(base)
        runs = []
        for persona in PERSONAS:
            (Path(tmp) / persona).mkdir()
            runs.append(run_persona(base, persona, Path(tmp) / persona))
    print(f"Personas: {VIDEOS} videos each at the persona's own dwell, default settings (covers, OCR); /proc sampled every {SAMPLE_S} s")
    print(f"  idle browser (Playwright alone, /foryou open, {IDLE_S:.0f} s): peak PSS {baseline.pss_mb:.0f} MB, "
          f"RSS {baseline.rss_mb:.0f} MB, {baseline.processes} processes, {idle_cpu_per_s:.3f} CPU s per s")  # fmt: skip
    idle_memory_fit, idle_cpu_fit = MACHINE_GB * 1024 / baseline.pss_mb, MACHINE_CORES / idle_cpu_per_s
    for run in runs:
        dwell, planned = sum(run.dwell_s) / len(run.dwell_s), sum(run.planned_s) / len(run.planned_s)
        interval = run.first_to_last / (run.videos - 1)
        cpu_per_video = run.steady_cpu_s / (run.videos - 1)
        memory_fit, cpu_fit = MACHINE_GB * 1024 / run.tree.pss_mb, MACHINE_CORES * interval / cpu_per_video
        print(f"  {run.persona}: {run.videos} videos in {run.seconds:.1f} s, {run.cpu_s:.1f} CPU s by getrusage "
              f"({run.tree.cpu_s:.1f} sampled), start-up and shutdown included")  # fmt: skip
        print(f"    from the first video stored to the last: {run.first_to_last:.1f} s, {run.steady_cpu_s:.1f} CPU s; "
              f"{interval * 1000:.0f} ms per video against {planned * 1000:.0f} ms planned (on screen, dwell_ms: "
              f"{dwell * 1000:.0f} ms): {(interval - planned) * 1000:.0f} ms overhead per video")  # fmt: skip
        print(f"    peak PSS {run.tree.pss_mb:.0f} MB, RSS {run.tree.rss_mb:.0f} MB, {run.tree.processes} processes")
        result(f"{run.persona}.videos_per_hour", 3600 / interval, 3600 / planned, "videos/h")
        result(f"{run.persona}.cpu_s_per_video", cpu_per_video, idle_cpu_per_s * interval, "CPU s")
        result(f"{run.persona}.peak_pss", run.tree.pss_mb, baseline.pss_mb, "MB")
        result(f"{run.persona}.fit_by_memory", memory_fit, idle_memory_fit, "personas")
        result(f"{run.persona}.fit_by_cpu", cpu_fit, idle_cpu_fit, "personas")
        bound = "CPU" if cpu_fit < memory_fit else "memory"
        print(
            f"  {run.persona}: {min(memory_fit, cpu_fit):.0f} personas fit on {MACHINE_CORES} cores and {MACHINE_GB:.0f} GB ({bound} bound)"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--idle"]:
        idle_browser(sys.argv[2])
    else:
        main()
