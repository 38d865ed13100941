"""One writer per data directory, and a verdict for every way a run can end (issue #13)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT
from tiktok.run.context import RunRefused
from tiktok.run.lock import DataDirLock, usable_data_dir
from tiktok.run.verdict import EXIT_CODES, stats_gaps, verdict_of


def hold(data_dir: Path, ready: multiprocessing.synchronize.Event, done: multiprocessing.synchronize.Event) -> None:
    DataDirLock(data_dir).acquire({"spider": "hashtag", "started_at": "2026-11-30T10:15:00Z"})
    ready.set()
    done.wait(30)


def hold_when_free(data_dir: Path, ready: multiprocessing.synchronize.Event, done: multiprocessing.synchronize.Event) -> None:
    while True:
        try:
            hold(data_dir, ready, done)
            return
        except RunRefused:
            time.sleep(0.1)


@contextmanager
def holder_process(data_dir: Path, target: Any = hold) -> Iterator[tuple[Any, Any]]:
    """Another process that takes the lock (`target`), kept until the block ends: (process, ready)."""
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    process = ctx.Process(target=target, args=(data_dir, ready, done))
    process.start()
    try:
        yield process, ready
    finally:
        done.set()
        process.join(30)


def test_a_second_process_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    with holder_process(tmp_path) as (holder, ready):
        assert ready.wait(30)
        with pytest.raises(RunRefused) as refused:
            DataDirLock(tmp_path).acquire({"spider": "hashtag", "started_at": "now"})
        message = str(refused.value)
        assert f"pid {holder.pid} on " in message and "spider hashtag, started 2026-11-30T10:15:00Z" in message
        assert "\n" not in message and "wait for it to end" in message
    lock = DataDirLock(tmp_path)  # the holder is gone: the kernel dropped its lock
    lock.acquire({"spider": "user", "started_at": "later"})
    assert json.loads((tmp_path / ".lock").read_text())["spider"] == "user"
    lock.release()


def test_the_lock_is_reentrant_within_one_process_and_released_by_the_last_holder(tmp_path: Path) -> None:
    command, extension = DataDirLock(tmp_path), DataDirLock(tmp_path)
    command.acquire({"spider": "s", "started_at": "t"})
    extension.acquire({"spider": "s", "started_at": "t"})
    extension.release()
    with holder_process(tmp_path, hold_when_free) as (_, ready):
        assert not ready.wait(3)  # still held by `command`
        command.release()
        assert ready.wait(30)  # now the other process gets it


def test_unusable_data_directories_are_refused_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(RunRefused, match="is a file"):
        usable_data_dir(str(a_file))
    with pytest.raises(RunRefused, match="cannot make the data directory"):
        usable_data_dir(str(a_file / "below"))
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    try:
        if os.geteuid() != 0:  # root writes anywhere: only an unprivileged user sees this refusal
            with pytest.raises(RunRefused, match="is not writable"):
                usable_data_dir(str(read_only))
    finally:
        read_only.chmod(0o700)
    assert usable_data_dir(str(tmp_path / "new" / "dir")).is_dir()


@pytest.mark.parametrize(
    ("reason", "gaps", "verdict"),
    [
        ("finished", [], "complete"),
        ("finished", ["#london: 40 of 120 videos"], "partial"),
        ("daily quota reached: progress saved; run the same command after 2026-12-01 00:00 UTC (in 3.2 h)", [], "quota"),
        ("blocked: TikTok showed a captcha 4 times; try again later", [], "blocked"),
        ("shutdown", [], "stopped"),
        ("disk_full", [], "failed"),
        ("credentials_rejected", [], "failed"),
        ("closespider_timeout", [], "partial"),
    ],
)
def test_verdicts(reason: str, gaps: list[str], verdict: str) -> None:
    assert verdict_of(reason, gaps) == verdict


def test_exit_codes_are_distinct_and_only_complete_is_zero() -> None:
    assert EXIT_CODES == {"complete": 0, "failed": 1, "partial": 3, "quota": 4, "blocked": 5, "stopped": 6}


def test_given_up_requests_ignored_answers_and_failed_callbacks_are_gaps() -> None:
    assert stats_gaps({"retry/count": 5, "log_count/INFO": 3}) == []
    gaps = stats_gaps({"retry/max_reached": 2, "httperror/response_ignored_count": 1, "spider_exceptions/KeyError": 3})
    assert [g.split(" ")[0] for g in gaps] == ["2", "1", "3"]


def test_scrapy_crawl_on_a_directory_in_use_is_one_line_and_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    with holder_process(tmp_path) as (holder, ready):
        assert ready.wait(30)
        cmd = [sys.executable, "-m", "scrapy", "crawl", "import", "-a", f"path={ROOT / 'README.md'}", "-s", f"DATA_DIR={tmp_path}"]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("scrapy crawl import: error: ") and f"in use by another run (pid {holder.pid} on " in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]  # no run record, no data
