"""`scrapy crawl playlist -a ids=7455...,https://www.tiktok.com/@creator/playlist/name-7455... [-a limit=N]`

A playlist (TikTok calls it a "mix", issue 16): its details from /api/mix/detail/ (stored as a
Playlist record, with its creator; the number of videos TikTok reports is also a row of
totals.jsonl), then its page /@creator/playlist/<name>-<id> opened in the
browser, and its videos read from the page's own /api/mix/item_list/ answers as it scrolls, stored
with source `playlist:<id>`. A playlist is in the creator's order, not in time order, so
`since`/`until` only filter it. At the end, one coverage line per playlist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.parsing.web import playlist_page_path
from tiktok.schema.items import Playlist
from tiktok.spiders.feed import ScrollingFeedSpider, new_record
from tiktok.spiders.params import Args, DateWindowParam, PlaylistIds, VideosParam


class PlaylistParams(VideosParam, DateWindowParam):
    ids: PlaylistIds = Field(description="playlist ids, or playlist URLs (.../@creator/playlist/name-ID), comma-separated")
    limit: int | None = Field(None, ge=1, le=10_000_000, description="videos per playlist at most")


class PlaylistSpider(Args[PlaylistParams], ScrollingFeedSpider):
    name = "playlist"
    api_path = "/api/mix/item_list/"

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        for pid in self.args.ids:
            yield scrapy.Request(f"{self.web}/api/mix/detail/?mixId={pid}", callback=self.detail, cb_kwargs={"pid": pid})

    def detail(self, response: Response, pid: str) -> Iterator[Any]:
        if (again := self.garbled(response, f"playlist {pid}: its details and videos")) is not None:
            yield from again
            return
        result = parse_any(response.body, Context(source=f"playlist:{pid}"))
        yield from self.items_from(result, response.url)
        playlist = next((i for i in result.items if isinstance(i, Playlist)), None)
        record = self.listing(f"playlist {pid}")
        if playlist is None or playlist.username is None:
            self.crawler.stats.inc_value("playlist/unavailable")
            record["stopped"] = "not found"
            return
        record["reported"] = playlist.video_count
        yield self.page_request(self.web + playlist_page_path(playlist), "read_playlist", f"playlist {pid}", pid=pid)

    async def read_playlist(self, response: Response, pid: str) -> AsyncIterator[Any]:
        async for out in self.scroll(response, f"playlist:{pid}", limit=self.args.limit, window=self.args.window):
            yield out

    def closed(self, reason: str) -> None:
        """One coverage line per playlist asked for, reached or not."""
        lines = [self.coverage_line(f"playlist {p}", self.lists.get(f"playlist {p}", new_record()), reason) for p in self.args.ids]
        self.logger.info("Coverage:\n  " + "\n  ".join(lines))
