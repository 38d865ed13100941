"""`scrapy crawl research_users -a usernames=a,b|-a file=users.csv [-a plan=1]`

Each user's profile from the Research API's user info. A refused user (private, under-age) or an
unknown one is recorded in user_statuses.jsonl with the API's reason, and not asked again by later
runs of this spider. A user whose answer was lost after the middleware's retries is a gap.
`-a plan=1` prints the cost first (one request per user not settled) and sends nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.plan import Plan
from tiktok.run.context import run_context
from tiktok.schema.fields import research_names
from tiktok.schema.items import User
from tiktok.spiders.params import Args, PlanParam, ResearchParam, UsernamesParam
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


class ResearchUsersParams(UsernamesParam, PlanParam, ResearchParam):
    def sends_requests(self) -> bool:
        return not self.plan


class ResearchUsersSpider(Args[ResearchUsersParams], ResearchSpider):
    name = "research_users"

    async def start(self) -> AsyncIterator[Any]:
        skip = settled(Path(self.settings.get("DATA_DIR", "data")), self.name)
        if self.args.plan:
            self.print_plan([n for n in self.args.usernames if n not in skip])
            return
        for name in self.args.usernames:
            if name in skip:
                self.crawler.stats.inc_value("research/users/skipped_settled")
                continue
            yield self.post("user/info", {"username": name}, self.info, USER_FIELDS, name=name)

    def print_plan(self, asked: list[str]) -> None:
        run_context(self.crawler).purpose = "plan"
        settled_note = (
            f"; {len(self.args.usernames) - len(asked)} already refused or unknown, not asked again"
            if len(asked) < len(self.args.usernames)
            else ""
        )
        plan = Plan(
            spider=self.name,
            subject=f"{len(asked)} user(s) to ask{settled_note}",
            family="research",
            low=len(asked),
            high=len(asked),
            why="one user info request per user",
            records=len(asked),
        )
        print(plan.text(self.today("research")), flush=True)

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
