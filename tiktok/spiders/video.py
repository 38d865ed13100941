"""`scrapy crawl video -a urls=...|-a ids=...|-a file=list.txt [-a comments=20|all]`

Video pages (plain HTTP: their data is in the page) and, when asked, their comments from
/api/comment/list/: the first N, or all of them with every reply (/api/comment/list/reply/).
A captcha page is retried after a back-off; an unavailable video (deleted, private) is logged
with TikTok's status and counted in `video/unavailable`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

import scrapy
from pydantic import BeforeValidator, Field, WithJsonSchema
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.parsing import Context, parse_any
from tiktok.run.context import run_context
from tiktok.schema.items import Comment, Video
from tiktok.spiders.base import TikTokSpider
from tiktok.spiders.params import Args, VideoIdsParam, VideosParam, fail

PAGE = 50  # comments per request
MAX_COMMENTS = 1_000_000


def comments_wanted(value: Any) -> int | None:
    """None for no comments, a number, or 0 for all of them."""
    if value in (None, "", "0"):
        return None
    if value == "all":
        return 0
    if not str(value).isdigit() or not 1 <= int(value) <= MAX_COMMENTS:
        fail(f"give a number of comments (1 to {MAX_COMMENTS}), or all")
    return int(value)


Comments = Annotated[int | None, BeforeValidator(comments_wanted), WithJsonSchema({"type": "string", "x-kind": "a number, or all"})]


class VideoParams(VideoIdsParam, VideosParam):
    comments: Comments = Field(None, description="the first N comments of each video, or all of them with every reply")


class VideoSpider(Args[VideoParams], TikTokSpider):
    name = "video"

    async def start(self) -> AsyncIterator[Any]:
        for vid in self.args.ids:
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
        if self.args.comments is not None:
            yield self.comment_page(vid, 0)

    def comment_page(self, vid: str, cursor: int, taken: int = 0) -> scrapy.Request:
        """A page of comments; `taken` (the video's comments so far) travels with the request, so
        any worker of a crawl shared through Redis can read the next page (issue 14)."""
        what = f"video {vid}: comments after cursor {cursor}"
        params = {"aweme_id": vid, "cursor": cursor, "count": PAGE}
        return self.api_request("/api/comment/list/", params, self.comment_list, what, vid=vid, taken=taken)

    def api_request(self, path: str, params: dict[str, Any], callback: Any, what: str, **cb_kwargs: Any) -> scrapy.Request:
        """A comment or reply page; `what` names it in the gap line if it is lost (`lost`)."""
        url = f"{self.web}{path}?{urlencode(params)}"
        return scrapy.Request(url, callback=callback, errback=self.lost, cb_kwargs=cb_kwargs, meta={"tiktok_what": what})

    def comment_list(self, response: Response, vid: str, taken: int = 0) -> Iterator[Any]:
        if (again := self.garbled(response, response.meta["tiktok_what"])) is not None:
            yield from again
            return
        result = parse_any(response.body, Context(source="video"))
        top_level = [c for c in result.items if isinstance(c, Comment) and c.parent_comment_id == vid]
        room = None if not self.args.comments else self.args.comments - taken
        for item in self.items_from(result, response.url):
            if isinstance(item, Comment) and item.parent_comment_id == vid:
                if room is not None and room <= 0:
                    continue
                if room is not None:
                    room -= 1
                taken += 1
                if self.args.comments == 0 and item.reply_count:
                    yield self.reply_page(vid, item.id, 0)
            elif isinstance(item, Comment) and self.args.comments != 0:
                continue  # an inline first reply: only wanted with comments=all
            yield item
        full = self.args.comments and taken >= self.args.comments
        if result.more and top_level and not full and result.cursor is not None:
            yield self.comment_page(vid, int(result.cursor), taken)

    def reply_page(self, vid: str, comment: str, cursor: int) -> scrapy.Request:
        what = f"video {vid}: replies of comment {comment} after cursor {cursor}"
        params = {"item_id": vid, "comment_id": comment, "cursor": cursor, "count": PAGE}
        return self.api_request("/api/comment/list/reply/", params, self.replies, what, vid=vid, comment=comment)

    def replies(self, response: Response, vid: str, comment: str) -> Iterator[Any]:
        if (again := self.garbled(response, response.meta["tiktok_what"])) is not None:
            yield from again
            return
        result = parse_any(response.body, Context(source="video"))
        yield from self.items_from(result, response.url)
        if result.more and result.cursor is not None:
            yield self.reply_page(vid, comment, int(result.cursor))

    def lost(self, failure: Failure) -> None:
        """A comment or reply page that failed after its retries: a gap of the run, named."""
        request = failure.request  # type: ignore[attr-defined]
        run_context(self.crawler).gap(f"{request.meta['tiktok_what']}: lost ({failure.getErrorMessage()})")
