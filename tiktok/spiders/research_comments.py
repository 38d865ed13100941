"""`scrapy crawl research_comments -a video_ids=1,2|-a from=data/videos.jsonl [-a plan=1]`

Every comment of each video the Research API gives (it stops at 1,000 per video), and the
replies of each comment that has any, through `comment_id`. Where each video's comments and each
reply thread stand is saved after every stored page (DATA_DIR/state/research-comments-<ids>.json),
so the same command after a kill or the daily quota asks only for what is not stored (issue #13);
a page lost after the middleware's retries is a gap, which the same command fills. `-a reset=1`
starts over. `-a plan=1` asks only the videos' comment counts (video queries by id, 100 a request)
and prints the requests they mean (tiktok/research/plan.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from pydantic import Field
from scrapy.http import Request, Response

from tiktok.parsing import Context, parse_any
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.plan import Plan, comment_requests, count_queries, count_query_body
from tiktok.research.state import Progress
from tiktok.run.context import run_context
from tiktok.schema.fields import research_names
from tiktok.schema.items import Comment, Video
from tiktok.spiders.params import Args, FilePath, ListOrFile, PlanParam, ResumableParam, VideoIds, fail
from tiktok.spiders.research import ResearchSpider
from tiktok.storage.jsonl import read_jsonl

COMMENT_FIELDS = research_names(Comment)
API_CAP = 1000  # the API's own limit of comments per video (§3.3)


class ResearchCommentsParams(ListOrFile, PlanParam, ResumableParam):
    target, sources = "video_ids", ("video_ids", "from")
    video_ids: VideoIds = Field(default_factory=list, description="video ids, comma-separated (or -a from)")
    from_: FilePath = Field(None, alias="from", description="a videos.jsonl a crawl wrote: the comments of every video in it")

    @classmethod
    def from_file(cls, name: str, path: str) -> list[str]:
        if not Path(path).is_file():
            fail(f"-a {name}={path}: no such file")
        ids = [str(r["id"]) for r in read_jsonl(Path(path)) if r.get("id")]
        if not ids:
            fail(f"-a {name}={path}: no video ids in it; give a videos.jsonl a crawl wrote")
        return list(dict.fromkeys(ids))


class ResearchCommentsSpider(Args[ResearchCommentsParams], ResearchSpider):
    name = "research_comments"

    def load_progress(self) -> None:
        label = hashlib.sha1(",".join(sorted(self.args.video_ids)).encode()).hexdigest()[:10]
        self.progress = Progress(self.state_dir / f"research-comments-{label}.json", {"cursor": 0}, self.reset_state)

    def page(self, target: dict[str, int], cursor: int) -> Any:
        return self.post("video/comment/list", {**target, "max_count": 100, "cursor": cursor}, self.comments, COMMENT_FIELDS, target=target)

    async def start(self) -> AsyncIterator[Any]:
        self.open_state(self.load_progress)
        if self.args.plan:
            for request in self.plan_requests():
                yield request
            return
        for vid in self.args.video_ids:
            self.progress.get(key({"video_id": int(vid)}))
        for name, step in list(self.progress.steps.items()):  # the videos, then reply threads saved unfinished
            if not step["done"]:
                yield self.page(target_of(name), int(step["cursor"]))

    async def comments(self, response: Response, target: dict[str, int]) -> AsyncIterator[Any]:
        result = parse_any(response.body, Context(source=self.name))
        items = list(self.items_from(result, response.url))
        stored = self.stored(response, items)
        for item in items:
            yield item
        await self.all_stored(stored)
        threads = [{"comment_id": int(c.id)} for c in items if "video_id" in target and isinstance(c, Comment) and c.reply_count]
        new_threads = [t for t in threads if self.progress.add(key(t))]  # a page seen before (in flight at a kill) adds none
        cursor = int(result.cursor or 0)
        more = result.more and not ("video_id" in target and cursor >= API_CAP)
        step = self.progress.get(key(target))
        if more:
            step["cursor"] = cursor
        else:
            step["done"] = True
        self.progress.save()
        if more:
            yield self.page(target, cursor)
        for thread in new_threads:
            yield self.page(thread, 0)

    # ----------------------------------------------------------------- -a plan=1
    def plan_requests(self) -> list[Any]:
        """The video queries that give the pending videos' comment counts; the plan is printed when
        the last answers (at once when none is needed)."""
        run_context(self.crawler).purpose = "plan"
        done = {name for name, step in self.progress.steps.items() if step["done"]}
        self.pending = [v for v in self.args.video_ids if key({"video_id": int(v)}) not in done]
        self.counts: dict[str, int] = {}
        self.plan_sent, self.open_queries = 0, 0
        requests = [self.count_query(window, ids) for window, ids in count_queries(self.pending)]
        if not requests:
            self.print_plan()
        return requests

    def count_query(self, window: Any, ids: list[str], cursor: int = 0, search_id: str | None = None) -> Any:
        self.plan_sent += 1
        self.open_queries += 1
        body = count_query_body(window, ids, cursor, search_id)
        return self.post("video/query", body, self.plan_counts, ("id", "comment_count"), window=window, ids=ids)

    def plan_counts(self, response: Response, window: Any, ids: list[str]) -> Iterable[Any]:
        result = parse_any(response.body, Context(source=self.name))
        self.counts.update({v.id: v.comment_count for v in result.items if isinstance(v, Video) and v.comment_count is not None})
        more = [self.count_query(window, ids, int(result.cursor or 0), result.search_id)] if result.more else []
        self.query_answered()
        return more

    def query_answered(self) -> None:
        self.open_queries -= 1
        if self.open_queries == 0:
            self.print_plan()

    def print_plan(self) -> None:
        known = [self.counts[v] for v in self.pending if v in self.counts]
        unknown = len(self.pending) - len(known)
        bounds = [comment_requests(c, API_CAP) for c in known]
        notes = (
            f"{unknown} video(s) the API gave no count for (deleted, private, or posted in the last 48 h):"
            " at least 1 request each, and no upper bound",
        )
        done = len(self.args.video_ids) - len(self.pending)
        plan = Plan(
            spider=self.name,
            subject=f"{len(self.pending)} video(s) with {sum(known):,} comments and replies by the API's counts"
            + (f"; {done} done by an earlier run" if done else ""),
            family="research",
            low=sum(low for low, _ in bounds) + unknown,
            high=None if unknown else sum(high for _, high in bounds),
            why="a page per 100 comments or replies; each comment with replies is one more request, which the counts do not tell",
            records=sum(known),
            unknown=notes if unknown else (),
            sent=self.plan_sent,
            sent_for="video queries for the comment counts",
        )
        print(plan.text(self.today("research")), flush=True)

    def lost(self, request: Request, error: ResearchGaveUp) -> Iterable[Any]:
        if self.args.plan:  # its videos stay without a count: the plan says so
            self.query_answered()
            return ()
        target = request.cb_kwargs["target"]
        what = f"video {target['video_id']}: comments" if "video_id" in target else f"comment {target['comment_id']}: replies"
        self.gap(f"{what} from cursor {self.progress.get(key(target))['cursor']} on ({error})")
        return ()

    def closed(self, reason: str) -> None:
        if hasattr(self, "progress") and not self.args.plan:
            self.progress.save()


def key(target: dict[str, int]) -> str:
    return f"video:{target['video_id']}" if "video_id" in target else f"replies:{target['comment_id']}"


def target_of(name: str) -> dict[str, int]:
    kind, _, number = name.partition(":")
    return {"video_id" if kind == "video" else "comment_id": int(number)}
