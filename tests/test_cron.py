"""The cron entry: make cron-install/cron-remove touch only this project's lines, and a real cron
daemon running cron/run.sh every minute stops an overlapping run cleanly (its end is in
runs.jsonl) before the next one starts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.sim_process import ROOT, running_simulator

pytestmark = pytest.mark.crawl


def test_install_and_remove_keep_other_lines(tmp_path: Path) -> None:
    store = tmp_path / "crontab.txt"
    store.write_text("5 5 * * * /usr/bin/true\n", encoding="utf-8")
    fake = tmp_path / "crontab"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {store}; else cat > {store}; fi\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "CRONTAB": str(fake)}
    subprocess.run(["make", "-s", "cron-install"], cwd=ROOT, env=env, check=True, capture_output=True)
    lines = store.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "5 5 * * * /usr/bin/true",
        f"0 * * * * {ROOT}/cron/run.sh foryou -a count=100  # tiktok-scraper",
        f"30 0 * * * {ROOT}/cron/research-daily.sh  # tiktok-scraper",
    ]
    subprocess.run(["make", "-s", "cron-install"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert len(store.read_text(encoding="utf-8").splitlines()) == 3  # installing twice adds nothing
    subprocess.run(["make", "-s", "cron-remove"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert store.read_text(encoding="utf-8").splitlines() == ["5 5 * * * /usr/bin/true"]


@pytest.fixture
def cron_daemon() -> Iterator[None]:
    if os.geteuid() != 0 or not Path("/usr/sbin/cron").exists() or not shutil.which("flock"):
        pytest.skip("needs root and Debian's cron (make setup installs it) to run a real cron daemon")
    started = subprocess.run(["pgrep", "-x", "cron"], capture_output=True).returncode != 0
    if started:
        subprocess.run(["/usr/sbin/cron"], check=True)
    try:
        yield
    finally:
        if started:
            subprocess.run(["pkill", "-x", "cron"], check=False)


@pytest.mark.browser
def test_a_real_cron_runs_every_minute_and_handles_overlap(cron_daemon: None, tmp_path: Path) -> None:
    data, logs = tmp_path / "data", tmp_path / "logs"
    entry = Path(f"/etc/cron.d/tiktok-test-{os.getpid()}")
    with running_simulator() as base:
        # A run that cannot finish within a minute: the next one must stop it.
        env = f"TIKTOK_DATA_DIR={data} TIKTOK_WEB_URL={base} TIKTOK_LOG_DIR={logs} TIKTOK_CRON_GRACE=30"
        command = f"{ROOT}/cron/run.sh foryou -a count=100000 -a sessions=100 -s TIKTOK_MEDIA_ENABLED=False -s TIKTOK_OCR_ENABLED=False"
        entry.write_text(f"SHELL=/bin/sh\n* * * * * root {env} {command}\n", encoding="utf-8")
        entry.chmod(0o644)
        try:
            deadline = time.monotonic() + 200
            runs: list[dict[str, object]] = []
            while time.monotonic() < deadline:
                time.sleep(5)
                runs_file = data / "runs.jsonl"
                lines = runs_file.read_text(encoding="utf-8").splitlines() if runs_file.exists() else []
                runs = [r for r in map(json.loads, lines) if r["event"] == "ended"]
                # The run writes its end in runs.jsonl before its process exits; run.sh logs the
                # verdict after that exit, and the next run's log begins only once the old run is gone.
                texts = [p.read_text(encoding="utf-8", errors="replace") for p in logs.glob("foryou-*.log")]
                if runs and len(texts) >= 2 and any("run ended:" in text for text in texts):
                    break
                finished = [p for p in logs.glob("foryou-*.log") if "error:" in p.read_text(encoding="utf-8", errors="replace")]
                assert not finished, finished[0].read_text(encoding="utf-8", errors="replace").splitlines()[-1]
        finally:
            entry.unlink()
            pidfile = data / "state" / "cron-foryou.pid"
            if pidfile.exists():
                subprocess.run(["kill", "-TERM", pidfile.read_text().strip()], check=False)
                time.sleep(10)
    assert runs, "no run ended within 200 s: cron did not run cron/run.sh every minute, or the overlap was not handled"
    first = runs[0]
    assert first["spider"] == "foryou" and first["finish_reason"] == "shutdown" and first["verdict"] == "stopped"
    assert isinstance(first["items"], dict) and first["items"].get("videos", 0) > 0  # it stored what it had
    log_text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in logs.glob("foryou-*.log"))
    assert len(list(logs.glob("foryou-*.log"))) >= 2 and "Received SIGTERM" in log_text
    assert "foryou run ended: stopped (exit 6)" in log_text  # cron sees the stopped run as not complete
