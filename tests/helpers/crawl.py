"""`scrapy crawl SPIDER` as a subprocess against a running simulator, and what the run left behind:
the jsonl files it wrote and its `ended` record in DATA_DIR/runs.jsonl (issue #13).

One helper for the end-to-end tests: both the web and the Research API point at the simulator, and
the simulator's demo credentials are in the environment (they are never spider arguments)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers.sim_process import ROOT

SIM_CREDENTIALS = {"TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}
# No politeness delay and no media or OCR: for tests whose point is the data, not the files.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TIKTOK_MEDIA_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False"]


def crawl(spider: str, base: str, data: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Runs `scrapy crawl spider *args` with DATA_DIR=data against the simulator at `base`.
    `args` are passed as given (`-a name=value`, `-s NAME=value`); later settings win. The full log
    is on stderr (`-s LOG_LEVEL=INFO`, as a user asks for it), since tests read Scrapy's stats there;
    by default a crawl writes it to DATA_DIR/logs/ only."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"DATA_DIR={data}", "-s", "LOG_LEVEL=INFO"]
    cmd += ["-s", f"TIKTOK_WEB_URL={base}", "-s", f"TIKTOK_API_URL={base}", *args]
    env = {**os.environ, **SIM_CREDENTIALS}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def lines(path: Path) -> list[dict[str, Any]]:
    """The records of a jsonl file; none when the file does not exist."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ended_runs(data: Path) -> list[dict[str, Any]]:
    """The `ended` records of DATA_DIR/runs.jsonl, oldest first."""
    return [r for r in lines(data / "runs.jsonl") if r.get("event") == "ended"]


def last_run(data: Path) -> dict[str, Any]:
    """The `ended` record of the newest run; fails when no run ended."""
    ended = ended_runs(data)
    assert ended, f"no ended run in {data / 'runs.jsonl'}"
    return ended[-1]
