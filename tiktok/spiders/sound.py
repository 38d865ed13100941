"""`scrapy crawl sound -a ids=7368...,7369...`

A sound's details (title, author, the number of videos using it) from its page, and the videos
that use it, read from the page's own /api/music/item_list/ answers as the browser scrolls;
`since`/`until` keep the videos of those days (the list is walked to its end: it is not in time order).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Sound
from tiktok.spiders.feed import ScrollingFeedSpider
from tiktok.spiders.params import Args, DateWindowParam, SoundIds, VideosParam


class SoundParams(VideosParam, DateWindowParam):
    ids: SoundIds = Field(description="sound ids, comma-separated (the number at the end of a /music/ URL)")


class SoundSpider(Args[SoundParams], ScrollingFeedSpider):
    name = "sound"
    api_path = "/api/music/item_list/"

    def sound_page(self, sid: str) -> Any:
        return self.page_request(f"{self.web}/music/sound-{sid}", "read_sound", f"sound {sid}", sid=sid)

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for sid in self.args.ids:
            yield self.sound_page(sid)

    async def read_sound(self, response: Response, sid: str) -> AsyncIterator[Any]:
        # A sound's list is not in time order (TikTok ranks it): -a since/until only filters it.
        window = self.args.window
        async for out in self.scroll(response, f"sound:{sid}", head=lambda page: self.details(page, sid), window=window):
            yield out

    def details(self, response: Response, sid: str) -> list[Any] | None:
        """The sound's own items from its page, with the count of videos TikTok reports; None
        (nothing to scroll) when the sound is unavailable."""
        found = list(self.items_from(parse_any(response.text, Context(source=f"sound:{sid}")), response.url))
        sound = next((i for i in found if isinstance(i, Sound)), None)
        record = self.listing(f"sound {sid}")
        if sound is None:
            self.crawler.stats.inc_value("sound/unavailable")
            record["stopped"] = "unavailable"
            return None
        record["reported"] = sound.video_count
        return found
