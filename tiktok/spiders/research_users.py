"""`scrapy crawl research_users -a usernames=a,b|-a file=users.csv`

Each user's profile from the Research API's user info. A refused user (private, under-age) or an
unknown one is recorded in user_statuses.jsonl with the API's reason, and not asked again by later
runs of this spider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy.http import Response

from tiktok.parsing import Context, parse_any
from tiktok.spiders.arguments import checked_list, one_source, read_list, username
from tiktok.spiders.research import ResearchSpider, need_credentials
from tiktok.storage.jsonl import read_jsonl

USER_FIELDS = (
    "display_name", "bio_description", "avatar_url", "is_verified", "follower_count", "following_count",
    "likes_count", "video_count", "bio_url",
)  # fmt: skip


def usernames_from(kwargs: dict[str, Any]) -> list[str]:
    source = one_source(kwargs, ("usernames", "file"))
    values = read_list(kwargs["file"], "username") if source == "file" else str(kwargs["usernames"]).split(",")
    return checked_list(source, [v for v in values if v.strip()], username, "username")


def settled(data_dir: Path, source: str) -> set[str]:
    """Users this spider was already told it cannot have (refused or unknown)."""
    return {
        r["username"]
        for r in read_jsonl(data_dir / "user_statuses.jsonl")
        if r.get("source") == source and r.get("status") in ("refused", "not_found")
    }


class ResearchUsersSpider(ResearchSpider):
    name = "research_users"

    def __init__(self, usernames: str = "", file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(usernames=usernames, file=file)
        self.usernames = usernames_from({"usernames": usernames, "file": file})

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        usernames_from(kwargs)
        need_credentials()

    async def start(self) -> AsyncIterator[Any]:
        skip = settled(Path(self.settings.get("DATA_DIR", "data")), self.name)
        for name in self.usernames:
            if name in skip:
                self.crawler.stats.inc_value("research/users/skipped_settled")
                continue
            yield self.post("user/info", {"username": name}, self.info, USER_FIELDS, name=name)

    async def info(self, response: Response, name: str) -> AsyncIterator[Any]:
        failed, retry, message = await self.failure(response)
        if failed:
            if retry is not None:
                yield retry
            else:
                yield self.user_status(name, message, self.name)
            return
        result = parse_any(response.body, Context(source=self.name, subject=name))
        self.count(len(result.items))
        for item in self.items_from(result, response.url):
            yield item
        yield self.user_status(name, None, self.name)

    def closed(self, reason: str) -> None:
        self.save_state()
