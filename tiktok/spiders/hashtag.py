"""`scrapy crawl hashtag -a hashtags=london,paris [-a posts=0] [-a videos=1] [-a limit=N]`

For each hashtag: its detail (the video and view totals TikTok reports), then its videos, read
from the tag page's own /api/challenge/item_list/ answers as the browser scrolls. `posts=0` takes
the details only; `videos=1` also downloads the video files; `limit` caps the videos per hashtag.
At the end, one coverage line per hashtag: collected against the total TikTok reports, and why it
stopped (end of list, limit, the site's cap, blocked, not found).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from tiktok.items import Hashtag, Video
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, flag, hashtag, whole_number
from tiktok.spiders.feed import ScrollingFeedSpider


class HashtagSpider(ScrollingFeedSpider):
    name = "hashtag"
    api_path = "/api/challenge/item_list/"

    def __init__(self, hashtags: str = "", posts: str = "1", videos: str = "0", limit: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(hashtags=hashtags, posts=posts, videos=videos, limit=limit)
        self.hashtags = checked_list("hashtags", hashtags.split(","), hashtag, "hashtag")
        self.posts = flag("posts", posts)
        self.download_videos = flag("videos", videos)
        self.limit = whole_number("limit", limit, 10_000_000) if limit else None
        self.coverage: dict[str, dict[str, Any]] = {}

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        checked_list("hashtags", [h for h in str(kwargs.get("hashtags") or "").split(",") if h.strip()], hashtag, "hashtag")
        flag("posts", kwargs.get("posts"))
        flag("videos", kwargs.get("videos"))
        if kwargs.get("limit"):
            whole_number("limit", kwargs["limit"], 10_000_000)

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for tag in self.hashtags:
            yield scrapy.Request(f"{self.web}/api/challenge/detail/?challengeName={tag}", callback=self.detail, cb_kwargs={"tag": tag})

    def detail(self, response: Response, tag: str) -> Iterator[Any]:
        items = list(self.items_from(parse_any(response.body, Context(source=f"hashtag:{tag}")), response.url))
        found = next((i for i in items if isinstance(i, Hashtag)), None)
        self.coverage[tag] = {
            "reported": found.video_count if found else None,
            "collected": 0,
            "stopped": "not found" if not found else None,
        }
        yield from items
        if found is not None and self.posts:
            yield self.page_request(f"{self.web}/tag/{tag}", "read_tag", tag=tag)
        elif found is not None:
            self.coverage[tag]["stopped"] = "details only (posts=0)"

    async def read_tag(self, response: Response, tag: str) -> AsyncIterator[Any]:
        if await self.blocked(response):
            yield self.page_request(f"{self.web}/tag/{tag}", "read_tag", tag=tag)
            return
        page = response.meta["playwright_page"]
        collected: set[str] = set()
        state: dict[str, bool | None] = {"more": None}

        def enough() -> bool:
            return bool(self.limit and len(collected) >= self.limit) or state["more"] is False

        try:
            async for body in self.answers(page, enough):
                result = parse_any(body, Context(source=f"hashtag:{tag}"))
                state["more"] = result.more
                for item in self.items_from(result, response.url):
                    if isinstance(item, Video):
                        if self.limit and len(collected) >= self.limit:
                            continue
                        collected.add(item.id)
                    yield item
        finally:
            await page.close()
        self.remember_unfinished(response)
        cover = self.coverage[tag]
        cover["collected"] = len(collected)
        if self.limit and len(collected) >= self.limit:
            cover["stopped"] = "limit"
        elif state["more"] is False:
            reported = cover["reported"]
            cover["stopped"] = "end of list" if reported is None or len(collected) >= reported else "the site's cap (it stopped listing)"
        else:
            cover["stopped"] = "no new answers while scrolling"

    def closed(self, reason: str) -> None:
        lines = []
        for tag in self.hashtags:
            cover = self.coverage.get(tag, {"reported": None, "collected": 0, "stopped": None})
            stopped = cover["stopped"] or (f"blocked ({reason})" if reason != "finished" else "not reached")
            reported = cover["reported"]
            share = f" ({cover['collected'] / reported:.0%})" if reported else ""
            of = f" of {reported} videos TikTok reports{share}" if reported is not None else " videos"
            lines.append(f"#{tag}: {cover['collected']}{of}, stopped: {stopped}")
            self.crawler.stats.set_value(f"hashtag/{tag}/collected", cover["collected"])
        self.logger.info("Coverage:\n  " + "\n  ".join(lines))
