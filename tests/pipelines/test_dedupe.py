"""Totals rows through dedupe and write: one per entity and run, never dropped across runs; the
hashtag record stays once, and a hashtag first seen without totals still gets them stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.crawler import crawler_with_run
from tiktok.middlewares.totals import with_totals
from tiktok.pipelines.dedupe import DedupePipeline, Duplicate
from tiktok.pipelines.write import WritePipeline
from tiktok.run.context import run_context
from tiktok.schema.items import Hashtag, Sound


def run(data: Path, run_id: str, items: list[Any]) -> dict[str, int]:
    """One crawl's items, as the spider middleware yields them, through dedupe and write; the
    number stored per type and dropped as duplicates."""
    crawler = crawler_with_run(data)
    run_context(crawler).run_id = run_id
    dedupe, write = DedupePipeline.from_crawler(crawler), WritePipeline.from_crawler(crawler)
    write.open_spider()
    counts = {"stored": 0, "duplicates": 0}
    for item in with_totals(items):
        try:
            write.process_item(dedupe.process_item(item))
            counts["stored"] += 1
        except Duplicate:
            counts["duplicates"] += 1
    write.close_spider()
    return counts


def rows(data: Path, name: str) -> list[dict[str, Any]]:
    path = data / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def london(at: str, videos: int | None = None, views: int | None = None) -> Hashtag:
    return Hashtag(id="1600000000000003", name="london", video_count=videos, view_count=views, source="hashtag:london", scraped_at=at)


def test_each_run_adds_one_totals_row_per_entity(tmp_path: Path) -> None:
    sound = Sound(id="7368000000000007919", title="Eyes Motion", video_count=47, source="sound:7368000000000007919", scraped_at="t")
    first = run(tmp_path, "run-1", [london("2026-06-01T00:00:00Z", 50, 900), london("2026-06-01T00:00:05Z", 50, 901), sound])
    second = run(tmp_path, "run-2", [london("2026-06-01T01:00:00Z", 52, 1200)])
    totals = rows(tmp_path, "totals")
    assert [(t["kind"], t["name"], t["video_count"], t["view_count"], t["run_id"]) for t in totals] == [
        ("hashtag", "london", 50, 900, "run-1"),  # the same hashtag twice in one run: one row, the first
        ("sound", "Eyes Motion", 47, None, "run-1"),
        ("hashtag", "london", 52, 1200, "run-2"),  # a later run: a row of its own, never deduplicated away
    ]
    assert totals[0]["observed_at"] == "2026-06-01T00:00:00Z" and totals[2]["observed_at"] == "2026-06-01T01:00:00Z"
    assert len(rows(tmp_path, "hashtags")) == 1 and len(rows(tmp_path, "sounds")) == 1  # the catalogue: once
    assert first == {"stored": 4, "duplicates": 2} and second == {"stored": 1, "duplicates": 1}


def test_a_hashtag_first_seen_without_totals_gets_them_when_its_detail_is_read(tmp_path: Path) -> None:
    run(tmp_path, "foryou-1", [london("2026-06-01T00:00:00Z")])  # a feed names it: no totals, no row
    assert rows(tmp_path, "totals") == []
    run(tmp_path, "hashtag-1", [london("2026-06-01T00:10:00Z", 50, 908199)])
    (totals,) = rows(tmp_path, "totals")
    assert (totals["video_count"], totals["view_count"], totals["run_id"]) == (50, 908199, "hashtag-1")


@pytest.mark.parametrize("item", [Hashtag(id="1", name="x"), Sound(id="2", title="y"), Hashtag(id="3", view_count=0)])
def test_only_items_with_totals_add_a_row(item: Any) -> None:
    out = list(with_totals([item]))
    assert out[0] is item and len(out) == (2 if getattr(item, "view_count", None) == 0 else 1)


def test_an_imported_files_totals_belong_to_that_file() -> None:
    saved = Hashtag(id="7", name="paris", video_count=31, source="import:tag-paris.html", scraped_at="2026-05-01T00:00:00Z")
    (_, totals) = with_totals([saved])
    assert totals.run_id == "import:tag-paris.html" and totals.observed_at == "2026-05-01T00:00:00Z"
