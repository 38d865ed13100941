"""`scrapy crawl research_videos -a query=queries/london.yaml` (or `-a hashtags=a,b -a start_date=...
-a end_date=... [-a region=US] [-a keywords=...]`; `-a plan=1` prints the plan and sends nothing)

Every matching video from the Research API: the date range in windows of at most 30 days, each
window followed through `cursor` and `search_id` until `has_more` is false (a short page does not
end it). The Research API middleware retries transient errors ("Invalid count or cursor",
"Search Id … is invalid or expired", 5xx, 504 HTML, a rate-limit 429); a search_id that stays
invalid runs the window again from the start (at most RESTARTS times a run), and dedupe drops what
is already stored. The daily quota stops the crawl with when to resume. Progress (window, cursor,
search_id) is saved after every stored page, so the same command after a kill goes on where it
stopped; a window whose page was lost is a gap, which the same command fills. `-a reset=1` starts
over.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.state import DAILY, Progress
from tiktok.run.context import run_context
from tiktok.schema.items import Video
from tiktok.spiders.params import Args, Flag, ResumableParam, VideoQueryParam
from tiktok.spiders.research import ResearchSpider

RESTARTS = 3  # a window run again from the start after its search_id stayed invalid, per run


class ResearchVideosParams(VideoQueryParam, ResumableParam):
    plan: Flag = Field(False, description="print the windows, the requests and the days at today's quota; send nothing")

    def sends_requests(self) -> bool:
        return not self.plan


class ResearchVideosSpider(Args[ResearchVideosParams], ResearchSpider):
    name = "research_videos"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records = 0

    def load_progress(self) -> None:
        fresh = {"cursor": 0, "search_id": None}
        self.progress = Progress(self.state_dir / f"research-videos-{self.args.video_query.name}.json", fresh, self.reset_state)
        self.restarts: dict[str, int] = {}

    def page(self, window: tuple[Any, Any], cursor: int, search_id: str | None) -> scrapy.Request:
        body = self.args.video_query.body(window)
        if cursor:
            body["cursor"] = cursor
        if search_id:
            body["search_id"] = search_id
        return self.post("video/query", body, self.videos, self.args.video_query.fields, window=window)

    async def start(self) -> AsyncIterator[Any]:
        self.open_state(self.load_progress)
        windows = self.args.video_query.windows()
        if self.args.plan:
            run_context(self.crawler).purpose = "plan"
            self.print_plan(windows)
            return
        for window in windows:
            step = self.progress.get(key(window))
            if not step["done"]:
                yield self.page(window, step["cursor"], step["search_id"])

    def print_plan(self, windows: list[tuple[Any, Any]]) -> None:
        pending = [w for w in windows if not self.progress.get(key(w))["done"]]
        used = self.today("research")
        left = max(0, DAILY["research"][0] - used["requests"])
        query = self.args.video_query
        lines = [
            f"Plan for {query.name!r}: {query.start} to {query.end}, {len(windows)} windows of at most 30 days, {len(pending)} not done.",
            f"  Requests: at least {len(pending)} (one per window); each further page of up to {query.max_count} videos is one more.",
            "  The API gives no total count for a video query, so pages per window are known only while running.",
            f"  Today's research quota: {used['requests']} of {DAILY['research'][0]} requests used, {left} left;"
            f" at least {math.ceil(len(pending) / max(left, 1))} day(s) at this rate if each window is one page.",
            "Nothing was sent.",
        ]
        print("\n".join(lines), flush=True)

    async def videos(self, response: Response, window: tuple[Any, Any]) -> AsyncIterator[Any]:
        result = parse_any(response.body, Context(source=f"research:{self.args.video_query.name}"))
        items = list(self.items_from(result, response.url))
        stored = self.stored(response, items)
        for item in items:
            yield item
        await self.all_stored(stored)
        self.records += sum(1 for item in items if isinstance(item, Video))
        step = self.progress.get(key(window))
        if result.more:
            step["cursor"], step["search_id"] = int(result.cursor or 0), result.search_id or step["search_id"]
        else:
            step.update(done=True, cursor=0, search_id=None)
        self.progress.save()
        if result.more:
            yield self.page(window, step["cursor"], step["search_id"])

    def lost(self, request: scrapy.Request, error: ResearchGaveUp) -> Iterable[Any]:
        window = request.cb_kwargs["window"]
        step = self.progress.get(key(window))
        restarts = self.restarts.get(key(window), 0)
        if error.answer.kind == "search_id" and restarts < RESTARTS:
            self.restarts[key(window)] = restarts + 1
            step.update(cursor=0, search_id=None)
            self.progress.save()
            self.crawler.stats.inc_value("research/window_restarted")
            self.logger.warning("search_id stayed invalid: window %s runs again from the start (stored videos are skipped)", key(window))
            return [self.page(window, 0, None)]
        self.gap(f"window {key(window)} of {self.args.video_query.name}: pages from cursor {step['cursor']} on ({error})")
        return ()

    def closed(self, reason: str) -> None:
        if hasattr(self, "progress"):
            self.progress.save()
            done = sum(1 for w in self.args.video_query.windows() if self.progress.get(key(w))["done"])
            self.logger.info(
                "research %s: %d videos this run; %d of %d windows done",
                self.args.video_query.name,
                self.records,
                done,
                len(self.args.video_query.windows()),
            )


def key(window: tuple[Any, Any]) -> str:
    return f"{window[0]:%Y%m%d}-{window[1]:%Y%m%d}"
