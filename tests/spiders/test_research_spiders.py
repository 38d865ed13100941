"""The Research API spiders' callbacks in-process, on hand-built answers in the API's envelope
(TIKTOK-FORMATS.md §2-§3): progress saved per stored page and resumed from, reply threads met
again after a kill, gaps for what was lost, corrupt state refused, and the network's summary."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from tests.helpers.crawler import crawler_with_run
from tiktok.middlewares.research import REFUSAL
from tiktok.research.answers import Answer, ResearchGaveUp
from tiktok.run.context import run_context
from tiktok.schema.items import Comment
from tiktok.spiders.research_comments import ResearchCommentsSpider
from tiktok.spiders.research_network import ResearchNetworkSpider
from tiktok.spiders.research_user_videos import ResearchUserVideosSpider
from tiktok.spiders.research_videos import RESTARTS, ResearchVideosSpider

VIDEO = 7638562098569543696
LOG_ID = "20241009180101BDD8B4B0A88D600D1801"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOK_CLIENT_KEY", "sim-demo-key")
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "sim-demo-secret")


def crawler_for(data_dir: Path, spidercls: Any) -> Any:
    return crawler_with_run(data_dir, spidercls, TIKTOK_API_URL="http://127.0.0.1:8850")


def make(spidercls: Any, crawler: Any, **arguments: str) -> Any:
    spider = spidercls(**arguments)
    spider._set_crawler(crawler)
    return spider


def ok(request: Request, data: dict[str, Any]) -> Response:
    body = {"data": data, "error": {"code": "ok", "message": "", "log_id": LOG_ID}}
    return Response(request.url, body=json.dumps(body).encode(), request=request)


async def run(spider: Any, request: Request, response: Response) -> list[Any]:
    """The callback's output, each item reported stored as Scrapy's item pipelines would."""
    out = []
    async for value in request.callback(response, **request.cb_kwargs):  # type: ignore[misc]
        out.append(value)
        if not isinstance(value, Request):
            spider.crawler.signals.send_catch_log(signals.item_scraped, item=value, response=response, spider=spider)
    return out


async def first(spider: Any) -> list[Request]:
    return [r async for r in spider.start()]


def lost(request: Request, answer: Answer, lost: bool = True) -> Failure:
    failure = Failure(ResearchGaveUp(answer, lost=lost))  # type: ignore[no-untyped-call]
    failure.request = request  # type: ignore[attr-defined]
    return failure


def followers(names: list[str], cursor: int, more: bool) -> dict[str, Any]:
    return {"user_followers": [{"username": n, "display_name": n.title()} for n in names], "cursor": cursor, "has_more": more}


async def test_a_follower_list_goes_on_from_its_saved_cursor_in_the_next_run(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchNetworkSpider)
    spider = make(ResearchNetworkSpider, crawler, seeds="alice", direction="followers", depth="1")
    (request,) = await first(spider)
    out = await run(spider, request, ok(request, followers(["bob", "carol"], 1_700_000_000, more=True)))
    assert [type(o).__name__ for o in out] == ["Follow", "Follow", "Request"] and json.loads(out[-1].body)["cursor"] == 1_700_000_000
    # killed here: the next run asks for the second page, not the first again
    again = make(ResearchNetworkSpider, crawler, seeds="alice", direction="followers", depth="1")
    (resumed,) = await first(again)
    assert json.loads(resumed.body) == {"username": "alice", "max_count": 100, "cursor": 1_700_000_000}
    out = await run(again, resumed, ok(resumed, followers(["dave"], 1_600_000_000, more=False)))
    assert [type(o).__name__ for o in out] == ["Follow", "UserStatus"] and out[1].status == "parsed"
    assert again.hops == {"alice": 0, "bob": 1, "carol": 1, "dave": 1}  # the users of both runs' pages
    assert again.statuses == {"alice": "parsed"} and again.lists == {}


async def test_the_network_summary_counts_agree(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    crawler = crawler_for(tmp_path, ResearchNetworkSpider)
    spider = make(ResearchNetworkSpider, crawler, seeds="alice", direction="followers", depth="2")
    (request,) = await first(spider)
    out = await run(spider, request, ok(request, followers(["bob", "carol"], 1, more=False)))
    bob, carol = (o for o in out if isinstance(o, Request))
    await run(spider, bob, ok(bob, followers(["erin", "alice"], 1, more=False)))
    spider.failed(lost(carol, Answer("transient", "http_504")))  # carol's list lost: still to ask
    with caplog.at_level(logging.INFO):
        spider.closed("finished")
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("network:")]
    assert line == (
        "network: 4 users known: 2 asked, 1 still to ask (run the same command to go on), 1 found at hop 2 (beyond -a depth, not asked)"
    )


async def test_a_lost_list_is_a_gap_and_the_next_run_goes_on_with_it(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchNetworkSpider)
    spider = make(ResearchNetworkSpider, crawler, seeds="alice", direction="followers", depth="1")
    (request,) = await first(spider)
    (page2,) = [o for o in await run(spider, request, ok(request, followers(["bob"], 1_700_000_000, more=True))) if isinstance(o, Request)]
    assert list(spider.failed(lost(page2, Answer("transient", "http_504", "Gateway Time-out")))) == []
    assert run_context(crawler).gaps == ["@alice: followers after cursor 1700000000 (http_504: Gateway Time-out)"]
    assert "alice" not in spider.statuses  # not settled: the same command asks again from the cursor
    (resumed,) = await first(make(ResearchNetworkSpider, crawler, seeds="alice", direction="followers", depth="1"))
    assert json.loads(resumed.body)["cursor"] == 1_700_000_000


def comment(cid: int, replies: int, parent: int = VIDEO) -> dict[str, Any]:
    counts = {"like_count": 1, "reply_count": replies, "create_time": 1}
    return {"id": cid, "video_id": VIDEO, "text": "hi", "parent_comment_id": parent, **counts}


async def test_reply_threads_are_kept_with_the_page_and_not_asked_twice(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchCommentsSpider)
    spider = make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO))
    (request,) = await first(spider)
    page = {"comments": [comment(11, 0), comment(12, 3)], "cursor": 2, "has_more": True}
    out = await run(spider, request, ok(request, page))
    asked = [json.loads(o.body) for o in out if isinstance(o, Request)]
    assert sum(isinstance(o, Comment) for o in out) == 2
    assert asked == [{"video_id": VIDEO, "max_count": 100, "cursor": 2}, {"comment_id": 12, "max_count": 100, "cursor": 0}]
    # killed before the next page was stored: the next run asks for that page and the thread, once each
    again = make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO))
    resumed = await first(again)
    assert [json.loads(r.body) for r in resumed] == asked
    replayed = await run(again, request, ok(request, page))  # a page in flight at the kill, answered again
    assert [json.loads(o.body) for o in replayed if isinstance(o, Request)] == [asked[0]]  # no second thread


async def test_a_lost_comment_page_is_a_gap(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchCommentsSpider)
    spider = make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO))
    (request,) = await first(spider)
    spider.failed(lost(request, Answer("invalid_cursor", "invalid_params", "Invalid count or cursor")))
    assert run_context(crawler).gaps == [f"video {VIDEO}: comments from cursor 0 on (invalid_params: Invalid count or cursor)"]


async def test_corrupt_progress_stops_the_run_in_one_line_and_reset_moves_it_aside(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchCommentsSpider)
    spider = make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO))
    spider.load_progress()
    spider.progress.path.parent.mkdir(parents=True)
    spider.progress.path.write_bytes(b"\x00garbage{")
    with pytest.raises(CloseSpider) as stopped:
        await first(make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO)))
    assert stopped.value.reason == (
        f"failed: the saved progress {spider.progress.path} cannot be read (not JSON); run the same command with -a reset=1"
        " to move it aside and start over"
    )
    (request,) = await first(make(ResearchCommentsSpider, crawler, video_ids=str(VIDEO), reset="1"))
    assert json.loads(request.body)["cursor"] == 0
    assert [p.name.split(".corrupt-")[0] for p in spider.progress.path.parent.glob("*.corrupt-*")] == [spider.progress.path.name]


async def videos_spider(tmp_path: Path) -> tuple[Any, Request]:
    crawler = crawler_for(tmp_path, ResearchVideosSpider)
    spider = make(ResearchVideosSpider, crawler, hashtags="london", start_date="2026-04-01", end_date="2026-04-20")
    (request,) = await first(spider)
    return spider, request


async def test_a_search_id_that_stays_invalid_runs_the_window_again_then_is_a_gap(tmp_path: Path) -> None:
    spider, request = await videos_spider(tmp_path)
    out = await run(spider, request, ok(request, {"videos": [], "cursor": 100, "has_more": True, "search_id": "s1"}))
    (page2,) = out
    expired = Answer("search_id", "invalid_params", "Search Id s1 is invalid or expired")
    for _ in range(RESTARTS):
        (restart,) = spider.failed(lost(page2, expired))
        assert "cursor" not in json.loads(restart.body) and "search_id" not in json.loads(restart.body)
    assert list(spider.failed(lost(page2, expired))) == []
    (gap,) = run_context(spider.crawler).gaps
    assert gap.startswith("window 20260401-20260420 of london: pages from cursor 0 on (invalid_params: Search Id s1")


async def test_progress_waits_for_the_pages_items_to_be_stored(tmp_path: Path) -> None:
    """Scrapy runs a callback ahead of its items' pipelines: the cursor moves only once they are stored."""
    spider, request = await videos_spider(tmp_path)
    video = {"id": 7000000000000000001, "create_time": 1775000000}
    response = ok(request, {"videos": [video], "cursor": 1, "has_more": True, "search_id": "s"})
    callback: AsyncIterator[Any] = request.callback(response, **request.cb_kwargs)  # type: ignore[misc]
    item = await anext(callback)
    nxt = asyncio.ensure_future(anext(callback))
    await asyncio.sleep(0.05)
    assert not nxt.done() and not spider.progress.path.exists()  # the item is not stored yet
    spider.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=response, spider=spider)
    following = await nxt
    assert isinstance(following, Request) and json.loads(spider.progress.path.read_text())["20260401-20260420"]["cursor"] == 1


