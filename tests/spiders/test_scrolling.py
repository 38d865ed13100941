"""The one scroll path of the browser list spiders (tiktok/spiders/feed.py), driven in-process by a
small stand-in for scrapy-playwright and chromium: pages and contexts as objects that count what is
open, list answers built by the simulator's own shapes. A long crawl holds at most two contexts and
forgets every captured answer; a captcha is retried in a fresh context; a list that stops short, or
a page that fails, is a gap of the run; a pause keeps the counts for the resumed run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from tests.helpers.crawler import crawler_with_run
from tiktok.run.context import run_context
from tiktok.schema.items import Video
from tiktok.simulator.media import MediaSigner
from tiktok.simulator.webshapes import WebShapes
from tiktok.simulator.world import EPOCH, World
from tiktok.spiders.feed import ScrollingFeedSpider

API = "/api/challenge/item_list/"
PAGE = 2  # videos per answer: long lists, cheap answers
CAPTCHA = b"<html><div id='captcha-verify-container'></div></html>"


class ListSpider(ScrollingFeedSpider):
    """A list spider as the four are: one callback that hands its page to `scroll`."""

    name = "lists"
    api_path = API
    state: dict[str, Any]  # set as Scrapy's SpiderState sets it for a JOBDIR crawl
    settle_s = 0.0  # the stand-in stores answers at once
    poll_s = 0.001

    async def read(self, response: Response, limit: int | None = None) -> AsyncIterator[Any]:
        async for out in self.scroll(response, response.meta["tiktok_page"]["label"], limit=limit):
            yield out


class Browser:
    def __init__(self) -> None:
        self.contexts: list[Context] = []
        self.made = 0
        self.most = 0  # open contexts at most, at any moment


class Context:
    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.pages: list[Page] = []
        self.closed = False
        browser.contexts.append(self)
        browser.made += 1
        browser.most = max(browser.most, len(browser.contexts))

    async def close(self) -> None:
        for page in list(self.pages):
            await page.close()
        self.closed = True
        self.browser.contexts.remove(self)


class Answer:
    def __init__(self, page: Page, body: bytes) -> None:
        self.url = f"http://sim{API}?cursor=0"
        self.frame = SimpleNamespace(page=page)
        self._body = body

    async def body(self) -> bytes:
        return self._body


class Page:
    """A tag page whose own script fetches the next answer when scrolled to the bottom."""

    def __init__(self, context: Context, spider: ScrollingFeedSpider, answers: list[bytes]) -> None:
        self.context = context
        self.spider = spider
        self.answers = list(answers)
        self.delivered = 0
        self.closed = False
        self.keyboard = self
        context.pages.append(self)

    def is_closed(self) -> bool:
        return self.closed

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.context.pages.remove(self)

    async def press(self, key: str) -> None:
        if self.answers and not self.closed:
            self.delivered += 1
            await self.spider.capture_api_response(Answer(self, self.answers.pop(0)))

    async def evaluate(self, script: str) -> None:
        await asyncio.sleep(0)  # the page's script runs: other pages get their turn

    @asynccontextmanager
    async def expect_response(self, predicate: Any, timeout: int) -> AsyncIterator[None]:
        before = self.delivered
        yield
        if self.delivered == before:
            raise TimeoutError("no answer")


class Playwright:
    """What scrapy-playwright does for these requests: a page in the context the request names
    (made when missing), the first answer fetched while the page loads, the page in meta."""

    def __init__(self, spider: ScrollingFeedSpider, site: dict[str, list[bytes]], captcha_every: int = 0) -> None:
        self.spider, self.site, self.captcha_every = spider, site, captcha_every
        self.browser = Browser()
        self.named: dict[str, Context] = {}
        self.visits = 0

    async def open(self, request: scrapy.Request) -> Response:
        name = request.meta["playwright_context"]
        if name not in self.named or self.named[name].closed:
            self.named[name] = Context(self.browser)
        self.visits += 1
        captcha = bool(self.captcha_every) and self.visits % self.captcha_every == 0
        page = Page(self.named[name], self.spider, [] if captcha else self.site[request.url])
        request.meta["playwright_page"] = page
        await page.press("End")
        return HtmlResponse(request.url, body=CAPTCHA if captcha else b"<html>a tag page</html>", request=request)


async def crawl(playwright: Playwright, requests: list[scrapy.Request], at_once: int = 4) -> list[Any]:
    """Scrapy's part, small: requests taken newest first, up to `at_once` pages in their callbacks."""
    queue, items = list(requests), list[Any]()
    running: set[asyncio.Task[None]] = set()

    async def visit(request: scrapy.Request) -> None:
        response = await playwright.open(request)
        assert request.callback is not None
        async for out in request.callback(response, **request.cb_kwargs):
            (queue if isinstance(out, scrapy.Request) else items).append(out)

    while queue or running:
        while queue and len(running) < at_once:
            running.add(asyncio.ensure_future(visit(queue.pop())))
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    return items


@pytest.fixture(scope="module")
def shapes() -> WebShapes:
    return WebShapes(World(7, "small"), MediaSigner(b"7:media", "http://sim"))


