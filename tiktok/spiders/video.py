"""`scrapy crawl video -a urls=...|-a ids=...|-a file=list.txt [-a comments=20|all]`

Video pages (plain HTTP: their data is in the page) and, when asked, their comments from
/api/comment/list/: the first N, or all of them with every reply (/api/comment/list/reply/).
A captcha page is retried after a back-off; an unavailable video (deleted, private) is logged
with TikTok's status and counted in `video/unavailable`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from tiktok.items import Comment, Video
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, one_source, read_list, video_id, whole_number
from tiktok.spiders.base import SpiderArgumentError, TikTokSpider

PAGE = 50  # comments per request


def comments_wanted(value: Any) -> int | None:
    """None for no comments, a number, or 0 for all of them."""
    if value in (None, "", "0"):
        return None
    if value == "all":
        return 0
    try:
        return whole_number("comments", value, 1_000_000)
    except SpiderArgumentError:
        raise SpiderArgumentError(f"-a comments={value}: give a number of comments, or all") from None


class VideoSpider(TikTokSpider):
    name = "video"

    def __init__(self, urls: str = "", ids: str = "", file: str = "", comments: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(urls=urls, ids=ids, file=file, comments=comments)
        self.ids = self.video_ids(urls=urls, ids=ids, file=file)
        self.comments = comments_wanted(comments)
        self.comment_counts: dict[str, int] = {}

    @staticmethod
    def video_ids(**kwargs: Any) -> list[str]:
        source = one_source(kwargs, ("urls", "ids", "file"))
        values = read_list(kwargs["file"], "id") if source == "file" else str(kwargs[source]).split(",")
        return checked_list(source, [v for v in values if v.strip()], video_id, "video id or video URL")

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        cls.video_ids(urls=kwargs.get("urls"), ids=kwargs.get("ids"), file=kwargs.get("file"))
        comments_wanted(kwargs.get("comments"))

    async def start(self) -> AsyncIterator[Any]:
        for vid in self.ids:
            # Any handle leads to the video: TikTok's pages are found by the id.
            yield scrapy.Request(f"{self.web}/@_/video/{vid}", callback=self.page, cb_kwargs={"vid": vid})

    async def page(self, response: Response, vid: str) -> AsyncIterator[Any]:
        if retry := await self.captcha_retry(response):
            yield retry
            return
        result = parse_any(response.text, Context(source="video"))
        for item in self.items_from(result, response.url):
            yield item
        if not any(isinstance(i, Video) for i in result.items):
            self.crawler.stats.inc_value("video/unavailable")
            return
        if self.comments is not None:
            self.comment_counts[vid] = 0
            yield self.comment_page(vid, 0)

    def comment_page(self, vid: str, cursor: int) -> scrapy.Request:
        query = urlencode({"aweme_id": vid, "cursor": cursor, "count": PAGE})
        return scrapy.Request(f"{self.web}/api/comment/list/?{query}", callback=self.comment_list, cb_kwargs={"vid": vid})

    def comment_list(self, response: Response, vid: str) -> Iterator[Any]:
        result = parse_any(response.body, Context(source="video"))
        top_level = [c for c in result.items if isinstance(c, Comment) and c.parent_comment_id == vid]
        room = None if not self.comments else self.comments - self.comment_counts[vid]
        for item in self.items_from(result, response.url):
            if isinstance(item, Comment) and item.parent_comment_id == vid:
                if room is not None and room <= 0:
                    continue
                if room is not None:
                    room -= 1
                self.comment_counts[vid] += 1
                if self.comments == 0 and item.reply_count:
                    yield self.reply_page(vid, item.id, 0)
            elif isinstance(item, Comment) and self.comments != 0:
                continue  # an inline first reply: only wanted with comments=all
            yield item
        full = self.comments and self.comment_counts[vid] >= self.comments
        if result.more and top_level and not full and result.cursor is not None:
            yield self.comment_page(vid, int(result.cursor))

    def reply_page(self, vid: str, comment: str, cursor: int) -> scrapy.Request:
        query = urlencode({"item_id": vid, "comment_id": comment, "cursor": cursor, "count": PAGE})
        return scrapy.Request(
            f"{self.web}/api/comment/list/reply/?{query}", callback=self.replies, cb_kwargs={"vid": vid, "comment": comment}
        )

    def replies(self, response: Response, vid: str, comment: str) -> Iterator[Any]:
        result = parse_any(response.body, Context(source="video"))
        yield from self.items_from(result, response.url)
        if result.more and result.cursor is not None:
            yield self.reply_page(vid, comment, int(result.cursor))
