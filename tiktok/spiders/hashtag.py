"""`scrapy crawl hashtag -a hashtags=london,paris [-a posts=0] [-a videos=1] [-a limit=N]`

For each hashtag: its detail (the video and view totals TikTok reports), then its videos, read
from the tag page's own /api/challenge/item_list/ answers as the browser scrolls. `posts=0` takes
the details only; `videos=1` also downloads the video files; `limit` caps the videos per hashtag;
`since`/`until` keep the videos of those days (the list is walked to its end: it is not in time order).
At the end, one coverage line per hashtag: collected against the total TikTok reports, and why it
stopped (end of list, limit, the site's cap, blocked, not found).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Hashtag
from tiktok.spiders.feed import ScrollingFeedSpider, new_record
from tiktok.spiders.params import Args, DateWindowParam, Flag, Hashtags, VideosParam


class HashtagParams(VideosParam, DateWindowParam):
    hashtags: Hashtags = Field(description="the hashtags to collect, comma-separated (london,paris)")
    posts: Flag = Field(True, description="list each hashtag's videos (0: its details only)")
    limit: int | None = Field(None, ge=1, le=10_000_000, description="videos per hashtag at most")


class HashtagSpider(Args[HashtagParams], ScrollingFeedSpider):
    name = "hashtag"
    api_path = "/api/challenge/item_list/"

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for tag in self.args.hashtags:
            yield scrapy.Request(f"{self.web}/api/challenge/detail/?challengeName={tag}", callback=self.detail, cb_kwargs={"tag": tag})

    def detail(self, response: Response, tag: str) -> Iterator[Any]:
        if (again := self.garbled(response, f"#{tag}: its details and videos")) is not None:
            yield from again
            return
        items = list(self.items_from(parse_any(response.body, Context(source=f"hashtag:{tag}")), response.url))
        found = next((i for i in items if isinstance(i, Hashtag)), None)
        record = self.listing(f"#{tag}")
        record["reported"] = found.video_count if found else None
        record["stopped"] = "not found" if not found else None if self.args.posts else "details only (posts=0)"
        yield from items
        if found is not None and self.args.posts:
            yield self.page_request(f"{self.web}/tag/{tag}", "read_tag", f"#{tag}", tag=tag)

    async def read_tag(self, response: Response, tag: str) -> AsyncIterator[Any]:
        # A hashtag's list is not in time order (TikTok ranks it): -a since/until only filters it.
        async for out in self.scroll(response, f"hashtag:{tag}", limit=self.args.limit, window=self.args.window):
            yield out

    def closed(self, reason: str) -> None:
        """One coverage line per hashtag asked for, reached or not."""
        lines = []
        for tag in self.args.hashtags:
            record = self.lists.get(f"#{tag}", new_record())
            lines.append(self.coverage_line(f"#{tag}", record, reason))
            self.crawler.stats.set_value(f"hashtag/{tag}/collected", len(record["ids"]))
        self.logger.info("Coverage:\n  " + "\n  ".join(lines))
