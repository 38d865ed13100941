"""What the Research API spiders share: POST requests with the token (tiktok/research/auth.py),
the daily quota ledger, and one way to handle errors: the daily-quota 429 saves state and stops
with when to resume; transient errors (5xx, 504 HTML, rate limits, "Invalid count or cursor",
"Search Id … is invalid or expired") are retried with back-off; a refused user is a status."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.items import UserStatus
from tiktok.research.credentials import credentials
from tiktok.research.state import QuotaLedger, next_reset
from tiktok.spiders.base import SpiderArgumentError, TikTokSpider

TRANSIENT = ("Invalid count or cursor", "is invalid or expired")
MAX_TRIES = 6
REFUSED = ("API cannot return this user's information", "information cannot be returned")
NOT_FOUND = ("cannot find the user",)


def need_credentials() -> None:
    if credentials() is None:
        raise SpiderArgumentError(
            "set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET in the environment (or .env); they are never taken from arguments"
        )


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ResearchSpider(TikTokSpider):
    custom_settings = {"ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0.2}  # noqa: RUF012 (an API, not a web site)
    family = "research"

    @property
    def api(self) -> str:
        return str(self.settings["TIKTOK_API_URL"]).rstrip("/")

    @property
    def state_dir(self) -> Path:
        return Path(self.settings.get("DATA_DIR", "data")) / "state"

    @property
    def ledger(self) -> QuotaLedger:
        if not hasattr(self, "_ledger"):
            self._ledger = QuotaLedger(self.state_dir)
        return self._ledger

    def post(self, endpoint: str, body: dict[str, Any], callback: Any, fields: tuple[str, ...] = (), **cb_kwargs: Any) -> scrapy.Request:
        query = f"?fields={','.join(fields)}" if fields else ""
        return scrapy.Request(
            f"{self.api}/v2/research/{endpoint}/{query}",
            method="POST",
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
            callback=callback,
            errback=self.failed,
            cb_kwargs=cb_kwargs,
            dont_filter=True,
            meta={"research": True, "dont_retry": True, "handle_httpstatus_all": True, "tries": 0},
        )

    @staticmethod
    def error_of(response: Response) -> tuple[int, str, str] | None:
        """(status, code, message) for anything but a good answer."""
        try:
            error = json.loads(response.body).get("error") or {}
            code, message = str(error.get("code") or ""), str(error.get("message") or "")
        except (ValueError, AttributeError):
            return response.status, "not_json", response.text[:80]
        if response.status == 200 and code in ("ok", ""):
            return None
        return response.status, code, message

    def save_state(self) -> None:
        self.ledger.save()

    def failed(self, failure: Failure) -> scrapy.Request | None:
        """A research request that raised (a time-out, a dropped connection): `dont_retry` keeps
        Scrapy's RetryMiddleware out, so it is retried here; what is still lost is named."""
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("research/errors/download")
        retry = get_retry_request(
            request, spider=self, reason=f"download failed: {failure.getErrorMessage()[:60]}", max_retry_times=MAX_TRIES
        )
        if retry is None:
            self.crawler.stats.inc_value("research/lost_requests")
            self.logger.error(
                "gave up on %s after %d tries: %s; run the same command again to fill the gap",
                request.url,
                MAX_TRIES,
                failure.getErrorMessage(),
            )
        return retry

    async def retry_or_stop(self, response: Response, status: int, code: str, message: str) -> scrapy.Request | None:
        """A retry for a transient error (after a back-off), None for a final one; stops the crawl
        on the daily quota."""
        self.crawler.stats.inc_value(f"research/errors/{code or status}")
        if code == "daily_quota_limit_exceeded":
            self.save_state()
            reset = next_reset()
            hours = (reset - datetime.now(UTC)).total_seconds() / 3600
            raise CloseSpider(
                f"daily quota reached: progress saved; run the same command after {reset:%Y-%m-%d %H:%M} UTC (in {hours:.1f} h)"
            )
        transient = status >= 500 or code in ("rate_limit_exceeded", "not_json", "internal_error") or any(t in message for t in TRANSIENT)
        if not transient:
            return None
        tries = response.meta.get("tries", 0) + 1
        await asyncio.sleep(min(30.0, 0.5 * 2**tries))
        assert response.request is not None
        retry = get_retry_request(response.request, spider=self, reason=f"{code or status}: {message[:60]}", max_retry_times=MAX_TRIES)
        if retry is not None:
            retry.meta["tries"] = tries
        return retry

    async def failure(self, response: Response) -> tuple[bool, scrapy.Request | None, str]:
        """(failed, a retry to send, the API's message): the same handling for every research
        answer. A failed answer still costs a request; the daily quota stops the crawl."""
        error = self.error_of(response)
        if error is None:
            return False, None, ""
        self.count(0)
        return True, await self.retry_or_stop(response, *error), error[2] or f"HTTP {error[0]}"

    def user_status(self, username: str, message: str | None, source: str) -> UserStatus:
        if message is None:
            status = "parsed"
        elif any(r in message for r in REFUSED):
            status = "refused"
        elif any(n in message for n in NOT_FOUND):
            status = "not_found"
        else:
            status = "error"
        self.crawler.stats.inc_value(f"research/users/{status}")
        return UserStatus(username=username, status=status, reason=message, observed_at=now(), source=source)

    def count(self, records: int) -> None:
        self.ledger.add(self.family, requests=1, records=records)