def answers(shapes: WebShapes, first: int, videos: int, cut_short: bool = False) -> list[bytes]:
    """A list of `videos` videos in answers of PAGE, the last saying hasMore=false (unless cut short)."""
    pages = []
    for start in range(0, videos, PAGE):
        end = min(start + PAGE, videos)
        more = end < videos or cut_short
        items = [shapes.item(v, EPOCH) for v in range(first + start, first + end)]
        pages.append(json.dumps({"itemList": items, "hasMore": more, "cursor": str(end)}).encode())
    return pages


@pytest.fixture
def spider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ListSpider]:
    crawler = crawler_with_run(tmp_path, ListSpider, TIKTOK_CAPTCHA_MAX_RETRIES=1000)
    crawler.engine = SimpleNamespace(running=True)
    spider = ListSpider()
    spider._set_crawler(crawler)
    backoffs: list[int] = []

    async def no_wait() -> None:  # the back-off's waiting is not what is tested here
        backoffs.append(1)

    monkeypatch.setattr(spider, "captcha_back_off", no_wait)
    yield spider


def tag_requests(spider: ListSpider, tags: int) -> list[scrapy.Request]:
    return [spider.page_request(f"http://sim/tag/t{n}", "read", f"#t{n}") for n in range(tags)]


async def test_a_long_crawl_holds_at_most_two_contexts_and_forgets_its_answers(spider: ListSpider, shapes: WebShapes) -> None:
    tags = 500
    site = {f"http://sim/tag/t{n}": answers(shapes, n % 900, 1 + n % 16) for n in range(tags)}
    playwright = Playwright(spider, site, captcha_every=3)  # a captcha now and then: fresh contexts
    items = await crawl(playwright, tag_requests(spider, tags))
    assert playwright.visits > tags + 25  # every tag, and the captcha pages retried
    assert playwright.browser.made > 25 and playwright.browser.most <= 2
    assert len(playwright.browser.contexts) <= 1  # only the current one is left
    assert spider.captures == {}
    assert len([i for i in items if isinstance(i, Video)]) == sum(1 + n % 16 for n in range(tags))
    assert all(spider.lists[f"#t{n}"]["stopped"] == "end of list" for n in range(tags))
    assert run_context(spider.crawler).gaps == []


async def test_a_list_that_stops_short_is_a_gap(spider: ListSpider, shapes: WebShapes) -> None:
    site = {"http://sim/tag/t0": answers(shapes, 0, 12, cut_short=True), "http://sim/tag/t1": answers(shapes, 20, 30)}
    spider.listing("#t0")["reported"] = 40
    items = await crawl(Playwright(spider, site), tag_requests(spider, 2))
    assert len([i for i in items if isinstance(i, Video)]) == 42
    assert run_context(spider.crawler).gaps == ["#t0: 12 of 40 videos TikTok reports (stopped: no new answers while scrolling)"]


async def test_the_limit_is_not_a_gap(spider: ListSpider, shapes: WebShapes) -> None:
    request = spider.page_request("http://sim/tag/t0", "read", "#t0", limit=7)
    items = await crawl(Playwright(spider, {request.url: answers(shapes, 0, 30)}), [request])
    assert len({i.id for i in items if isinstance(i, Video)}) == 7
    assert spider.lists["#t0"]["stopped"] == "limit" and run_context(spider.crawler).gaps == []
    assert spider.coverage_line("#t0", spider.lists["#t0"], "finished") == "#t0: 7 videos, stopped: limit"


async def test_a_page_that_failed_is_a_gap_and_closed(spider: ListSpider) -> None:
    (request,) = tag_requests(spider, 1)
    playwright = Playwright(spider, {request.url: []})
    page = Page(Context(playwright.browser), spider, [])
    request.meta["playwright_page"] = page
    failure = Failure(TimeoutError("navigation timed out"))  # type: ignore[no-untyped-call]
    failure.request = request  # type: ignore[attr-defined]
    await spider.page_failed(failure)
    assert page.closed and run_context(spider.crawler).gaps == [
        "#t0: 0 videos, before the end of the list (stopped: the page failed (navigation timed out))"
    ]


async def test_a_pause_is_said_and_the_resumed_run_counts_on(spider: ListSpider, shapes: WebShapes) -> None:
    spider.state = {}  # what Scrapy's SpiderState gives a JOBDIR crawl
    site = {"http://sim/tag/t0": answers(shapes, 0, 20)}
    playwright = Playwright(spider, site)
    (request,) = tag_requests(spider, 1)
    response = await playwright.open(request)
    first = []
    async for out in spider.read(response):
        first += [out] if isinstance(out, Video) else []
        if len(first) == 6:
            spider.crawler.engine.running = False  # Ctrl-C while the page is read
    assert spider.lists["#t0"]["stopped"] == "paused" and run_context(spider.crawler).gaps == []
    assert spider.coverage_line("#t0", spider.lists["#t0"], "shutdown") == "#t0: 6 videos, stopped: paused"
    # The resumed run: the same state, the half-read page opened again from the start.
    spider.crawler.engine.running = True
    (again,) = spider.resume_unfinished()
    second = await crawl(Playwright(spider, site), [again])
    assert len([i for i in second if isinstance(i, Video)]) == 20  # the first six again (the dedupe pipeline drops them), then the rest
    assert spider.coverage_line("#t0", spider.state["lists"]["#t0"], "finished") == "#t0: 20 videos, stopped: end of list"
