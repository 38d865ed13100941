"""`scrapy crawl research_comments -a video_ids=1,2|-a from=data/videos.jsonl`

Every comment of each video the Research API gives (it stops at 1,000 per video), and the
replies of each comment that has any, through `comment_id`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy.http import Response

from tiktok.items import Comment
from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, video_id
from tiktok.spiders.base import SpiderArgumentError
from tiktok.spiders.research import ResearchSpider, need_credentials
from tiktok.storage.jsonl import read_jsonl

COMMENT_FIELDS = ("id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time")
API_CAP = 1000  # the API's own limit of comments per video (§3.3)


def video_ids_from(kwargs: dict[str, Any]) -> list[str]:
    given = [k for k in ("video_ids", "from") if kwargs.get(k)]
    if len(given) != 1:
        raise SpiderArgumentError("give exactly one of -a video_ids=..., -a from=DATA_DIR/videos.jsonl")
    if given[0] == "from":
        path = kwargs["from"]
        if not Path(path).is_file():
            raise SpiderArgumentError(f"-a from={path}: no such file")
        values = [str(r.get("id")) for r in read_jsonl(Path(path)) if r.get("id")]
    else:
        values = str(kwargs["video_ids"]).split(",")
    return checked_list(given[0], [v for v in values if v.strip()], video_id, "video id")


class ResearchCommentsSpider(ResearchSpider):
    name = "research_comments"

    def __init__(self, **kwargs: Any) -> None:
        ids = video_ids_from(kwargs)
        super().__init__(**{k: v for k, v in kwargs.items() if k not in ("video_ids", "from")})
        need_credentials()
        self.video_ids = ids

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        video_ids_from(kwargs)
        need_credentials()

    def page(self, target: dict[str, int], cursor: int) -> Any:
        return self.post("video/comment/list", {**target, "max_count": 100, "cursor": cursor}, self.comments, COMMENT_FIELDS, target=target)

    async def start(self) -> AsyncIterator[Any]:
        for vid in self.video_ids:
            yield self.page({"video_id": int(vid)}, 0)

    async def comments(self, response: Response, target: dict[str, int]) -> AsyncIterator[Any]:
        failed, retry, message = await self.failure(response)
        if failed:
            if retry is not None:
                yield retry
            else:
                self.logger.error("comments of %s refused: %s", target, message)
            return
        result = parse_any(response.body, Context(source=self.name))
        self.count(len(result.items))
        for item in self.items_from(result, response.url):
            yield item
            if "video_id" in target and isinstance(item, Comment) and item.reply_count:
                yield self.page({"comment_id": int(item.id)}, 0)
        cursor = int(result.cursor or 0)
        if result.more and not ("video_id" in target and cursor >= API_CAP):
            yield self.page(target, cursor)

    def closed(self, reason: str) -> None:
        self.save_state()
