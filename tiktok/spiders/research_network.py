"""`scrapy crawl research_network -a seeds=name|-a file=users.csv [-a direction=following|followers]
-a depth=2 [-a max_users=N] [-a plan=1]`

Breadth-first over the follow graph from the seeds, as a network study's own crawler did: the
full list (followers or following; the cursor is a time) of every user within `depth` hops (the
seeds are hop 0; a user's hop is the shortest path from any seed, whichever list finishes first),
one Follow per edge into follows.jsonl, and each user's status (parsed, refused, not found, error) into
user_statuses.jsonl. The frontier, and each unfinished list's cursor with the users found on it so
far, are saved in DATA_DIR/state/ after every stored page, so the same command goes on after a stop,
a kill or the daily quota (followers and following have their own quota family) without asking
for a stored page again. A list cut by a lost page is a gap, which the same command fills.
`-a reset=1` starts over.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator, Iterable
from functools import cached_property
from typing import Any, Literal

from pydantic import Field
from scrapy.http import Request, Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.plan import PAGE, Plan
from tiktok.research.state import load_state, save_json
from tiktok.run.context import run_context
from tiktok.scale.network import SharedNetwork, shared_network
from tiktok.schema.items import Follow, User
from tiktok.spiders.params import Args, FilePath, ListOrFile, PlanParam, ResumableParam, Usernames, UsernamesParam
from tiktok.spiders.research import ResearchSpider


class ResearchNetworkParams(ListOrFile, PlanParam, ResumableParam):
    target, sources, file_values = "seeds", ("seeds", "file"), UsernamesParam.file_values
    seeds: Usernames = Field(default_factory=list, description="the users to start from, comma-separated (or -a file)")
    file: FilePath = Field(None, description="a file of seed usernames: one per line, or a CSV with a 'username' column")
    direction: Literal["following", "followers"] = Field("following", description="whose lists to follow")
    depth: int = Field(2, ge=1, le=10, description="hops from the seeds (the seeds are hop 0)")
    max_users: int | None = Field(None, ge=1, le=10_000_000, description="users at most in the network")


class ResearchNetworkSpider(Args[ResearchNetworkParams], ResearchSpider):
    name = "research_network"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan_counts: dict[str, int | None] = {}

    @property
    def source(self) -> str:
        return f"research_network:{self.args.direction}"

    @cached_property
    def shared(self) -> SharedNetwork | None:
        """The frontier in Redis when workers share the crawl (issue 14); None on one machine."""
        return None if self.args.plan else shared_network(self.crawler, self.args.max_users)

    def load_frontier(self) -> None:
        label = hashlib.sha1(",".join(sorted(self.args.seeds)).encode()).hexdigest()[:10]
        self.frontier_path = self.state_dir / f"research-network-{self.args.direction}-{label}.json"
        saved = load_state(self.frontier_path, frontier_shape, self.reset_state) or {}
        # every user known, at its hop (insertion order: the order found); saved as the "queue" list
        self.hops: dict[str, int] = {name: level for name, level in saved.get("queue") or [[s, 0] for s in self.args.seeds]}
        self.statuses: dict[str, str] = saved.get("statuses") or {}
        # lists begun and not finished: {name: {"cursor": the next page's, "found": users on the stored pages}}
        self.lists: dict[str, dict[str, Any]] = saved.get("lists") or {}
        self.in_progress: set[str] = set()
        self.cut: set[str] = set()  # lists whose page was lost this run: the next run goes on with them

    def save_state(self) -> None:
        state = {
            "queue": [[name, level] for name, level in self.hops.items()],
            "statuses": self.statuses,
            "lists": self.lists,
            "seeds": self.args.seeds,
            "direction": self.args.direction,
        }
        save_json(self.frontier_path, state)

    def page(self, name: str, level: int, cursor: int | None) -> Any:
        body: dict[str, Any] = {"username": name, "max_count": 100}
        if cursor is not None:
            body["cursor"] = cursor
        return self.post(f"user/{self.args.direction}", body, self.edges, name=name, level=level)

    async def start(self) -> AsyncIterator[Any]:
        self.open_state(self.load_frontier)
        if self.args.plan:  # only the seeds' user info: the API's own counts
            run_context(self.crawler).purpose = "plan"
            field = "follower_count" if self.args.direction == "followers" else "following_count"
            for seed in self.args.seeds:
                yield self.post("user/info", {"username": seed}, self.plan_info, (field,), name=seed, field=field)
            return
        if self.shared is not None:  # the first worker: the seeds, once
            for name in self.shared.seed(self.args.seeds):
                yield self.page(name, 0, None)
            return
        for request in self.next_requests():
            yield request

    def plan_info(self, response: Response, name: str, field: str) -> None:
        user = None
        if self.refusal(response) is None:
            user = next((u for u in parse_any(response.body, Context(subject=name)).items if isinstance(u, User)), None)
        self.plan_count(name, None if user is None else getattr(user, field))

    def plan_count(self, name: str, count: int | None) -> None:
        """A seed's count (None: refused or lost); the plan is printed once every seed has one."""
        self.plan_counts[name] = count
        if len(self.plan_counts) == len(self.args.seeds):
            self.print_plan()

    def print_plan(self) -> None:
        """The seeds' own lists bound the first hop: a page per 100 accounts their counts give (the
        API lists only public ones, so it may be fewer), one request for a refused seed. Deeper hops
        are an estimate: every user as large as the seeds' average."""
        known = [c for c in self.plan_counts.values() if c is not None]
        average = sum(known) / len(known) if known else 0
        first_hop = sum(1 if c is None else max(1, math.ceil(c / PAGE)) for c in self.plan_counts.values())
        users, requests, total = float(len(known)), 0.0, float(len(self.args.seeds))
        for _ in range(self.args.depth):  # users at each hop times the pages of their lists
            requests += users * max(1, math.ceil(average / PAGE))
            users = min(users * average, (self.args.max_users or math.inf) - total)
            total += users
        seeds = ", ".join(f"{n}: {'refused' if c is None else f'{c:,}'}" for n, c in self.plan_counts.items())
        deeper, direction = self.args.depth > 1, self.args.direction
        plan = Plan(
            spider=self.name,
            subject=f"a depth-{self.args.depth} {direction} crawl from {len(self.args.seeds)} seed(s) ({seeds} {direction})",
            family="follow",
            low=len(self.args.seeds),
            high=None if deeper else first_hop,
            estimate=max(len(self.args.seeds), round(requests)) if deeper else None,
            why="a page per 100 accounts of each list; the API lists only public accounts, so real lists may be shorter",
            unknown=(f"the lists beyond the seeds; 'about' takes every user to have the seeds' average of {average:,.0f} {direction}",)
            if deeper
            else (),
            sent=len(self.args.seeds),
            sent_for="the seeds' user info",
        )
        print(plan.text(self.today("follow")), flush=True)

    def next_requests(self) -> list[Any]:
        """Users known and not yet asked, within `depth` hops of the seeds, all at once (Scrapy paces
        them); a list begun by an earlier run goes on from its saved cursor. Users found at the last
        hop stay known, unasked: the crawl's frontier.

        A user at hop h waits until every user at hop h-2 or less has been asked: only their lists
        can still find it closer (at h-1 or less), and once its own list is read its users are not
        kept to move them closer too. So a user's hop is final when it is asked. Depth 2 never
        waits (hops 0 and 1 are final as found); a list cut by a lost page holds back the hops two
        beyond its own until the run that reads it."""
        unsettled = [level for name, level in self.hops.items() if level < self.args.depth and name not in self.statuses]
        ready = min(min(unsettled, default=0) + 1, self.args.depth - 1)  # the farthest hop to ask now
        busy = self.in_progress | self.cut
        out = []
        for name, level in self.hops.items():
            if level <= ready and name not in self.statuses and name not in busy:
                self.in_progress.add(name)
                out.append(self.page(name, level, self.lists.get(name, {}).get("cursor")))
        return out

    async def edges(self, response: Response, name: str, level: int) -> AsyncIterator[Any]:
        refusal = self.refusal(response)
        result = None if refusal else parse_any(response.body, Context(source=self.source, subject=name))
        items = list(self.items_from(result, response.url)) if result else []
        more = result is not None and bool(result.more) and result.cursor is not None
        if not more:
            items.append(self.user_status(name, refusal, self.source))
        stored = self.stored(response, items)
        for item in items:
            yield item
        await self.all_stored(stored)
        found = [f.followee if self.args.direction == "following" else f.follower for f in items if isinstance(f, Follow)]
        if self.shared is not None:
            for request in self.shared_next(
                name, level, found, int(result.cursor) if more and result and result.cursor is not None else None, refusal
            ):
                yield request
            return
        entry = self.lists.setdefault(name, {"cursor": None, "found": []})
        entry["found"].extend(found)
        if more:
            assert result is not None and result.cursor is not None
            entry["cursor"] = int(result.cursor)
            self.save_state()
            yield self.page(name, level, entry["cursor"])
            return
        del self.lists[name]
        hop = self.hops.get(name, level) + 1  # the list's own hop as known now, not when it was asked
        for other in entry["found"]:
            if other in self.hops:
                # found closer than before (another seed's list finished later): the shorter path wins
                self.hops[other] = min(self.hops[other], hop)
            elif self.args.max_users is None or len(self.hops) < self.args.max_users:
                self.hops[other] = hop
        self.finish(name, "parsed" if refusal is None else refusal[0])
        for request in self.next_requests():
            yield request

    def shared_next(self, name: str, level: int, found: list[str], cursor: int | None, refusal: tuple[str, str] | None) -> list[Any]:
        """A stored page of a shared crawl: the list's next page, or the users it made known."""
        assert self.shared is not None
        if cursor is not None:
            self.shared.found(name, found)
            return [self.page(name, level, cursor)]
        new = self.shared.finish(name, "parsed" if refusal is None else refusal[0], found, self.args.depth)
        return [self.page(other, hop, None) for other, hop in new]

    def lost(self, request: Request, error: ResearchGaveUp) -> Iterable[Any]:
        name = request.cb_kwargs["name"]
        if self.args.plan:
            self.plan_count(name, None)
            return ()
        if self.shared is not None:
            self.gap(f"@{name}: {self.args.direction} ({error})")
            if error.lost:
                return ()
            self.shared.finish(name, "error", [], self.args.depth)
            return [self.user_status(name, None, self.source, error=str(error))]
        self.in_progress.discard(name)
        cursor = self.lists.get(name, {}).get("cursor")
        self.gap(f"@{name}: {self.args.direction}" + (f" after cursor {cursor}" if cursor is not None else "") + f" ({error})")
        out: list[Any] = []
        if error.lost:
            self.cut.add(name)  # not asked again this run; its saved cursor is where the next run goes on
        else:
            out.append(self.user_status(name, None, self.source, error=str(error)))
            self.lists.pop(name, None)
            self.finish(name, "error")
        return out + self.next_requests()

    def finish(self, name: str, status: str) -> None:
        self.statuses[name] = status
        self.in_progress.discard(name)
        self.save_state()

    def closed(self, reason: str) -> None:
        if self.shared is not None:
            counts = self.shared.counts()  # none once the last worker has ended the crawl
            if counts["known"]:
                self.logger.info("network (shared through Redis): %d users known, %d asked so far", counts["known"], counts["asked"])
            return
        if hasattr(self, "frontier_path") and not self.args.plan:
            self.save_state()
            asked = sum(1 for n in self.hops if n in self.statuses)
            left = [n for n, level in self.hops.items() if n not in self.statuses and level < self.args.depth]
            frontier = sum(1 for level in self.hops.values() if level >= self.args.depth)
            unreported = [n for n in left if n not in self.cut]  # a cut list has its gap already
            if reason == "finished" and unreported:  # nothing left to do, yet users within depth unasked
                self.gap(f"{len(unreported)} user(s) within {self.args.depth - 1} hop(s) of the seeds known but not asked")
            self.logger.info(
                "network: %d users known: %d asked, %d still to ask%s, %d found at hop %d (beyond -a depth, not asked)",
                len(self.hops),
                asked,
                len(left),
                " (run the same command to go on)" if left else "",
                frontier,
                self.args.depth,
            )


def frontier_shape(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("queue"), list)
        and all(isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) and isinstance(e[1], int) for e in data["queue"])
        and isinstance(data.get("statuses"), dict)
        and isinstance(data.get("lists", {}), dict)
        and all(isinstance(e, dict) and isinstance(e.get("found"), list) for e in data.get("lists", {}).values())
    )
