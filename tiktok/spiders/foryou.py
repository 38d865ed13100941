"""`scrapy crawl foryou -a count=100`: the For-You feed as an anonymous visitor sees it.

Scrolls /foryou in a browser until `count` unique videos came, reading the page's own
/api/recommend/item_list/ answers; each video keeps its `feed_position` (the order it appeared in,
repeats included) and its creator's figures. When an item lacks those figures, the creator's
profile page fills them in. If one page stops giving new videos, a new visit (a fresh browser
context) continues, up to `sessions` visits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import User, Video
from tiktok.spiders.feed import ScrollingFeedSpider
from tiktok.spiders.params import Args, VideosParam


class ForYouParams(VideosParam):
    count: int = Field(100, ge=1, le=100_000, description="unique videos to collect")
    sessions: int = Field(5, ge=1, le=100, description="visits (fresh browser contexts) at most, when a page stops giving new videos")


class ForYouSpider(Args[ForYouParams], ScrollingFeedSpider):
    name = "foryou"
    api_path = "/api/recommend/item_list/"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visits = 0
        self.waiting: dict[str, list[Video]] = {}  # videos whose creator's figures come from the profile

    def visit(self) -> scrapy.Request:
        self.visits += 1
        return self.page_request(self.web + "/foryou", "read_feed", "the For-You feed")

    def next_visit(self) -> scrapy.Request | None:
        """Another visit while `sessions` allows: one page that stops giving new videos is not the
        end of the feed."""
        return self.visit() if self.visits < self.args.sessions else None

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        yield self.visit()

    async def read_feed(self, response: Response) -> AsyncIterator[Any]:
        async for out in self.scroll(response, "foryou", limit=self.args.count, keep=self.keep, next_visit=self.next_visit):
            yield out

    def keep(self, item: Any) -> list[Any]:
        """The items to pass on (a repeat too: the dedupe pipeline keeps the first), and a profile
        request for creators without figures."""
        if isinstance(item, Video) and item.author_follower_count is None and item.username:
            first = item.username not in self.waiting
            self.waiting.setdefault(item.username, []).append(item)
            if first:
                url = f"{self.web}/@{item.username}"
                return [scrapy.Request(url, callback=self.creator, cb_kwargs={"username": item.username})]
            return []
        return [item]

    def creator(self, response: Response, username: str) -> Any:
        users = [u for u in self.items_from(parse_any(response.text, Context(source="foryou")), response.url)]
        profile = next((u for u in users if isinstance(u, User) and u.username == username), None)
        for video in self.waiting.pop(username, []):
            if profile is not None:
                video.author_follower_count = profile.follower_count
                video.author_following_count = profile.following_count
                video.author_likes_count = profile.likes_count
                video.author_video_count = profile.video_count
            yield video
        yield from users
