"""`scrapy crawl research_videos -a query=queries/london.yaml` (or `-a hashtags=a,b -a start=... -a end=...
[-a region=US] [-a keywords=...]`; `-a plan=1` prints the plan and sends nothing)

Every matching video from the Research API: the date range in windows of at most 30 days, each
window followed through `cursor` and `search_id` until `has_more` is false (a short page does not
end it). Transient errors ("Invalid count or cursor", "Search Id … is invalid or expired", 5xx,
504 HTML, a rate-limit 429) are retried with back-off; a search_id that stays invalid runs the
window again from the start, and dedupe drops what is already stored. The daily-quota 429 saves
the progress and stops with when to resume. Progress (window, cursor, search_id) is saved after
every page, so the same command after a kill goes on where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from tiktok.items import Video
from tiktok.parsing import Context, parse_any
from tiktok.research.query import QueryError, VideoQuery, inline_query, load_query_file
from tiktok.research.state import DAILY, Progress
from tiktok.spiders.arguments import flag
from tiktok.spiders.base import SpiderArgumentError
from tiktok.spiders.research import MAX_TRIES, ResearchSpider, need_credentials


def build_query(kwargs: dict[str, Any]) -> VideoQuery:
    try:
        if kwargs.get("query"):
            return load_query_file(str(kwargs["query"]))
        return inline_query(
            hashtags=kwargs.get("hashtags") or "",
            keywords=kwargs.get("keywords") or "",
            region=kwargs.get("region") or "",
            start=kwargs.get("start") or "",
            end=kwargs.get("end") or "",
            name=kwargs.get("name") or "",
        )
    except QueryError as exc:
        raise SpiderArgumentError(str(exc)) from None


class ResearchVideosSpider(ResearchSpider):
    name = "research_videos"

    def __init__(self, plan: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(plan=plan, **kwargs)
        self.query = build_query(kwargs)
        self.plan_only = flag("plan", plan)
        self.records = 0

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        build_query(kwargs)
        if not flag("plan", kwargs.get("plan")):
            need_credentials()

    def open_state(self) -> None:
        self.progress = Progress(self.state_dir, self.query.name)

    def save_state(self) -> None:
        self.progress.save()
        self.ledger.save()

    def page(self, window: tuple[Any, Any], cursor: int, search_id: str | None) -> scrapy.Request:
        body = self.query.body(window)
        if cursor:
            body["cursor"] = cursor
        if search_id:
            body["search_id"] = search_id
        return self.post("video/query", body, self.videos, self.query.fields, window=window)

    async def start(self) -> AsyncIterator[Any]:
        self.open_state()
        windows = self.query.windows()
        if self.plan_only:
            self.print_plan(windows)
            return
        for window in windows:
            step = self.progress.get(key(window))
            if not step["done"]:
                yield self.page(window, step["cursor"], step["search_id"])

    def print_plan(self, windows: list[tuple[Any, Any]]) -> None:
        pending = [w for w in windows if not self.progress.get(key(w))["done"]]
        used = self.ledger.today("research")
        left = max(0, DAILY["research"][0] - used["requests"])
        lines = [
            f"Plan for {self.query.name!r}: {self.query.start} to {self.query.end},"
            f" {len(windows)} windows of at most 30 days, {len(pending)} not done.",
            f"  Requests: at least {len(pending)} (one per window); each further page of up to {self.query.max_count} videos is one more.",
            "  The API gives no total count for a video query, so pages per window are known only while running.",
            f"  Today's research quota: {used['requests']} of {DAILY['research'][0]} requests used, {left} left;"
            f" at least {math.ceil(len(pending) / max(left, 1))} day(s) at this rate if each window is one page.",
            "Nothing was sent.",
        ]
        print("\n".join(lines), flush=True)

    async def videos(self, response: Response, window: tuple[Any, Any]) -> AsyncIterator[Any]:
        error = self.error_of(response)
        if error is not None:
            retry = await self.after_error(response, window, *error)
            if retry is not None:
                yield retry
            return
        result = parse_any(response.body, Context(source=f"research:{self.query.name}"))
        count = 0
        for item in self.items_from(result, response.url):
            if isinstance(item, Video):
                count += 1
            yield item
        self.records += count
        self.count(count)
        step = self.progress.get(key(window))
        if result.more:
            step["cursor"], step["search_id"] = int(result.cursor or 0), result.search_id or step["search_id"]
            yield self.page(window, step["cursor"], step["search_id"])
        else:
            step.update(done=True, cursor=0, search_id=None)
        self.save_state()

    async def after_error(self, response: Response, window: tuple[Any, Any], status: int, code: str, message: str) -> scrapy.Request | None:
        self.count(0)
        tries = response.meta.get("tries", 0) + 1
        if tries >= MAX_TRIES and "is invalid or expired" in message:
            step = self.progress.get(key(window))
            step.update(cursor=0, search_id=None)
            self.crawler.stats.inc_value("research/window_restarted")
            self.logger.warning("search_id stayed invalid: window %s runs again from the start (stored videos are skipped)", key(window))
            return self.page(window, 0, None)
        retry = await self.retry_or_stop(response, status, code, message)
        if retry is None:
            self.logger.error("the API refused a request (%s %s): %s", status, code, message)
        return retry

    def closed(self, reason: str) -> None:
        if hasattr(self, "progress"):
            self.save_state()
            done = sum(1 for w in self.query.windows() if self.progress.get(key(w))["done"])
            self.logger.info(
                "research %s: %d videos this run; %d of %d windows done", self.query.name, self.records, done, len(self.query.windows())
            )


def key(window: tuple[Any, Any]) -> str:
    return f"{window[0]:%Y%m%d}-{window[1]:%Y%m%d}"
