"""`scrapy crawl research_user_videos -a usernames=a,b|-a file=users.csv [-a kinds=liked,pinned,reposted]`

The videos a user liked (most users hide them), pinned, or reposted, from the Research API; liked
lists page by a time cursor (in milliseconds, §3.5), reposted by index, pinned in one answer. A
list the API will not give is a status in user_statuses.jsonl (source `research_<kind>`), not
retried forever. Each list's cursor is saved after every stored page
(DATA_DIR/state/research-user-videos-<users and kinds>.json), so the same command after a kill or
the daily quota asks only for what is not stored; a page lost after the middleware's retries is a
gap, which the same command fills. `-a reset=1` starts over.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from scrapy.http import Request, Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.state import Progress
from tiktok.schema.fields import research_names
from tiktok.schema.items import Item, Video
from tiktok.spiders.params import Args, ResumableParam, Split, UsernamesParam, checked, listed
from tiktok.spiders.research import ResearchSpider

ENDPOINTS = {"liked": "user/liked_videos", "pinned": "user/pinned_videos", "reposted": "user/reposted_videos"}
FIELDS = research_names(Video, user_lists=True)


def known_kind(value: str) -> str | None:
    return value if value in ENDPOINTS else None


Kinds = Annotated[list[str], Split, AfterValidator(checked(known_kind, "list (liked, pinned, reposted)")), listed("list")]


class ResearchUserVideosParams(UsernamesParam, ResumableParam):
    kinds: Kinds = Field(["liked", "pinned", "reposted"], description="which of each user's lists: liked, pinned, reposted")


class ResearchUserVideosSpider(Args[ResearchUserVideosParams], ResearchSpider):
    name = "research_user_videos"

    def load_progress(self) -> None:
        label = hashlib.sha1(f"{','.join(sorted(self.args.usernames))};{','.join(sorted(self.args.kinds))}".encode()).hexdigest()[:10]
        self.progress = Progress(self.state_dir / f"research-user-videos-{label}.json", {"cursor": None}, self.reset_state)

    def page(self, name: str, kind: str, cursor: int | None) -> Any:
        body: dict[str, Any] = {"username": name}
        if kind != "pinned":
            body["max_count"] = 100
        if cursor is not None:
            body["cursor"] = cursor
        return self.post(ENDPOINTS[kind], body, self.videos, FIELDS, name=name, kind=kind)

    async def start(self) -> AsyncIterator[Any]:
        self.open_state(self.load_progress)
        for name in self.args.usernames:
            for kind in self.args.kinds:
                step = self.progress.get(f"{kind}:{name}")
                if not step["done"]:
                    yield self.page(name, kind, step["cursor"])

    async def videos(self, response: Response, name: str, kind: str) -> AsyncIterator[Any]:
        refusal = self.refusal(response)
        result = None if refusal else parse_any(response.body, Context(source=f"{kind}:{name}"))
        items: list[Item] = list(self.items_from(result, response.url)) if result else [self.user_status(name, refusal, f"research_{kind}")]
        stored = self.stored(response, items)
        for item in items:
            yield item
        await self.all_stored(stored)
        step = self.progress.get(f"{kind}:{name}")
        if result and result.more and result.cursor is not None:
            step["cursor"] = int(result.cursor)
            yield self.page(name, kind, step["cursor"])
        else:
            step["done"] = True
        self.progress.save()

    def lost(self, request: Request, error: ResearchGaveUp) -> Iterable[Any]:
        name, kind = request.cb_kwargs["name"], request.cb_kwargs["kind"]
        cursor = self.progress.get(f"{kind}:{name}")["cursor"]
        self.gap(f"@{name}: {kind} videos" + (f" after cursor {cursor}" if cursor is not None else "") + f" ({error})")
        return () if error.lost else [self.user_status(name, None, f"research_{kind}", error=str(error))]

    def closed(self, reason: str) -> None:
        if hasattr(self, "progress"):
            self.progress.save()
