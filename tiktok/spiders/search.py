"""`scrapy crawl search -a keywords=cats,dance [-a type=videos|users] [-a limit=N] [-a since=... -a until=...]`

TikTok's own search, as a reader uses it (issue 16): the search page's video tab (/search/video?q=)
or user tab (/search/user?q=) opened in the browser, and its results read from the answers the page's
script fetches as it scrolls (/api/search/item/full/, /api/search/user/full/). Videos (with their
creators and sounds) or users are stored with source `search:<keyword>`. Search results are ranked,
not in time order, so `since`/`until` only filter the videos. At the end, one coverage line per
keyword: how many it found and why it stopped (end of list, limit, no new answers, blocked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal, Self
from urllib.parse import quote

from pydantic import Field, model_validator
from scrapy.http import Response

from tiktok.schema.items import User
from tiktok.spiders.feed import ScrollingFeedSpider, new_record
from tiktok.spiders.params import Args, DateWindowParam, SearchKeywords, VideosParam, fail

TABS = {"videos": ("video", "/api/search/item/full/"), "users": ("user", "/api/search/user/full/")}


class SearchParams(VideosParam, DateWindowParam):
    keywords: SearchKeywords = Field(description="what to search for, comma-separated (cats,dance)")
    type: Literal["videos", "users"] = Field("videos", description="search videos, or users (accounts)")
    limit: int | None = Field(None, ge=1, le=10_000_000, description="results per keyword at most")

    @model_validator(mode="after")
    def _dates_pick_videos(self) -> Self:
        if self.type == "users" and (self.since or self.until or self.videos):
            fail("-a since, -a until and -a videos pick among videos; leave them out with -a type=users")
        return self


class SearchSpider(Args[SearchParams], ScrollingFeedSpider):
    name = "search"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tab, self.api_path = TABS[self.args.type]
        if self.args.type == "users":
            self.listed = User

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for keyword in self.args.keywords:
            url = f"{self.web}/search/{self.tab}?q={quote(keyword)}"
            yield self.page_request(url, "read_results", f"search {keyword}", keyword=keyword)

    async def read_results(self, response: Response, keyword: str) -> AsyncIterator[Any]:
        async for out in self.scroll(response, f"search:{keyword}", limit=self.args.limit, window=self.args.window):
            yield out

    def closed(self, reason: str) -> None:
        """One coverage line per keyword asked for, reached or not."""
        lines = [self.coverage_line(f"search {k}", self.lists.get(f"search {k}", new_record()), reason) for k in self.args.keywords]
        self.logger.info("Coverage:\n  " + "\n  ".join(lines))