async def test_a_liked_list_goes_on_from_its_cursor_and_a_refused_one_is_not_asked_again(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, ResearchUserVideosSpider)
    spider = make(ResearchUserVideosSpider, crawler, usernames="alice,bob", kinds="liked")
    alice, bob = await first(spider)
    video = {"id": 7000000000000000001, "create_time": 1775000000, "username": "carol"}
    out = await run(spider, alice, ok(alice, {"user_liked_videos": [video], "cursor": 1_775_000_000_000, "has_more": True}))
    assert json.loads(out[-1].body)["cursor"] == 1_775_000_000_000
    hidden = error_answer(bob, "The user's liked videos information cannot be returned")
    bob.meta[REFUSAL] = ("refused", "The user's liked videos information cannot be returned")  # as the middleware marks it
    (status,) = await run(spider, bob, hidden)
    assert (status.username, status.status, status.source) == ("bob", "refused", "research_liked")
    (resumed,) = await first(make(ResearchUserVideosSpider, crawler, usernames="alice,bob", kinds="liked"))
    assert json.loads(resumed.body) == {"username": "alice", "max_count": 100, "cursor": 1_775_000_000_000}


def error_answer(request: Request, message: str) -> Response:
    body = {"error": {"code": "invalid_params", "message": message, "log_id": LOG_ID}}
    return Response(request.url, status=400, body=json.dumps(body).encode(), request=request)
