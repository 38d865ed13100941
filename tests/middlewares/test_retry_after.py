"""Retry-After is waited for before the retry, in seconds or as an HTTP date, and capped."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from tiktok.middlewares.retry_after import RetryAfterMiddleware, retry_after_seconds


def test_retry_after_values() -> None:
    assert retry_after_seconds(b"2") == 2.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True).encode()
    assert 28 <= (retry_after_seconds(later) or 0) <= 30
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


async def test_waits_before_the_retry() -> None:
    crawler = get_crawler(settings_dict={"TIKTOK_RETRY_AFTER_MAX": 0.5})
    mw = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/api/x")
    started = time.monotonic()
    await mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "10"}))
    assert 0.45 <= time.monotonic() - started < 2  # capped at TIKTOK_RETRY_AFTER_MAX
    started = time.monotonic()
    await mw.process_response(request, Response(request.url, status=200))
    assert time.monotonic() - started < 0.1
    assert crawler.stats.get_value("retry_after/waits") == 1
