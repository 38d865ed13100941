"""The summary block a run ends with (tiktok/run/summary.py) and the spider's closing lines it
repeats (tiktok/extensions/summary.py): what it says equals the run's `ended` record."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tiktok.extensions.summary import ClosingLines
from tiktok.run.summary import MAX_LINES_PER_PART, summary_lines


def ended(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event": "ended",
        "run_id": "hashtag-20261130T101500Z-3f2a",
        "spider": "hashtag",
        "started_at": "2026-11-30T10:15:00Z",
        "finished_at": "2026-11-30T10:16:41Z",
        "items": {"videos": 81, "hashtags": 2, "users": 1},
        "rejected": {},
        "duplicates": {"hashtag": 12, "user": 0},
        "finish_reason": "finished",
        "verdict": "complete",
        "missing": [],
        "fill": None,
    }
    return record | changes


def test_a_complete_run_says_what_it_stored_its_coverage_and_where_things_are() -> None:
    closing = ["Coverage:\n  #london: 50 of 50 videos TikTok reports (100%), stopped: end of list"]
    lines = summary_lines(ended(), Path("data"), "data/logs/hashtag-20261130T101500Z.log", closing)
    assert lines == [
        "--- hashtag run hashtag-20261130T101500Z-3f2a ended after 101 s",
        "  stored: 81 videos, 2 hashtags, 1 user",
        "  already stored, not stored again: 12 hashtags",
        "  Coverage:",
        "    #london: 50 of 50 videos TikTok reports (100%), stopped: end of list",
        "  Verdict: complete (exit 0): everything the run set out to collect is stored",
        "  data: data/ (this run's record in data/runs.jsonl)",
        "  full log: data/logs/hashtag-20261130T101500Z.log",
    ]


def test_a_partial_run_names_its_gaps_capped_and_the_command_that_fills_them() -> None:
    gaps = [f"video {n}: comments after cursor 200 not collected" for n in range(MAX_LINES_PER_PART + 3)]
    record = ended(verdict="partial", missing=gaps, fill="scrapy crawl video -a ids=1,2", items={}, rejected={"video": 2})
    lines = summary_lines(record, Path("d"), None)
    assert "  stored: nothing new" in lines
    assert "  rejected as invalid: 2 videos (reasons in d/rejected.jsonl)" in lines
    assert "  Verdict: partial (exit 3): finished" in lines
    shown = [line for line in lines if line.startswith("  missing: ")]
    assert shown == [f"  missing: {g}" for g in gaps[:MAX_LINES_PER_PART]]
    assert "  ... and 3 more in d/runs.jsonl (python -m tiktok runs d)" in lines
    assert lines[-2:] == ["  to fill the gaps, run: scrapy crawl video -a ids=1,2", "  data: d/ (this run's record in d/runs.jsonl)"]


def test_refused_credentials_say_exit_2_and_an_hour_long_run_its_minutes() -> None:
    record = ended(verdict="failed", finish_reason="credentials_rejected", finished_at="2026-11-30T11:15:00Z")
    lines = summary_lines(record, Path("data"), None)
    assert lines[0].endswith("ended after 60 min")
    assert "  Verdict: failed (exit 2): credentials_rejected" in lines


def closed() -> None:
    """Logs as a spider's `closed()` does (the function's name is what the summary looks for)."""
    logging.getLogger("hashtag").info("Coverage:\n  #a: 1 videos, stopped: limit")
    logging.getLogger("tiktok.spiders.importer").warning("Import finished: 2 files read")
    logging.getLogger("scrapy.core.engine").info("Spider closed (finished)")  # Scrapy's, not the spider's
    logging.getLogger("hashtag").debug("a debug line")


def parse() -> None:
    logging.getLogger("hashtag").info("#a: page 2 read")


def test_the_lines_a_spider_logs_from_closed_are_collected_and_no_others() -> None:
    handler = ClosingLines("hashtag")
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        parse()
        closed()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert handler.lines == ["Coverage:\n  #a: 1 videos, stopped: limit", "Import finished: 2 files read"]
