"""`scrapy crawl research_network -a seeds=name|-a file=users.csv -a direction=following|followers
-a depth=2 [-a max_users=N] [-a plan=1]`

Breadth-first over the follow graph from the seeds, as a network study's own crawler did: the
full list (followers or following; the cursor is a time) of every user within `depth` hops (the
seeds are hop 0), one Follow per edge into follows.jsonl, and each user's status (parsed, refused, not found, error) into
user_statuses.jsonl. The frontier is saved in DATA_DIR/state/ after every finished user, so the
same command goes on after a stop, a kill or the daily quota (followers and following have their
own quota family).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from tiktok.items import Follow, User
from tiktok.parsing import Context, parse_any
from tiktok.research.state import DAILY, load_json, save_json
from tiktok.spiders.arguments import flag, whole_number
from tiktok.spiders.base import SpiderArgumentError
from tiktok.spiders.research import ResearchSpider, need_credentials
from tiktok.spiders.research_users import usernames_from


def checked(kwargs: dict[str, Any]) -> tuple[list[str], str, int, int | None]:
    given = {"usernames": kwargs.get("seeds") or "", "file": kwargs.get("file") or ""}
    try:
        seeds = usernames_from(given)
    except SpiderArgumentError:
        raise SpiderArgumentError("give the seed users: -a seeds=a,b or -a file=users.csv") from None
    direction = kwargs.get("direction", "following")
    if direction not in ("following", "followers"):
        raise SpiderArgumentError(f"-a direction={direction}: give following or followers")
    depth = whole_number("depth", kwargs.get("depth", "2"), 10)
    max_users = whole_number("max_users", kwargs["max_users"], 10_000_000) if kwargs.get("max_users") else None
    return seeds, direction, depth, max_users


class ResearchNetworkSpider(ResearchSpider):
    name = "research_network"
    family = "follow"

    def __init__(self, **kwargs: Any) -> None:
        self.seeds, self.direction, self.depth, self.max_users = checked(kwargs)
        self.plan_only = flag("plan", kwargs.get("plan"))
        self.plan_counts: dict[str, int | None] = {}
        super().__init__(**{k: v for k, v in kwargs.items() if k not in ("seeds", "file", "direction", "depth", "max_users", "plan")})

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        checked(kwargs)
        need_credentials()

    @property
    def source(self) -> str:
        return f"research_network:{self.direction}"

    def load_frontier(self) -> None:
        label = hashlib.sha1(",".join(sorted(self.seeds)).encode()).hexdigest()[:10]
        self.frontier_path = self.state_dir / f"research-network-{self.direction}-{label}.json"
        saved = load_json(self.frontier_path) or {}
        self.queue: list[list[Any]] = saved.get("queue") or [[s, 0] for s in self.seeds]
        self.statuses: dict[str, str] = saved.get("statuses") or {}
        self.in_progress: set[str] = set()
        self.neighbours: dict[str, list[str]] = {}

    def save_state(self) -> None:
        save_json(self.frontier_path, {"queue": self.queue, "statuses": self.statuses, "seeds": self.seeds, "direction": self.direction})
        self.ledger.save()

    def page(self, name: str, level: int, cursor: int | None) -> Any:
        body: dict[str, Any] = {"username": name, "max_count": 100}
        if cursor is not None:
            body["cursor"] = cursor
        return self.post(f"user/{self.direction}", body, self.edges, name=name, level=level)

    async def start(self) -> AsyncIterator[Any]:
        self.load_frontier()
        if self.plan_only:  # only the seeds' user info: the API's own counts
            field = "follower_count" if self.direction == "followers" else "following_count"
            for seed in self.seeds:
                self.family = "research"
                yield self.post("user/info", {"username": seed}, self.plan_info, (field,), name=seed, field=field)
            return
        for request in self.next_requests():
            yield request

    async def plan_info(self, response: Response, name: str, field: str) -> AsyncIterator[Any]:
        error = self.error_of(response)
        if error is not None:
            retry = await self.retry_or_stop(response, *error)
            if retry is not None:
                yield retry
                return
        self.count(0 if error else 1)
        user = next((u for u in parse_any(response.body, Context(subject=name)).items if isinstance(u, User)), None)
        self.plan_counts[name] = None if user is None else getattr(user, field)
        if len(self.plan_counts) == len(self.seeds):
            self.print_plan()

    def print_plan(self) -> None:
        known = [c for c in self.plan_counts.values() if c is not None]
        average = sum(known) / len(known) if known else 0
        users, requests, total = float(len(known)), 0.0, float(len(self.seeds))
        for _ in range(self.depth):  # users at each hop times the pages of their lists
            requests += users * max(1, math.ceil(average / 100))
            users = min(users * average, (self.max_users or math.inf) - total)
            total += users
        seeds = ", ".join(f"{n}: {'refused' if c is None else c}" for n, c in self.plan_counts.items())
        used = self.ledger.today("follow")
        left = max(1, DAILY["follow"][0] - used["requests"])
        print(
            f"Plan for a depth-{self.depth} {self.direction} crawl from {len(self.seeds)} seed(s): the seeds have"
            f" {seeds} {self.direction}.\n"
            f"  About {requests:,.0f} requests (if every user had the seeds' average of {average:,.0f}); the API lists only public"
            " accounts, so real lists are shorter.\n"
            f"  Follow quota today: {used['requests']} of {DAILY['follow'][0]} used; about {math.ceil(requests / left)} day(s).\n"
            f"Only the seeds' user info was sent ({len(self.seeds)} request(s)).",
            flush=True,
        )

    def next_requests(self) -> list[Any]:
        """Users from the queue not yet asked, within `depth` hops of the seeds, all at once (Scrapy
        paces them). Users found at the last hop stay in the queue: the crawl's frontier."""
        out = []
        for name, level in self.queue:
            if level < self.depth and name not in self.statuses and name not in self.in_progress:
                self.in_progress.add(name)
                self.neighbours[name] = []
                out.append(self.page(name, level, None))
        return out

    async def edges(self, response: Response, name: str, level: int) -> AsyncIterator[Any]:
        failed, retry, message = await self.failure(response)
        if failed:
            if retry is not None:
                yield retry
                return
            status = self.user_status(name, message, self.source)
            yield status
            self.finish(name, str(status.status))
            for request in self.next_requests():
                yield request
            return
        result = parse_any(response.body, Context(source=self.source, subject=name))
        self.count(len(result.items))
        for item in self.items_from(result, response.url):
            if isinstance(item, Follow):
                self.neighbours[name].append(item.followee if self.direction == "following" else item.follower)
            yield item
        if result.more and result.cursor is not None:
            yield self.page(name, level, int(result.cursor))
            return
        yield self.user_status(name, None, self.source)
        if level < self.depth:  # always true here: only users within depth are asked
            known = {n for n, _ in self.queue}
            for other in self.neighbours.pop(name, []):
                if other not in known and (self.max_users is None or len(known) < self.max_users):
                    self.queue.append([other, level + 1])
                    known.add(other)
        self.finish(name, "parsed")
        for request in self.next_requests():
            yield request

    def finish(self, name: str, status: str) -> None:
        self.statuses[name] = status
        self.in_progress.discard(name)
        self.save_state()

    def closed(self, reason: str) -> None:
        if hasattr(self, "frontier_path") and not self.plan_only:
            self.save_state()
            left = sum(1 for n, level in self.queue if n not in self.statuses and level < self.depth)
            frontier = sum(1 for _, level in self.queue if level >= self.depth)
            self.logger.info(
                "network: %d users done, %d still to ask (run the same command to go on), %d at the frontier",
                len(self.statuses),
                left,
                frontier,
            )
