"""An invalid item is kept in rejected.jsonl with its reason and counted; each run is one line in
runs.jsonl, with secret-looking arguments redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from tiktok.extensions.runlog import RunLog, redact
from tiktok.items import Comment, User, Video
from tiktok.pipelines.validate import ValidatePipeline, type_errors


def test_type_errors_name_the_field() -> None:
    assert type_errors(Video(id="123", like_count=5, hashtag_names=["a"])) == []
    assert type_errors(Video(id="12a")) == ["id '12a' is not a string of digits"]
    assert type_errors(Video(id="1", like_count="5")) == ["like_count has str '5', expected int | None"]  # type: ignore[arg-type]
    assert type_errors(Video(id="1", comment_count=-3)) == ["comment_count is negative (-3)"]
    assert type_errors(Video(id="1", hashtag_names=["a", 2])) == ["hashtag_names has list ['a', 2], expected list[str] | None"]  # type: ignore[list-item]
    assert type_errors(User(username="no spaces please")) == ["username 'no spaces please' is not a TikTok handle"]
    assert type_errors(Video(id="1", is_ad=1)) == ["is_ad has int 1, expected bool | None"]  # type: ignore[arg-type]


def test_invalid_items_are_rejected_with_their_reason(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"DATA_DIR": str(tmp_path)})
    pipeline = ValidatePipeline.from_crawler(crawler)
    assert pipeline.process_item(Comment(id="5", text="ok")) is not None
    with pytest.raises(DropItem, match="invalid Comment: like_count has str"):
        pipeline.process_item(Comment(id="6", like_count="many", source="hashtag:london"))  # type: ignore[arg-type]
    pipeline.store.files["rejected"].close()
    (record,) = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["type"] == "Comment" and record["source"] == "hashtag:london" and record["item"]["id"] == "6"
    assert record["reason"] == "like_count has str 'many', expected int | None"
    assert crawler.stats.get_value("validate/rejected/comment") == 1


def test_run_log_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "s3cr3t-value")
    crawler = get_crawler(settings_dict={"DATA_DIR": str(tmp_path)})
    spider = type("Spider", (), {"name": "research_videos", "run_arguments": {"query": "q.yaml", "note": "s3cr3t-value", "token": "abc"}})()
    log = RunLog.from_crawler(crawler)
    log.spider_opened(spider)
    crawler.stats.set_value("stored/videos", 7)
    crawler.stats.set_value("log_count/ERROR", 2)
    log.spider_closed(spider, "finished")
    (line,) = (tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    run = json.loads(line)
    assert run["spider"] == "research_videos" and run["run_id"].startswith("research_videos-") and run["finish_reason"] == "finished"
    assert run["arguments"] == {"query": "q.yaml", "note": "[redacted]", "token": "[redacted]"}
    assert run["items"] == {"videos": 7} and run["errors"] == {"log_count/ERROR": 2}
    assert "s3cr3t-value" not in line


def test_redact_keeps_ordinary_arguments() -> None:
    assert redact({"hashtags": "london,paris", "client_key": "x"}) == {"hashtags": "london,paris", "client_key": "[redacted]"}
