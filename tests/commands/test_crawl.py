"""What `scrapy crawl` prints by default (tiktok/commands/crawl.py): a short block a person reads,
with Scrapy's banner and stats dump in the run's log file, and no offline look-up on the way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.crawl import FAST, lines
from tests.helpers.sim_process import ROOT, running_simulator, truth
from tiktok.run.summary import counted

pytestmark = [pytest.mark.crawl, pytest.mark.browser]


def test_a_default_crawl_prints_under_25_lines_and_logs_the_rest_to_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # A fresh tldextract cache: on a first run Scrapy's cookie middleware used to fetch the public
    # suffix list from the internet, and printed two socket.gaierror tracebacks offline.
    env = {**os.environ, "TIKTOK_DATA_DIR": str(data), "TLDEXTRACT_CACHE": str(tmp_path / "tldextract")}
    with running_simulator() as base:
        # limit=10: the first page of the list is enough to see what a crawl prints, and quicker.
        cmd = [sys.executable, "-m", "scrapy", "crawl", "hashtag", "-a", "hashtags=london", "-a", "limit=10", *FAST]
        result = subprocess.run(cmd, cwd=ROOT, env={**env, "TIKTOK_WEB_URL": base}, capture_output=True, text=True, timeout=300)
        listed = truth(base, "hashtag/london")["video_ids"]
    printed = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(printed) < 25, "\n".join(printed)
    stored = [v["id"] for v in lines(data / "videos.jsonl")]
    assert len(stored) == len(set(stored)) == 10 and set(stored) <= set(listed)
    assert f"    #london: 10 of {len(listed)} videos TikTok reports (20%), stopped: limit" in printed
    assert "  Verdict: complete (exit 0): everything the run set out to collect is stored" in printed
    (log_line,) = [line for line in printed if line.startswith("  full log: ")]
    log = Path(log_line.removeprefix("  full log: "))
    assert log.parent == data / "logs" and re.fullmatch(r"hashtag-\d{8}T\d{6}Z\.log", log.name)
    text = log.read_text(encoding="utf-8")
    assert "Scrapy 2." in text and "Dumping Scrapy stats" in text and "Verdict: complete" in text
    assert "Scrapy 2." not in result.stderr and "Dumping Scrapy stats" not in result.stderr
    assert "gaierror" not in result.stderr + text and "Public Suffix List" not in text
    run = json.loads((data / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert f"--- hashtag run {run['run_id']} ended after" in result.stderr
    assert run["items"]["videos"] == 10 and f"  stored: {counted(run['items'])}" in printed  # what runs.jsonl says
