"""Scrolling a TikTok page in a browser and keeping the item lists its own JavaScript fetches.

TikTok's item-list endpoints need a signature only the page's JavaScript computes, so list pages
(For-You, hashtags, profiles, sounds) are opened in chromium (scrapy-playwright): a "response"
handler keeps the page's API answers per page, and `scroll` (the one scroll path of the four list
spiders) presses End inside `page.expect_response` until enough videos came, the list says it ended,
or no new answer comes (../shared/STACK.md). Data is read from those JSON answers, never from the
rendered cards.

A captcha page or repeated empty answers (what TikTok serves a client it distrusts) make the spider
back off and open a fresh browser context; after TIKTOK_CAPTCHA_MAX_RETRIES it stops with a clear
message. A context left behind is closed as soon as its last page is, and a fresh one is only made
once the older ones are gone, so at most two are open. Every list that stopped short of its end is a
gap of the run (tiktok/run/context.py). Stats: `captcha/seen`, `feed/empty_body`,
`feed/fresh_context`, `feed/closed_context`, `feed/unfinished_pages`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.parsing import Context, parse_any
from tiktok.run.context import run_context
from tiktok.schema.items import Hashtag, Item, Sound, User, Video
from tiktok.spiders.base import TikTokSpider, is_captcha
from tiktok.spiders.params import DateWindow

logger = logging.getLogger(__name__)

Keep = Callable[[Item], Iterable[Any]]


def met_with(item: Item, videos: list[Video]) -> bool:
    """Whether an item came with one of these videos (as its creator, sound or hashtag), or is a video of them."""
    if isinstance(item, Video):
        return any(item is v for v in videos)
    if isinstance(item, User):
        return any(v.username == item.username for v in videos)
    if isinstance(item, Sound):
        return any(v.music_id == item.id for v in videos)
    if isinstance(item, Hashtag):
        return any(item.name in (v.hashtag_names or ()) for v in videos)
    return True


def new_record() -> dict[str, Any]:
    """What the run knows of one list: video ids taken, videos seen in its answers (repeats too: the
    feed positions), the total TikTok reports, and why it stopped."""
    return {"ids": set(), "seen": 0, "reported": None, "stopped": None}


class ScrollingFeedSpider(TikTokSpider):
    """Base of the spiders that read a scrolling list page. Subclasses set `api_path`."""

    api_path = "/api/"
    listed: type[Video] | type[User] = Video  # what the list holds: counted for `limit` and coverage (user search: users)
    scroll_timeout_ms = 8000
    idle_scrolls = 3  # scrolls without a new answer before the list counts as ended
    drain_wait_s = 600.0  # longest wait for an older context's pages before a fresh one is made anyway
    poll_s = 0.2  # how often that wait looks again
    settle_s = 0.05  # after a scroll, time for the response handler to store the body

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Answers per open page, keyed by the page object itself (an id() is reused once freed);
        # emptied when the page is done with.
        self.captures: dict[Any, list[bytes]] = {}
        self.generation = 0  # new pages open in context f"feed-{generation}"
        self.stale_contexts: weakref.WeakSet[Any] = weakref.WeakSet()
        self.page_requests: weakref.WeakSet[scrapy.Request] = weakref.WeakSet()
        self.own_lists: dict[str, dict[str, Any]] = {}

    @property
    def context_name(self) -> str:
        return f"feed-{self.generation}"

    @property
    def lists(self) -> dict[str, dict[str, Any]]:
        """The record of each list by its label; kept in the JOBDIR state when there is one, so a
        paused and resumed crawl counts over the whole run."""
        state = getattr(self, "state", None)
        return state.setdefault("lists", {}) if isinstance(state, dict) else self.own_lists

    def listing(self, label: str) -> dict[str, Any]:
        return self.lists.setdefault(label, new_record())

    def page_request(self, url: str, callback: str, label: str, **cb_kwargs: Any) -> scrapy.Request:
        """A browser request for a list page; handlers are named by string so JOBDIR can store it."""
        meta: dict[str, Any] = {
            "tiktok_page": {"url": url, "callback": callback, "label": label, "kwargs": cb_kwargs},
            "playwright": True,
            "playwright_include_page": True,
            "playwright_context": self.context_name,
            "playwright_page_event_handlers": {"response": "capture_api_response"},
        }
        request = scrapy.Request(
            url, callback=getattr(self, callback), errback=self.page_failed, meta=meta, cb_kwargs=cb_kwargs, dont_filter=True
        )
        self.page_requests.add(request)
        return request

    def reopen(self, page: dict[str, Any]) -> scrapy.Request:
        """A list page opened anew (in the current context) from its `tiktok_page` meta."""
        return self.page_request(page["url"], page["callback"], page["label"], **page["kwargs"])

    async def capture_api_response(self, response: Any) -> None:
        if self.api_path in response.url:
            page = response.frame.page
            try:
                body = await response.body()
            except Exception:  # the page navigated or closed before the body arrived
                return
            if not page.is_closed():  # a late answer of a page already done with is not kept
                self.captures.setdefault(page, []).append(body)

    async def scroll(
        self,
        response: Response,
        source: str,
        *,
        limit: int | None = None,
        keep: Keep | None = None,
        head: Callable[[Response], list[Any] | None] | None = None,
        next_visit: Callable[[], scrapy.Request | None] | None = None,
        window: DateWindow | None = None,
        newest_first: bool = False,
    ) -> AsyncIterator[Any]:
        """The one scroll path: a captcha is retried in a fresh context, the page's answers are
        parsed as they come (items carry `source`), videos are taken up to `limit` unique ones and
        passed through `keep`, and the page and its context are closed at the end. `head` reads the
        page itself first (None: nothing to scroll there). A list that stopped short asks
        `next_visit` for another try, else becomes a gap of the run. Videos made outside `window`
        (-a since/until) are not kept, and a `newest_first` list stops once an answer ends before it."""
        label = response.meta["tiktok_page"]["label"]
        record = self.listing(label)
        if is_captcha(response.text):
            await self.done_with(response)
            try:
                await self.captcha_back_off()
            except CloseSpider:
                record["stopped"] = "blocked by captchas"
                self.gap(label, record, limit)
                raise
            await self.fresh_context(response)
            yield self.reopen(response.meta["tiktok_page"])
            return
        more: bool | None = None
        past = False
        if window is not None:
            record.setdefault("outside", 0)
        try:
            found = head(response) if head else []
            if found is None:
                return
            for item in found:
                yield item

            def enough() -> bool:
                return bool(limit and len(record["ids"]) >= limit) or more is False or past

            async for body in self.answers(response.meta["playwright_page"], enough):
                result = parse_any(body, Context(source=source, feed_offset=record["seen"]))
                more = result.more if result.more is not None else more
                record["seen"] += sum(isinstance(i, self.listed) for i in result.items)
                videos = [i for i in result.items if isinstance(i, Video)]
                # An answer's last video, not its first: a profile's pinned videos top the list, out of order.
                past = past or bool(newest_first and window and videos and window.passed(videos[-1].create_time))
                kept = [v for v in videos if window is None or window.holds(v.create_time)]
                for item in self.items_from(result, response.url):
                    if window is not None and not met_with(item, kept):  # nor its creator, sound, hashtags
                        record["outside"] += isinstance(item, Video)
                        continue
                    key = item.username if isinstance(item, User) else item.id if isinstance(item, Video) else None
                    if isinstance(item, self.listed) and key not in record["ids"]:
                        if limit and len(record["ids"]) >= limit:
                            continue
                        record["ids"].add(key)
                    for out in keep(item) if keep else (item,):
                        yield out
        finally:
            await self.done_with(response)
        record["stopped"] = "past the dates asked (the list is newest first)" if past else self.why_stopped(record, limit, more)
        if record["stopped"] in ("paused", "interrupted"):
            self.remember_unfinished(response)
        elif record["stopped"] == "no new answers while scrolling":
            visit = None
            if next_visit:
                await self.fresh_context(response)  # a new visit is a new visitor
                visit = next_visit()
            if visit is not None:
                yield visit
            else:
                self.gap(label, record, limit)

    def why_stopped(self, record: dict[str, Any], limit: int | None, more: bool | None) -> str:
        collected, reported = len(record["ids"]), record["reported"]
        if limit and collected >= limit:
            return "limit"
        if more is False:
            # TikTok's count includes videos it does not list to anyone: not a gap of the run.
            return "end of list" if reported is None or collected >= reported else "the site's cap (it stopped listing)"
        if self.stopping():
            return "paused" if isinstance(getattr(self, "state", None), dict) else "interrupted"
        return "no new answers while scrolling"

    def gap(self, label: str, record: dict[str, Any], limit: int | None) -> None:
        """One line for a list that stopped short: how many of how many, and why."""
        collected, reported = len(record["ids"]), record["reported"]
        if reported is not None and (not limit or limit >= reported):
            of = f" of {reported} videos TikTok reports"
        elif limit:
            of = f" of {limit} videos asked for"
        else:
            of = " videos, before the end of the list"
        run_context(self.crawler).gap(f"{label}: {collected}{of} (stopped: {record['stopped']})")

    def coverage_line(self, label: str, record: dict[str, Any], reason: str) -> str:
        """`label: N of M videos TikTok reports (P%), stopped: why` for the closing summary."""
        stopped = record["stopped"] or self.not_reached(reason)
        noun = "users" if self.listed is User else "videos"
        if "outside" in record:  # -a since/until: TikTok's totals count every date, so no share of them
            return f"{label}: {len(record['ids'])} {noun} in the dates asked ({record['outside']} outside them), stopped: {stopped}"
        reported = record["reported"]
        share = f" ({len(record['ids']) / reported:.0%})" if reported else ""
        of = f" of {reported} videos TikTok reports{share}" if reported is not None else f" {noun}"
        return f"{label}: {len(record['ids'])}{of}, stopped: {stopped}"

    def not_reached(self, reason: str) -> str:
        if reason == "finished":
            return "not reached"
        if reason == "shutdown":
            return "paused" if isinstance(getattr(self, "state", None), dict) else "interrupted"
        return f"blocked ({reason})"

    def closed(self, reason: str) -> None:
        if self.lists:
            lines = [self.coverage_line(label, record, reason) for label, record in self.lists.items()]
            self.logger.info("Coverage:\n  " + "\n  ".join(lines))

    def stopping(self) -> bool:
        """The crawl is stopping (SIGTERM, Ctrl-C, a JOBDIR pause): pages close in good time."""
        return not self.crawler.engine.running

    async def page_failed(self, failure: Failure) -> None:
        """A list page that could not be opened after its retries: closed, and a gap of the run."""
        request = failure.request  # type: ignore[attr-defined]
        label = request.meta["tiktok_page"]["label"]
        record = self.listing(label)
        record["stopped"] = f"the page failed ({failure.getErrorMessage()})"
        logger.warning("page failed: %s (%s)", request.url, failure.getErrorMessage())
        if request.meta.get("playwright_page") is not None:
            await self.done_with(request)
        self.gap(label, record, None)

    async def done_with(self, source: Response | scrapy.Request) -> None:
        """Closes the page, forgets its answers, and closes its context when that is an old one
        no other page uses."""
        page = source.meta["playwright_page"]
        self.captures.pop(page, None)
        if not page.is_closed():
            await page.close()
        context = page.context
        if (context in self.stale_contexts or source.meta.get("playwright_context") != self.context_name) and not context.pages:
            await self.close_context(context)

    async def close_context(self, context: Any) -> None:
        self.stale_contexts.discard(context)
        try:
            await context.close()
        except Exception as exc:  # already closed with the browser
            logger.debug("closing a browser context: %s", exc)
            return
        self.crawler.stats.inc_value("feed/closed_context")

    async def fresh_context(self, response: Response) -> None:
        """Pages from now on open in a new browser context (new cookies, as a new visitor). It is made
        once the browser holds no context but the one being left (waiting at most `drain_wait_s`),
        so at most two are ever open; requests not yet opened move to it. A page of an older context
        changes nothing: a fresh one was made since."""
        if response.meta.get("playwright_context") != self.context_name:
            return
        context = response.meta["playwright_page"].context
        waited = 0.0
        while any(c is not context for c in context.browser.contexts) and waited < self.drain_wait_s:
            await asyncio.sleep(self.poll_s)
            waited += self.poll_s
        self.generation += 1
        self.crawler.stats.inc_value("feed/fresh_context")
        for request in list(self.page_requests):
            if "playwright_page" not in request.meta:
                request.meta["playwright_context"] = self.context_name
        self.stale_contexts.add(context)
        if not context.pages:
            await self.close_context(context)

    def resume_unfinished(self) -> list[scrapy.Request]:
        """Pages a paused crawl (JOBDIR) left half-scrolled, opened again: what they already gave is
        dropped as a duplicate (a resumed crawl keeps its run_id), the rest is collected."""
        state = getattr(self, "state", None)
        pages = state.pop("unfinished_pages", []) if isinstance(state, dict) else []
        return [self.reopen(p) for p in pages]

    def remember_unfinished(self, response: Response) -> None:
        state = getattr(self, "state", None)
        if isinstance(state, dict):
            state.setdefault("unfinished_pages", []).append(response.meta["tiktok_page"])
            self.crawler.stats.inc_value("feed/unfinished_pages")

    async def answers(self, page: Any, enough: Callable[[], bool]) -> AsyncIterator[bytes]:
        """The page's list answers as they come, scrolling for more until `enough()` is true or
        `idle_scrolls` scrolls bring nothing new. Empty bodies are counted and skipped."""
        taken = 0
        idle = 0
        while True:
            captured = self.captures.get(page, [])
            while taken < len(captured):
                body = captured[taken]
                taken += 1
                if not body.strip():
                    self.crawler.stats.inc_value("feed/empty_body")
                    continue
                yield body
            if enough() or idle >= self.idle_scrolls or self.stopping():
                return
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
            await asyncio.sleep(self.settle_s)
            idle = 0 if len(self.captures.get(page, [])) > before else idle + 1
