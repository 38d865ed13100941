"""Downloader middleware: honour Retry-After.

Scrapy's RetryMiddleware retries a 429 or 503 after DOWNLOAD_DELAY, whatever the site asked. This
one runs before it on the way back and, when the answer carries Retry-After (seconds or an HTTP
date), waits that long (at most TIKTOK_RETRY_AFTER_MAX, 300 s) before the retry goes out.
Stats: `retry_after/waits`, `retry_after/seconds`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Request, Response


def retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("TIKTOK_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None:
                wait = min(wait, self.cap)
                self.crawler.stats.inc_value("retry_after/waits")
                self.crawler.stats.inc_value("retry_after/seconds", round(wait))
                await asyncio.sleep(wait)
        return response
