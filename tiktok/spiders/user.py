"""`scrapy crawl user -a usernames=a,b|-a file=users.csv [-a videos=1]`

Profiles (plain HTTP: the figures are in the page) and, with `videos=1`, every video of each
public profile, read from the profile page's own /api/post/item_list/ answers as the browser
scrolls. Unknown and private users are logged and counted (`user/unavailable`, `user/private`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from tiktok.items import User
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, flag, one_source, read_list, username
from tiktok.spiders.feed import ScrollingFeedSpider


class UserSpider(ScrollingFeedSpider):
    name = "user"
    api_path = "/api/post/item_list/"

    def __init__(self, usernames: str = "", file: str = "", videos: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(usernames=usernames, file=file, videos=videos)
        self.usernames = self.names(usernames=usernames, file=file)
        self.with_videos = flag("videos", videos)

    @staticmethod
    def names(**kwargs: Any) -> list[str]:
        source = one_source(kwargs, ("usernames", "file"))
        values = read_list(kwargs["file"], "username") if source == "file" else str(kwargs["usernames"]).split(",")
        return checked_list(source, [v for v in values if v.strip()], username, "username")

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        cls.names(usernames=kwargs.get("usernames"), file=kwargs.get("file"))
        flag("videos", kwargs.get("videos"))

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for name in self.usernames:
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
        elif self.with_videos:
            yield self.page_request(f"{self.web}/@{name}", "read_posts", name=name)

    async def read_posts(self, response: Response, name: str) -> AsyncIterator[Any]:
        if await self.blocked(response):
            yield self.page_request(f"{self.web}/@{name}", "read_posts", name=name)
            return
        page = response.meta["playwright_page"]
        state: dict[str, bool | None] = {"more": None}
        try:
            async for body in self.answers(page, lambda: state["more"] is False):
                result = parse_any(body, Context(source=f"user:{name}"))
                state["more"] = result.more
                for item in self.items_from(result, response.url):
                    yield item
        finally:
            await page.close()
        self.remember_unfinished(response)
