"""`scrapy crawl research_user_videos -a usernames=a,b|-a file=users.csv [-a kinds=liked,pinned,reposted]`

The videos a user liked (most users hide them), pinned, or reposted, from the Research API; liked
lists page by a time cursor (in milliseconds, §3.5), reposted by index, pinned in one answer. A
list the API will not give is a status in user_statuses.jsonl (source `research_<kind>`), not
retried forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.spiders.base import SpiderArgumentError
from tiktok.spiders.research import ResearchSpider, need_credentials
from tiktok.spiders.research_users import usernames_from

ENDPOINTS = {"liked": "user/liked_videos", "pinned": "user/pinned_videos", "reposted": "user/reposted_videos"}
FIELDS = (
    "id", "create_time", "username", "region_code", "video_description", "music_id", "like_count",
    "comment_count", "share_count", "view_count", "hashtag_names", "video_duration",
)  # fmt: skip


def kinds_from(value: Any) -> list[str]:
    kinds = [k.strip() for k in str(value or "liked,pinned,reposted").split(",") if k.strip()]
    bad = [k for k in kinds if k not in ENDPOINTS]
    if bad or not kinds:
        raise SpiderArgumentError(f"-a kinds={value}: give any of liked, pinned, reposted")
    return kinds


class ResearchUserVideosSpider(ResearchSpider):
    name = "research_user_videos"

    def __init__(self, usernames: str = "", file: str = "", kinds: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(usernames=usernames, file=file, kinds=kinds)
        self.usernames = usernames_from({"usernames": usernames, "file": file})
        self.kinds = kinds_from(kinds)

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        usernames_from({"usernames": kwargs.get("usernames"), "file": kwargs.get("file")})
        kinds_from(kwargs.get("kinds"))
        need_credentials()

    def page(self, name: str, kind: str, cursor: int | None) -> Any:
        body: dict[str, Any] = {"username": name}
        if kind != "pinned":
            body["max_count"] = 100
        if cursor is not None:
            body["cursor"] = cursor
        return self.post(ENDPOINTS[kind], body, self.videos, FIELDS, name=name, kind=kind)

    async def start(self) -> AsyncIterator[Any]:
        for name in self.usernames:
            for kind in self.kinds:
                yield self.page(name, kind, None)

    async def videos(self, response: Response, name: str, kind: str) -> AsyncIterator[Any]:
        failed, retry, message = await self.failure(response)
        if failed:
            if retry is not None:
                yield retry
            else:
                yield self.user_status(name, message, f"research_{kind}")
            return
        result = parse_any(response.body, Context(source=f"{kind}:{name}"))
        self.count(len(result.items))
        for item in self.items_from(result, response.url):
            yield item
        if result.more and result.cursor is not None:
            yield self.page(name, kind, int(result.cursor))

    def closed(self, reason: str) -> None:
        self.save_state()
