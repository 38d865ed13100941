"""Downloader middleware: every Research API answer (requests with meta["research"]) is sorted
here, so spider callbacks see only good answers and the per-user refusals (issue #11).

- ok: passed on.
- refused user: passed on with meta["research_refusal"] = (refused | not_found, the API's message),
  which the callback records as the user's status.
- transient (5xx, a 504 page, JSON that is garbled or cut short), "Invalid count or cursor",
  "Search Id … is invalid or expired", a rate-limit 429, and download errors (time-outs): retried
  through Scrapy's `get_retry_request` after a back-off (Retry-After when the API sends one). When
  the retries run out the errback gets `ResearchGaveUp(lost=True)`; `retry/max_reached` counts it,
  which makes the run partial. An expired search_id is counted apart
  (`research/search_id_retry/...`): the spider runs its window again instead.
- daily quota (429 daily_quota_limit_exceeded): the spider is closed with "daily quota reached: …
  run the same command after <UTC time>" (spiders save their progress when they close); the request
  goes to the errback as `QuotaReached`.
- fatal (anything else): the errback gets `ResearchGaveUp(lost=False)`.

Every request sent costs quota, failed ones too, as the API counts them (§4): each is taken from
the day's allowance in the quota ledger before it is sent (tiktok/research/ledger.py: DATA_DIR's
on one machine, Redis's when workers share a crawl, so N workers never send more than the quota),
its records are added at its answer, and the run's stats count `research/quota/<family>/requests`
and `research/quota/<family>/records`. When the allowance is spent the request is not sent: the
spider closes as for the API's own daily_quota answer, and a shared crawl keeps the request on its
queue for the next run.

Settings: those of the ledger, TIKTOK_RESEARCH_MAX_RETRIES (6), TIKTOK_RESEARCH_BACKOFF (0.5 s, doubled per
try, at most 30 s), TIKTOK_RETRY_AFTER_MAX (300 s).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro

from tiktok.middlewares.retry_after import retry_after_seconds
from tiktok.research.answers import RETRIED, Answer, QuotaReached, ResearchGaveUp, classify, quota_family
from tiktok.research.ledger import Ledger, open_ledger
from tiktok.research.state import next_reset
from tiktok.scale.frontier import REQUEUE

logger = logging.getLogger(__name__)
REFUSAL = "research_refusal"
TAKEN = "research_quota_taken"  # meta: the request was counted when it was sent


class ResearchApiMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self._ledger: Ledger | None = None
        self.max_retries = settings.getint("TIKTOK_RESEARCH_MAX_RETRIES", 6)
        self.backoff = settings.getfloat("TIKTOK_RESEARCH_BACKOFF", 0.5)
        self.retry_after_cap = settings.getfloat("TIKTOK_RETRY_AFTER_MAX", 300.0)
        self.quota_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ResearchApiMiddleware:
        return cls(crawler)

    @property
    def ledger(self) -> Ledger:
        """Opened at the first research request: a crawl of the web site never touches it."""
        if self._ledger is None:
            self._ledger = open_ledger(self.crawler.settings)
        return self._ledger

    def process_request(self, request: Request) -> None:
        """Takes the request from today's allowance, or stops the crawl when there is none left."""
        if not request.meta.get("research"):
            return
        family = quota_family(request.url)
        if not self.ledger.take(family):
            request.meta[REQUEUE] = True  # not sent: a shared crawl keeps it on its queue
            self.close_for_quota()
            raise QuotaReached(f"today's {family} quota is spent ({self.ledger.today(family)['requests']} requests)")
        request.meta[TAKEN] = True

    def charge(self, request: Request, records: int) -> None:
        """An answer's cost: its records, and its request when it was not counted at sending."""
        family = quota_family(request.url)
        self.ledger.add(family, requests=0 if request.meta.get(TAKEN) else 1, records=records)
        self.crawler.stats.inc_value(f"research/quota/{family}/requests")
        self.crawler.stats.inc_value(f"research/quota/{family}/records", records)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if not request.meta.get("research"):
            return response
        answer = classify(response.status, response.body)
        self.charge(request, answer.records)
        self.crawler.stats.inc_value(f"research/answers/{answer.kind}")
        if answer.kind == "ok":
            return response
        if answer.kind == "refused":
            request.meta[REFUSAL] = (answer.user_status, answer.message)
            return response
        if answer.kind == "daily_quota":
            self.ledger.close_day(quota_family(request.url))  # spent by others too: every worker stops
            request.meta[REQUEUE] = True
            self.close_for_quota()
            raise QuotaReached(answer.reason())
        if answer.kind not in RETRIED:
            logger.error("the Research API refused %s (%s %s)", request.url, response.status, answer.reason())
            raise ResearchGaveUp(answer, lost=False)
        wait = retry_after_seconds(response.headers.get("Retry-After")) if answer.kind == "rate_limit" else None
        return await self.retry(request, answer, wait)

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """A time-out or dropped connection: the request may have reached the API, so it is charged."""
        if not request.meta.get("research") or isinstance(exception, IgnoreRequest):
            return None
        self.charge(request, 0)
        self.crawler.stats.inc_value("research/answers/download_error")
        return await self.retry(request, Answer("transient", type(exception).__name__, str(exception)), None)

    async def retry(self, request: Request, answer: Answer, wait: float | None) -> Request:
        tries = request.meta.get("retry_times", 0) + 1
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=answer.code,
            max_retry_times=self.max_retries,
            # a search_id that stays invalid is not lost: the spider runs its window again
            stats_base_key="research/search_id_retry" if answer.kind == "search_id" else "retry",
        )
        if retry is None:
            raise ResearchGaveUp(answer, lost=True)
        delay = min(wait, self.retry_after_cap) if wait is not None else min(30.0, self.backoff * 2**tries)
        await asyncio.sleep(delay)
        return retry

    def close_for_quota(self) -> None:
        if self.quota_reason is not None:
            return  # answers already in flight when the quota ran out
        reset = next_reset()
        hours = (reset - datetime.now(UTC)).total_seconds() / 3600
        self.quota_reason = f"daily quota reached: progress saved; run the same command after {reset:%Y-%m-%d %H:%M} UTC (in {hours:.1f} h)"
        logger.warning("%s", self.quota_reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=self.quota_reason))
