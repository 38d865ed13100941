"""Scrolling a TikTok page in a browser and keeping the item lists its own JavaScript fetches.

TikTok's item-list endpoints need a signature only the page's JavaScript computes, so list pages
(For-You, hashtags, profiles, sounds) are opened in chromium (scrapy-playwright): a "response"
handler keeps the page's API answers per page, and the callback scrolls (the End key) inside
`page.expect_response` until enough videos came or no new answer comes (../shared/STACK.md). Data is
read from those JSON answers, never from the rendered cards.

A captcha page or repeated empty answers (what TikTok serves a client it distrusts) make the spider
back off and open a fresh browser context; after TIKTOK_CAPTCHA_MAX_RETRIES it stops with a clear
message. Stats: `captcha/seen`, `feed/empty_body`, `feed/fresh_context`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from twisted.python.failure import Failure

from tiktok.spiders.base import TikTokSpider, is_captcha

logger = logging.getLogger(__name__)


class ScrollingFeedSpider(TikTokSpider):
    """Base of the spiders that read a scrolling list page. Subclasses set `api_path`."""

    api_path = "/api/"
    scroll_timeout_ms = 8000
    idle_scrolls = 3  # scrolls without a new answer before the list counts as ended

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.captures: dict[int, list[bytes]] = {}
        self.contexts = 0

    def page_request(self, url: str, callback: str, **cb_kwargs: Any) -> scrapy.Request:
        """A browser request for a list page; handlers are named by string so JOBDIR can store it."""
        meta: dict[str, Any] = {
            "tiktok_page": {"url": url, "callback": callback, "kwargs": cb_kwargs},
            "playwright": True,
            "playwright_include_page": True,
            "playwright_context": f"feed-{self.contexts}",
            "playwright_page_event_handlers": {"response": "capture_api_response"},
        }
        return scrapy.Request(
            url, callback=getattr(self, callback), errback=self.close_page, meta=meta, cb_kwargs=cb_kwargs, dont_filter=True
        )

    async def capture_api_response(self, response: Any) -> None:
        if self.api_path in response.url:
            try:
                body = await response.body()
            except Exception:  # the page navigated or closed before the body arrived
                return
            self.captures.setdefault(id(response.frame.page), []).append(body)

    async def close_page(self, failure: Failure) -> None:
        page = failure.request.meta.get("playwright_page")  # type: ignore[attr-defined]
        if page is not None:
            await page.close()
        logger.warning("page failed: %s (%s)", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]

    def resume_unfinished(self) -> list[scrapy.Request]:
        """Pages a paused crawl (JOBDIR) left half-scrolled, opened again: what they already gave is
        dropped as a duplicate (a resumed crawl keeps its run_id), the rest is collected."""
        state = getattr(self, "state", None)
        pages = state.pop("unfinished_pages", []) if isinstance(state, dict) else []
        return [self.page_request(p["url"], p["callback"], **p["kwargs"]) for p in pages]

    def remember_unfinished(self, response: Any) -> None:
        state = getattr(self, "state", None)
        if isinstance(state, dict) and not self.crawler.engine.running:
            state.setdefault("unfinished_pages", []).append(response.meta["tiktok_page"])
            self.crawler.stats.inc_value("feed/unfinished_pages")

    async def answers(self, page: Any, enough: Any) -> AsyncIterator[bytes]:
        """The page's list answers as they come, scrolling for more until `enough()` is true or
        `idle_scrolls` scrolls bring nothing new. Empty bodies are counted and skipped."""
        taken = 0
        idle = 0
        while True:
            captured = self.captures.get(id(page), [])
            while taken < len(captured):
                body = captured[taken]
                taken += 1
                if not body.strip():
                    self.crawler.stats.inc_value("feed/empty_body")
                    continue
                yield body
            if enough() or idle >= self.idle_scrolls or not self.crawler.engine.running:
                return  # also when the crawl is stopping (SIGTERM, Ctrl-C): close in good time
            before = len(captured)
            try:
                async with page.expect_response(lambda r: self.api_path in r.url, timeout=self.scroll_timeout_ms):
                    # To the bottom, where the page loads more: a fixed wheel step can fall short of it
                    # on a page of tall cards and be mistaken for the end of the list. The scroll event
                    # is also sent when the page cannot move (still empty after a failed first call),
                    # so its script asks again.
                    await page.keyboard.press("End")
                    await page.evaluate("window.dispatchEvent(new Event('scroll'))")
            except Exception:  # no answer within the time-out: maybe the end of the list
                pass
            await asyncio.sleep(0.05)  # let the handler store the body
            idle = 0 if len(self.captures.get(id(page), [])) > before else idle + 1

    async def blocked(self, response: Any) -> bool:
        """True (and the page closed) when TikTok answered with a captcha: the caller retries in a
        fresh context after a pause, or the crawl stops after too many."""
        if not is_captcha(response.text):
            return False
        page = response.meta.get("playwright_page")
        if page is not None:
            await page.close()
        await self.captcha_back_off()
        self.contexts += 1
        self.crawler.stats.inc_value("feed/fresh_context")
        return True
