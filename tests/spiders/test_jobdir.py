"""Pause and resume with -s JOBDIR: a hashtag crawl stopped with Ctrl-C in the middle of a tag page
resumes where it was and ends with every video of every hashtag, once, in one run."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.sim_process import ROOT, running_simulator, truth

pytestmark = pytest.mark.browser
TAGS = ("london", "paris", "food")


def test_pause_and_resume(tmp_path: Path) -> None:
    data, job = tmp_path / "data", tmp_path / "job"
    with running_simulator("--clock-speed", "0.000001") as base:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "hashtag", "-a", f"hashtags={','.join(TAGS)}", "-s", f"DATA_DIR={data}"]
        cmd += ["-s", f"TIKTOK_WEB_URL={base}", "-s", f"JOBDIR={job}", "-s", "TIKTOK_MEDIA_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False"]
        cmd += ["-s", "LOG_LEVEL=INFO"]  # the stats dump on stderr, as before the log file
        first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        videos = data / "videos.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (videos.exists() and videos.stat().st_size > 0):
            time.sleep(0.2)
        first.send_signal(signal.SIGINT)  # Ctrl-C while the first tag page is being read
        _, err = first.communicate(timeout=120)
        assert first.returncode == 6, err[-2000:]  # verdict `stopped`: cron and scripts see it was not complete
        # Stopped in the middle of one or more pages, which the resume opens again:
        assert re.search(r"'feed/unfinished_pages': [1-9]", err), "the pause should have come while a page was being read"
        assert "stopped: no new answers while scrolling" not in err and "stopped: paused" in err  # the user paused it
        paused = len(videos.read_text(encoding="utf-8").splitlines())
        second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr[-2000:]
        expected = {tag: truth(base, f"hashtag/{tag}")["reachable"] for tag in TAGS}
    rows = [json.loads(line) for line in videos.read_text(encoding="utf-8").splitlines()]
    assert paused < sum(len(v) for v in expected.values()), "the first run should have been stopped early"
    for tag, ids in expected.items():
        assert sorted(r["id"] for r in rows if r["source"] == f"hashtag:{tag}") == sorted(ids), tag
        # The resumed run's coverage counts over the whole run, not only its own part.
        assert f"#{tag}: {len(ids)} of {len(ids)} videos TikTok reports (100%), stopped: end of list" in second.stderr, tag
    assert Counter((r["id"], r["source"]) for r in rows).most_common(1)[0][1] == 1
    assert len({r["run_id"] for r in rows}) == 1  # one run, paused and resumed
    runs = [json.loads(line) for line in (data / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["finish_reason"], r["verdict"]) for r in runs if r.get("event") == "ended"] == [
        ("shutdown", "stopped"),
        ("finished", "complete"),
    ]
