"""cron/run.sh compacts the data after each crawl; a failed compaction is logged and printed, and the
script still exits with the crawl's own code. The crawl is a stand-in `scrapy` in a copy of the
checkout (cron itself is tested in test_cron.py), so this runs in a few seconds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tiktok.storage import parquet

ROOT = Path(__file__).resolve().parents[1]
FAKE_SCRAPY = """#!/bin/sh
for id in 1 2; do echo '{"id": "'$id'", "scraped_at": "2026-06-01T00:00:00Z"}' >> "$TIKTOK_DATA_DIR/videos.jsonl"; done
exit 3
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """cron/run.sh in a folder of its own, with a `scrapy` that stores two videos and ends partial."""
    root = tmp_path / "root"
    (root / "cron").mkdir(parents=True)
    shutil.copy(ROOT / "cron" / "run.sh", root / "cron" / "run.sh")
    (root / "tiktok").symlink_to(ROOT / "tiktok")
    venv = root / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "scrapy").write_text(FAKE_SCRAPY)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for script in (venv / "scrapy", venv / "python"):
        script.chmod(0o755)
    return root


def run(root: Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIKTOK_DATA_DIR": str(data), "TIKTOK_LOG_DIR": str(root / "logs")}
    return subprocess.run(["bash", str(root / "cron" / "run.sh"), "foryou"], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.crawl  # two processes of `python -m tiktok`, started by the script
def test_each_run_is_compacted_and_a_failed_compaction_keeps_the_crawls_exit_code(checkout: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run(checkout, data)
    assert done.returncode == 3, done.stderr
    assert done.stdout.splitlines()[-1].endswith("foryou run ended: partial (exit 3); log: " + str(next((checkout / "logs").iterdir())))
    state = parquet.read_state(data)
    assert sum(p["rows"] for p in state["videos.jsonl"]["parts"]) == 2

    shutil.rmtree(data / "parquet")
    (data / "parquet").write_text("in the way\n")  # the copy cannot be written
    done = run(checkout, data)
    assert done.returncode == 3, done.stderr
    failed, ended = done.stdout.splitlines()[-2:]
    assert f"compact {data} failed (the crawl's data is safe in its jsonl); see {checkout / 'logs'}/foryou-" in failed
    assert "foryou run ended: partial (exit 3)" in ended
    log = max((checkout / "logs").iterdir()).read_text()
    assert "python -m tiktok compact: failed: File exists" in log
    assert [json.loads(line)["id"] for line in (data / "videos.jsonl").read_text().splitlines()] == ["1", "2", "1", "2"]
