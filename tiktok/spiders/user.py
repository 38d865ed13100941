"""`scrapy crawl user -a usernames=a,b|-a file=users.csv [-a posts=1 [-a videos=1]]`

Profiles (plain HTTP: the figures are in the page) and, with `posts=1`, every video of each
public profile, read from the profile page's own /api/post/item_list/ answers as the browser
scrolls; with `since`/`until` only the videos of those days, and the walk stops once the list
(newest first) is past them. Unknown and private users are logged and counted (`user/unavailable`, `user/private`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from pydantic import Field, model_validator
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import User
from tiktok.spiders.feed import ScrollingFeedSpider
from tiktok.spiders.params import Args, DateWindowParam, Flag, UsernamesParam, VideosParam, fail


class UserParams(UsernamesParam, VideosParam, DateWindowParam):
    posts: Flag = Field(False, description="also list every video of each public profile")

    @model_validator(mode="after")
    def _videos_need_posts(self) -> UserParams:
        # `videos=1` once listed a user's videos here; it now downloads files everywhere (issue 11).
        if self.videos and not self.posts:
            fail("-a videos=1 downloads the files of the videos -a posts=1 lists; add -a posts=1")
        if (self.since or self.until) and not self.posts:
            fail("-a since and -a until pick among the videos -a posts=1 lists; add -a posts=1")
        return self


class UserSpider(Args[UserParams], ScrollingFeedSpider):
    name = "user"
    api_path = "/api/post/item_list/"

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for name in self.args.usernames:
            yield scrapy.Request(f"{self.web}/@{name}", callback=self.profile, cb_kwargs={"name": name})

    async def profile(self, response: Response, name: str) -> AsyncIterator[Any]:
        if retry := await self.captcha_retry(response):
            yield retry
            return
        result = parse_any(response.text, Context(source=f"user:{name}"))
        user = next((u for u in result.items if isinstance(u, User) and u.username == name), None)
        for item in self.items_from(result, response.url):
            yield item
        if user is None:
            self.crawler.stats.inc_value("user/unavailable")
        elif user.is_private:
            self.crawler.stats.inc_value("user/private")
            self.logger.info("@%s is private: its videos are not public", name)
        elif self.args.posts:
            self.listing(f"@{name}")["reported"] = user.video_count
            yield self.page_request(f"{self.web}/@{name}", "read_posts", f"@{name}", name=name)

    async def read_posts(self, response: Response, name: str) -> AsyncIterator[Any]:
        # A profile lists its videos newest first: the walk ends once it is past -a since.
        async for out in self.scroll(response, f"user:{name}", window=self.args.window, newest_first=True):
            yield out
