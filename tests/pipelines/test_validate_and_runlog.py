"""An invalid item is kept in rejected.jsonl with its reason and counted; each run has a started and
an ended line in runs.jsonl, with its verdict and secret-looking arguments redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem

from tests.helpers.crawler import crawler_with_run
from tiktok.extensions.runlog import RunLog, redact
from tiktok.pipelines.validate import ValidatePipeline, type_errors
from tiktok.research.state import QuotaLedger
from tiktok.run.context import run_context
from tiktok.schema.items import Comment, User, Video


def test_type_errors_name_the_field() -> None:
    assert type_errors(Video(id="123", like_count=5, hashtag_names=["a"])) == []
    assert type_errors(Video(id="12a")) == ["id '12a' is not a string of digits"]
    assert type_errors(Video(id="1", like_count="5")) == ["like_count has str '5', expected int | None"]  # type: ignore[arg-type]
    assert type_errors(Video(id="1", comment_count=-3)) == ["comment_count is negative (-3)"]
    assert type_errors(Video(id="1", hashtag_names=["a", 2])) == ["hashtag_names has list ['a', 2], expected list[str] | None"]  # type: ignore[list-item]
    assert type_errors(User(username="no spaces please")) == ["username 'no spaces please' is not a TikTok handle"]
    assert type_errors(Video(id="1", is_ad=1)) == ["is_ad has int 1, expected bool | None"]  # type: ignore[arg-type]


def test_invalid_items_are_rejected_with_their_reason(tmp_path: Path) -> None:
    crawler = crawler_with_run(tmp_path)
    pipeline = ValidatePipeline.from_crawler(crawler)
    assert pipeline.process_item(Comment(id="5", text="ok")) is not None
    with pytest.raises(DropItem, match="invalid Comment: like_count has str"):
        pipeline.process_item(Comment(id="6", like_count="many", source="hashtag:london"))  # type: ignore[arg-type]
    pipeline.store.files["rejected"].close()
    (record,) = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["type"] == "Comment" and record["source"] == "hashtag:london" and record["item"]["id"] == "6"
    assert record["reason"] == "like_count has str 'many', expected int | None"
    assert crawler.stats.get_value("validate/rejected/comment") == 1


class ResearchVideos(Spider):
    name = "research_videos"


def test_run_log_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "s3cr3t-value")
    arguments = {"query": "q.yaml", "note": "s3cr3t-value", "token": "abc"}
    crawler = crawler_with_run(tmp_path, ResearchVideos, TIKTOK_SPIDER_ARGUMENTS=arguments)
    spider = ResearchVideos()
    log = crawler.get_extension(RunLog)
    log.spider_opened(spider)
    crawler.stats.set_value("stored/videos", 7)
    crawler.stats.set_value("log_count/ERROR", 2)
    log.spider_closed(spider, "finished")
    text = (tmp_path / "runs.jsonl").read_text(encoding="utf-8")
    started, run = [json.loads(line) for line in text.splitlines()]
    assert started["event"] == "started" and started["run_id"] == run["run_id"] == run_context(crawler).run_id
    assert run["event"] == "ended" and run["spider"] == "research_videos" and run["run_id"].startswith("research_videos-")
    assert run["finish_reason"] == "finished" and run["verdict"] == "complete" and run["missing"] == [] and run["fill"] is None
    assert run["arguments"] == {"query": "q.yaml", "note": "[redacted]", "token": "[redacted]"}
    assert run["items"] == {"videos": 7} and run["errors"] == {"log_count/ERROR": 2}
    assert crawler.stats.get_value("run/verdict") == "complete"
    assert "s3cr3t-value" not in text


def test_a_gap_makes_the_run_partial_with_its_fill_command(tmp_path: Path) -> None:
    crawler = crawler_with_run(tmp_path, ResearchVideos, TIKTOK_SPIDER_ARGUMENTS={"query": "q.yaml"})
    spider = ResearchVideos()
    log = crawler.get_extension(RunLog)
    log.spider_opened(spider)
    run_context(crawler).gap("window 2026-05-01..2026-05-07: pages after cursor 200 lost")
    crawler.stats.set_value("retry/max_reached", 2)
    log.spider_closed(spider, "finished")
    run = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert run["verdict"] == "partial"
    assert run["missing"] == [
        "window 2026-05-01..2026-05-07: pages after cursor 200 lost",
        "2 request(s) given up after their retries (see the log's 'Gave up retrying' lines)",
    ]
    assert run["fill"] == "scrapy crawl research_videos -a query=q.yaml"


def test_redact_keeps_ordinary_arguments() -> None:
    assert redact({"hashtags": "london,paris", "client_key": "x"}) == {"hashtags": "london,paris", "client_key": "[redacted]"}


def test_a_damaged_quota_ledger_is_rebuilt_from_the_runs_the_run_log_wrote(tmp_path: Path) -> None:
    for spent in (12, 30):  # two research runs today, as the RunLog records them
        crawler = crawler_with_run(tmp_path, ResearchVideos)
        log = crawler.get_extension(RunLog)
        log.spider_opened(ResearchVideos())
        crawler.stats.set_value("research/quota/research/requests", spent)
        crawler.stats.set_value("research/quota/research/records", spent * 100)
        log.spider_closed(ResearchVideos(), "finished")
        log.engine_stopped()  # releases the data directory for the next run
    (tmp_path / "state").mkdir(exist_ok=True)
    (tmp_path / "state" / "research-quota.json").write_text("{garbage", encoding="utf-8")
    ledger = QuotaLedger(tmp_path / "state", tmp_path / "runs.jsonl")
    assert ledger.today("research") == {"requests": 42, "records": 4200}  # not zeroed
    assert list((tmp_path / "state").glob("research-quota.json.corrupt-*"))  # the damaged file kept aside


def test_a_resumable_run_not_ended_complete_is_continued_by_the_same_command(tmp_path: Path) -> None:
    def run(reason: str, resumable: bool = True, **arguments: str) -> dict[str, Any]:
        given, over = arguments or {"query": "q.yaml"}, arguments.get("reset") == "1"  # the spider sets TIKTOK_START_OVER
        settings = {"TIKTOK_SPIDER_ARGUMENTS": given, "TIKTOK_RESUMABLE": resumable, "TIKTOK_START_OVER": over}
        crawler = crawler_with_run(tmp_path, ResearchVideos, **settings)
        log = crawler.get_extension(RunLog)
        log.spider_opened(ResearchVideos())
        if reason == "killed":
            log.engine_stopped()  # a kill -9 writes no ended line
        else:
            if reason == "partial":
                run_context(crawler).gap("window 1: pages after cursor 100")
            log.spider_closed(ResearchVideos(), "finished")
            log.engine_stopped()
        last: dict[str, Any] = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
        return last

    killed = run("killed")
    partial = run("partial")  # the same command after the kill: the same run, so the page in flight is not stored twice
    complete = run("complete")
    assert killed["run_id"] == partial["run_id"] == complete["run_id"] and complete["verdict"] == "complete"
    assert run("complete")["run_id"] != complete["run_id"]  # once complete, the next run is a new one
    other = run("killed", query="other.yaml")["run_id"]
    over = run("killed", query="other.yaml", reset="1")["run_id"]  # -a reset=1 starts over: a new run ...
    assert over != other and run("complete", query="other.yaml")["run_id"] == over  # ... which the command then continues
    assert run("killed", resumable=False)["run_id"] != run("complete", resumable=False)["run_id"]  # e.g. the hourly feed
