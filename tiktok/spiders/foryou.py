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
from scrapy.http import Response

from tiktok.items import User, Video
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import whole_number
from tiktok.spiders.feed import ScrollingFeedSpider


class ForYouSpider(ScrollingFeedSpider):
    name = "foryou"
    api_path = "/api/recommend/item_list/"

    def __init__(self, count: str = "100", sessions: str = "5", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(count=count, sessions=sessions)
        self.count = int(count)
        self.sessions = int(sessions)
        self.visits = 0
        self.seen: set[str] = set()
        self.position = 0
        self.waiting: dict[str, list[Video]] = {}  # videos whose creator's figures come from the profile

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        whole_number("count", kwargs.get("count", "100"), 100_000)
        whole_number("sessions", kwargs.get("sessions", "5"), 100)

    def visit(self) -> scrapy.Request:
        self.visits += 1
        return self.page_request(self.web + "/foryou", "read_feed")

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        yield self.visit()

    async def read_feed(self, response: Response) -> AsyncIterator[Any]:
        if await self.blocked(response):
            yield self.visit()
            return
        page = response.meta["playwright_page"]
        try:
            async for body in self.answers(page, lambda: len(self.seen) >= self.count):
                result = parse_any(body, Context(source="foryou", feed_offset=self.position))
                self.position += sum(isinstance(i, Video) for i in result.items)
                for item in self.items_from(result, "foryou"):
                    for out in self.keep(item):
                        yield out
        finally:
            await page.close()
        self.remember_unfinished(response)
        if len(self.seen) < self.count and self.visits < self.sessions:
            self.contexts += 1
            yield self.visit()
        elif len(self.seen) < self.count:
            self.logger.warning("the feed gave %d unique videos of %d in %d visits", len(self.seen), self.count, self.visits)

    def keep(self, item: Any) -> list[Any]:
        """The items to pass on: videos up to `count` unique ones (a repeat is passed on and the
        dedupe pipeline keeps the first), and a profile request for creators without figures."""
        if not isinstance(item, Video):
            return [item]
        if item.id not in self.seen:
            if len(self.seen) >= self.count:
                return []
            self.seen.add(item.id)
        if item.author_follower_count is None and item.username:
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
