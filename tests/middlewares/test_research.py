"""The Research API middleware on hand-built answers, one behaviour each (the way Scrapy tests its
RetryMiddleware): what each answer is, what is retried and how often, what reaches the callback,
the daily quota, and the quota ledger it keeps."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from tiktok.middlewares.research import REFUSAL, ResearchApiMiddleware
from tiktok.research.answers import QuotaReached, ResearchGaveUp, classify
from tiktok.research.state import utc_day

API = "http://127.0.0.1:8850/v2/research"
VIDEOS = {"data": {"videos": [{"id": 1}, {"id": 2}], "cursor": 2, "has_more": True, "search_id": "s"}, "error": {"code": "ok"}}


def answer(status: int, body: Any, headers: dict[str, str] | None = None, url: str = f"{API}/video/query/") -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(url, status=status, body=raw, headers=headers)


def error(status: int, code: str, message: str = "") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "log_id": "20241009180101BDD8B4B0A88D600D1801"}}


class Engine:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def close_spider_async(self, *, reason: str) -> None:
        self.reasons.append(reason)


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    crawler = get_crawler(Spider, {"DATA_DIR": str(tmp_path), "TIKTOK_RESEARCH_BACKOFF": 0, "TIKTOK_RESEARCH_MAX_RETRIES": 2})
    crawler.spider = Spider.from_crawler(crawler, name="research_test")
    crawler.engine = Engine()  # type: ignore[assignment]  # only close_spider_async is used
    return crawler


@pytest.fixture
def mw(crawler: Any) -> ResearchApiMiddleware:
    return ResearchApiMiddleware.from_crawler(crawler)


def research(url: str = f"{API}/video/query/") -> Request:
    return Request(url, method="POST", meta={"research": True, "dont_retry": True, "handle_httpstatus_all": True})


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (200, VIDEOS, "ok", "ok"),
        (200, {"data": {"display_name": "x"}, "error": {"code": "ok", "message": "ok"}}, "ok", "ok"),
        (504, b"<html><head><title>504 Gateway Time-out</title></head></html>", "transient", "http_504"),
        (500, {"error": {"code": "internal_error", "log_id": "x"}}, "transient", "internal_error"),
        (200, json.dumps(VIDEOS).encode()[:40], "transient", "not_json"),  # a page cut short (issue #13)
        (400, error(400, "invalid_params", "Invalid count or cursor"), "invalid_cursor", "invalid_params"),
        (400, error(400, "invalid_params", "Search Id 7362 is invalid or expired"), "search_id", "invalid_params"),
        (429, error(429, "rate_limit_exceeded", "Rate limit exceeded"), "rate_limit", "rate_limit_exceeded"),
        (429, error(429, "daily_quota_limit_exceeded", "Daily quota exceeded"), "daily_quota", "daily_quota_limit_exceeded"),
        (400, error(400, "invalid_params", "API cannot return this user's information"), "refused", "invalid_params"),
        (400, error(400, "invalid_params", "User x is invalid: cannot find the user"), "refused", "invalid_params"),
        (401, error(401, "scope_not_authorized", "The user did not authorize the scope"), "fatal", "scope_not_authorized"),
        (400, error(400, "invalid_params", "exactly one of video_id and comment_id is required"), "fatal", "invalid_params"),
    ],
)
def test_what_each_answer_is(status: int, body: Any, kind: str, code: str) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    got = classify(status, raw)
    assert (got.kind, got.code) == (kind, code)


def test_records_and_user_statuses_are_read_from_the_answer() -> None:
    assert classify(200, json.dumps(VIDEOS).encode()).records == 2
    assert classify(200, json.dumps({"data": {"display_name": "x"}, "error": {"code": "ok"}}).encode()).records == 1
    refused = json.dumps(error(400, "invalid_params", "The user's liked videos information cannot be returned")).encode()
    unknown = json.dumps(error(400, "invalid_params", "User x is invalid: cannot find the user")).encode()
    assert (classify(400, refused).user_status, classify(400, unknown).user_status) == ("refused", "not_found")


async def test_a_good_answer_passes_and_is_charged(mw: ResearchApiMiddleware, crawler: Any, tmp_path: Path) -> None:
    request = research()
    response = answer(200, VIDEOS)
    assert await mw.process_response(request, response) is response
    saved = json.loads((tmp_path / "state" / "research-quota.json").read_text())
    assert saved[utc_day()]["research"] == {"requests": 1, "records": 2}
    assert crawler.stats.get_value("research/quota/research/requests") == 1
    assert crawler.stats.get_value("research/quota/research/records") == 2


async def test_followers_count_against_their_own_quota(mw: ResearchApiMiddleware, crawler: Any) -> None:
    body = {"data": {"user_followers": [{"username": "a"}], "cursor": 5, "has_more": False}, "error": {"code": "ok"}}
    await mw.process_response(research(f"{API}/user/followers/"), answer(200, body, url=f"{API}/user/followers/"))
    assert mw.ledger.today("follow") == {"requests": 1, "records": 1} and mw.ledger.today("research")["requests"] == 0


@pytest.mark.parametrize(
    "response",
    [
        answer(504, b"<html>504 Gateway Time-out</html>"),
        answer(200, json.dumps(VIDEOS).encode()[:50]),
        answer(400, error(400, "invalid_params", "Invalid count or cursor")),
        answer(429, error(429, "rate_limit_exceeded", "Rate limit exceeded")),
    ],
)
async def test_transient_answers_are_retried_then_given_up_as_lost(mw: ResearchApiMiddleware, crawler: Any, response: Response) -> None:
    request = research()
    for tries in (1, 2):
        request = await mw.process_response(request, response)  # type: ignore[assignment]
        assert isinstance(request, Request) and request.meta["retry_times"] == tries and request.dont_filter
    with pytest.raises(ResearchGaveUp) as gave_up:
        await mw.process_response(request, response)
    assert gave_up.value.lost and crawler.stats.get_value("retry/max_reached") == 1  # the run log makes it a gap
    assert mw.ledger.today("research")["requests"] == 3  # each failed request still costs quota (§4)


async def test_an_expired_search_id_is_given_up_without_counting_as_lost(mw: ResearchApiMiddleware, crawler: Any) -> None:
    """The spider runs the window again, so the run is not partial for it."""
    response = answer(400, error(400, "invalid_params", "Search Id 7362 is invalid or expired"))
    request: Any = research()
    for _ in range(2):
        request = await mw.process_response(request, response)
    with pytest.raises(ResearchGaveUp) as gave_up:
        await mw.process_response(request, response)
    assert gave_up.value.answer.kind == "search_id"
    assert crawler.stats.get_value("retry/max_reached") is None and crawler.stats.get_value("research/search_id_retry/max_reached") == 1


async def test_retry_after_is_honoured(crawler: Any) -> None:
    crawler.settings.frozen = False
    crawler.settings.set("TIKTOK_RETRY_AFTER_MAX", 0.3)
    mw = ResearchApiMiddleware.from_crawler(crawler)
    loop = asyncio.get_running_loop()
    started = loop.time()
    retry = await mw.process_response(research(), answer(429, error(429, "rate_limit_exceeded"), headers={"Retry-After": "20"}))
    assert isinstance(retry, Request) and 0.25 <= loop.time() - started < 2  # waited, capped at TIKTOK_RETRY_AFTER_MAX


async def test_a_refused_user_reaches_the_callback_with_its_status(mw: ResearchApiMiddleware) -> None:
    request = research(f"{API}/user/info/")
    message = "API cannot return this user's information"
    response = answer(400, error(400, "invalid_params", message), url=request.url)
    assert await mw.process_response(request, response) is response
    assert request.meta[REFUSAL] == ("refused", message)


async def test_a_final_error_goes_to_the_errback(mw: ResearchApiMiddleware, crawler: Any) -> None:
    with pytest.raises(ResearchGaveUp) as gave_up:
        await mw.process_response(research(), answer(401, error(401, "scope_not_authorized", "not approved")))
    assert not gave_up.value.lost and "scope_not_authorized" in str(gave_up.value)
    assert crawler.stats.get_value("retry/count") is None  # not retried


async def test_the_daily_quota_closes_the_spider_once_with_when_to_resume(mw: ResearchApiMiddleware, crawler: Any) -> None:
    response = answer(429, error(429, "daily_quota_limit_exceeded", "Daily quota exceeded"))
    for _ in range(3):  # three answers in flight when the quota ran out
        with pytest.raises(QuotaReached):
            await mw.process_response(research(), response)
    await asyncio.sleep(0)  # the close is scheduled, as Scrapy's own CloseSpider is
    (reason,) = crawler.engine.reasons
    assert reason.startswith("daily quota reached: progress saved; run the same command after ") and reason.endswith(" h)")


async def test_download_errors_are_retried_and_charged(mw: ResearchApiMiddleware, crawler: Any) -> None:
    request: Any = research()
    for _ in range(2):
        request = await mw.process_exception(request, TimeoutError("took too long"))
        assert isinstance(request, Request)
    with pytest.raises(ResearchGaveUp):
        await mw.process_exception(request, TimeoutError("took too long"))
    assert mw.ledger.today("research")["requests"] == 3
    assert await mw.process_exception(research(), IgnoreRequest("no token")) is None  # not a download error


async def test_other_requests_are_not_touched(mw: ResearchApiMiddleware) -> None:
    request = Request("http://127.0.0.1:8850/api/post/item_list/")
    response = Response(request.url, status=500, body=b"oops")
    assert await mw.process_response(request, response) is response
    assert await mw.process_exception(request, TimeoutError()) is None
    assert mw.ledger.today("research")["requests"] == 0


def test_a_corrupt_ledger_is_rebuilt_from_the_runs_of_today(crawler: Any, tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "research-quota.json").write_text("{garbage", encoding="utf-8")
    today = f"{utc_day()}T10:00:00Z"
    runs = [
        {"event": "started", "started_at": today},
        {"event": "ended", "finished_at": today, "research_quota": {"research/requests": 40, "research/records": 900}},
        {"event": "ended", "finished_at": today, "research_quota": {"research/requests": 2, "follow/requests": 7}},
        {"event": "ended", "finished_at": "2020-01-01T10:00:00Z", "research_quota": {"research/requests": 500}},
    ]
    (tmp_path / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
    mw = ResearchApiMiddleware.from_crawler(crawler)
    assert mw.ledger.today("research") == {"requests": 42, "records": 900}
    assert mw.ledger.today("follow") == {"requests": 7, "records": 0}
    assert [p.name.split(".corrupt-")[0] for p in (tmp_path / "state").glob("*.corrupt-*")] == ["research-quota.json"]
