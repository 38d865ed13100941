"""A small spider for pipeline tests: signed For-You pages from the simulator (the web spiders of
issue #5 will do this with a browser; tests may use the simulator's signing, the product never does)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Item, Video
from tiktok.simulator.media import MediaSigner
from tiktok.simulator.signing import x_bogus
from tiktok.simulator.world import EPOCH, World
from tiktok.spiders.base import TikTokSpider
from tiktok.spiders.params import Args, Flag, VideosParam


class SimFeedParams(VideosParam):
    pages: int = Field(2, ge=1, le=100, description="item-list pages to fetch")
    count: int = Field(10, ge=1, le=100, description="videos per page")
    expired: Flag = Field(False, description="also yield a video whose cover link has expired")


class SimFeedSpider(Args[SimFeedParams], TikTokSpider):
    name = "simfeed"
    custom_settings = {"ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}  # noqa: RUF012

    async def start(self) -> Any:
        yield scrapy.Request(self.settings["TIKTOK_WEB_URL"] + "/foryou", callback=self.page)

    def page(self, response: Response) -> Iterator[Any]:
        cookies = [h.decode() for h in response.headers.getlist("Set-Cookie")]
        token = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("msToken="))
        for n in range(self.args.pages):
            query = urlencode({"aid": "1988", "count": self.args.count, "page": str(n), "msToken": token})
            url = f"{self.settings['TIKTOK_WEB_URL']}/api/recommend/item_list/?{query}&X-Bogus={x_bogus(query, token)}"
            yield scrapy.Request(url, callback=self.items, cb_kwargs={"offset": n * self.args.count}, dont_filter=True)
        if self.args.expired:
            world = World(7, "small")
            vid = str(world.video_id(7))
            signer = MediaSigner(b"7:media", self.settings["TIKTOK_WEB_URL"])
            yield Video(id=vid, cover_url=signer.url("cover", f"{vid}.jpeg", EPOCH - 7 * 3600), source="expired-link")

    def items(self, response: Response, offset: int) -> Iterator[Item]:
        yield from self.items_from(parse_any(response.body, Context(source="simfeed", feed_offset=offset)), response.url)
