"""`scrapy crawl research_users -a usernames=a,b|-a file=users.csv`

Each user's profile from the Research API's user info. A refused user (private, under-age) or an
unknown one is recorded in user_statuses.jsonl with the API's reason, and not asked again by later
runs of this spider. A user whose answer was lost after the middleware's retries is a gap.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.schema.fields import research_names
from tiktok.schema.items import User
from tiktok.spiders.params import Args, ResearchParam, UsernamesParam
from tiktok.spiders.research import ResearchSpider
from tiktok.storage.jsonl import read_jsonl

USER_FIELDS = research_names(User)


def settled(data_dir: Path, source: str) -> set[str]:
    """Users this spider was already told it cannot have (refused or unknown)."""
    return {
        r["username"]
        for r in read_jsonl(data_dir / "user_statuses.jsonl")
        if r.get("source") == source and r.get("status") in ("refused", "not_found")
    }


class ResearchUsersParams(UsernamesParam, ResearchParam):
    pass


class ResearchUsersSpider(Args[ResearchUsersParams], ResearchSpider):
    name = "research_users"

    async def start(self) -> AsyncIterator[Any]:
        skip = settled(Path(self.settings.get("DATA_DIR", "data")), self.name)
        for name in self.args.usernames:
            if name in skip:
                self.crawler.stats.inc_value("research/users/skipped_settled")
                continue
            yield self.post("user/info", {"username": name}, self.info, USER_FIELDS, name=name)

    async def info(self, response: Response, name: str) -> AsyncIterator[Any]:
        refusal = self.refusal(response)
        if refusal is None:
            result = parse_any(response.body, Context(source=self.name, subject=name))
            for item in self.items_from(result, response.url):
                yield item
        yield self.user_status(name, refusal, self.name)

    def lost(self, request: Request, error: ResearchGaveUp) -> Iterable[Any]:
        name = request.cb_kwargs["name"]
        self.gap(f"@{name}: user info ({error})")
        return () if error.lost else [self.user_status(name, None, self.name, error=str(error))]
