"""`scrapy crawl sound -a ids=7368...,7369...`

A sound's details (title, author, the number of videos using it) from its page, and the videos
that use it, read from the page's own /api/music/item_list/ answers as the browser scrolls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from tiktok.items import Sound, Video
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, video_id
from tiktok.spiders.feed import ScrollingFeedSpider


class SoundSpider(ScrollingFeedSpider):
    name = "sound"
    api_path = "/api/music/item_list/"

    def __init__(self, ids: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(ids=ids)
        self.ids = checked_list("ids", [i for i in ids.split(",") if i.strip()], video_id, "sound id")
        self.collected: dict[str, int] = {}

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        # Sound ids are 19-digit numbers like video ids.
        checked_list("ids", [i for i in str(kwargs.get("ids") or "").split(",") if i.strip()], video_id, "sound id")

    def sound_page(self, sid: str) -> Any:
        return self.page_request(f"{self.web}/music/sound-{sid}", "read_sound", sid=sid)

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for sid in self.ids:
            yield self.sound_page(sid)

    async def read_sound(self, response: Response, sid: str) -> AsyncIterator[Any]:
        if await self.blocked(response):
            yield self.sound_page(sid)
            return
        page = response.meta["playwright_page"]
        found = parse_any(response.text, Context(source=f"sound:{sid}"))
        for item in self.items_from(found, response.url):
            yield item
        if not any(isinstance(i, Sound) for i in found.items):
            await page.close()
            self.crawler.stats.inc_value("sound/unavailable")
            return
        state: dict[str, bool | None] = {"more": None}
        try:
            async for body in self.answers(page, lambda: state["more"] is False):
                result = parse_any(body, Context(source=f"sound:{sid}"))
                state["more"] = result.more
                for item in self.items_from(result, response.url):
                    if isinstance(item, Video):
                        self.collected[sid] = self.collected.get(sid, 0) + 1
                    yield item
        finally:
            await page.close()
        self.remember_unfinished(response)
