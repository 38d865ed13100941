"""A worker of a crawl shared through Redis: the extension that joins the crawl and keeps the
worker alive, scrapy-redis's scheduler and queue taught to file what they hand out, and the spider
middleware that pushes seeds once and names the collector of every item.

How a worker behaves (issue 14):
- The first worker with arguments starts the crawl: its arguments and run id go to Redis, its
  seeds onto the queue. A worker with the same arguments, or none (`python -m tiktok work SPIDER`),
  joins: it pushes no seeds and crawls what the queue holds.
- An idle worker waits while anything is left anywhere: the queue, a worker still pushing seeds,
  or the requests other live workers have taken (they may yield more). The last to find nothing
  left ends the crawl in Redis.
- Each worker beats every TIKTOK_WORKER_TTL/3 s (at most 1 s); a worker silent for
  TIKTOK_WORKER_TTL s is dead and the next idle worker puts its in-flight requests back on the queue.
- A crawl whose record vanished from Redis (emptied, or restarted without persistence) is noticed
  at the next beat: the worker records the gap and stops (verdict partial), rather than walk again
  what the crawl had collected.
- A worker holding a request marked EXCLUSIVE (a For-You persona's visit) takes nothing else from
  the queue until it is done: one persona, one browser, at a time per worker. The signal
  REQUEST_TAKEN(request) lets a spider complete a request taken off the queue with what depends on
  the machine (a persona's profile folder).

Settings: TIKTOK_SCALE_ENQUEUE_ONLY (push the seeds and stop: `python -m tiktok enqueue`), and
those of config.py.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.queue import PriorityQueue  # type: ignore[import-untyped]

from tiktok.run.context import RunRefused, run_context
from tiktok.scale import config
from tiktok.scale.frontier import EXCLUSIVE, REQUEUE, Frontier, canonical

logger = logging.getLogger(__name__)
REQUEST_TAKEN = object()  # a Scrapy signal: a request was taken off the shared queue by this worker (arg: request)

COUNTED = ("stored/", "validate/rejected/", "dedupe/dropped/", "log_count/ERROR", "spider_exceptions/", "retry/max_reached")


def new_run_id(spider: str) -> str:
    """The format RunLog gives a single-machine run (tiktok/extensions/runlog.py)."""
    return f"{spider}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"


class Worker:
    """This process's part in the crawl: its claim, heartbeat, in-flight requests and waiting."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        url = config.redis_url(settings)
        if url is None:
            raise NotConfigured
        self.crawler = crawler
        self.spider = crawler.spidercls.name
        self.url = config.shown_url(url)
        self.id = config.worker_id(settings)
        self.ttl = config.worker_ttl(settings)
        self.enqueue_only = settings.getbool("TIKTOK_SCALE_ENQUEUE_ONLY")
        self.frontier = Frontier(config.connect(url), self.spider, self.id)
        self.taken: dict[int, Request] = {}  # in-flight number -> the request object the engine holds
        self.lost = False  # the crawl's record vanished from Redis (lost_frontier)
        arguments = dict(settings.getdict("TIKTOK_SPIDER_ARGUMENTS"))
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        role, value = self.frontier.claim(canonical(arguments) if arguments else "", new_run_id(self.spider), started)
        if role == "other":
            raise RunRefused(
                f"Redis at {self.url} holds a crawl of {self.spider} with other arguments ({value}); "
                f"join it with `python -m tiktok work {self.spider}`, or wait until it ends"
            )
        if role == "none":
            raise RunRefused(f"no crawl of {self.spider} in Redis at {self.url}; start one with its arguments (-a ...)")
        self.seeding, self.run_id = role == "seed", value
        self.frontier.enter(self.ttl, {"host": socket.gethostname(), "pid": os.getpid(), "started_at": started})
        self.loop = create_looping_call(self.beat)
        logger.info("worker %s %s the crawl %s (Redis %s)", self.id, "starts" if self.seeding else "joins", self.run_id, self.url)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Worker:
        worker = cls(crawler)
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        return worker

    def spider_opened(self, spider: Any) -> None:
        self.loop.start(min(self.ttl / 3, 1.0), now=True)  # settles finished requests too: status stays current

    def counts(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        return {k: v for k, v in sorted(stats.items()) if k.startswith(COUNTED)}

    def settle(self) -> None:
        """Forgets the requests the engine is done with: their callbacks have run, and what they
        yielded is on the queue. A request the daily quota stopped unsent (meta REQUEUE) is not
        done: it stays filed and goes back on the queue when the worker leaves.

        Why Scrapy's private `engine._slot.inprogress`: the engine keeps a request there from its
        download until its callback's output is handled (scrapy/core/engine.py,
        _start_scheduled_request), and no public signal marks that end. response_received and
        request_left_downloader fire before the callback runs, so a request counted done there
        would let an idle worker end the crawl, or a kill -9 lose the requests its callback was
        about to queue; request_dropped and request_scheduled are about requests entering the
        scheduler, not leaving the engine."""
        slot = getattr(self.crawler.engine, "_slot", None)
        busy = slot.inprogress if slot is not None else set()
        done = [n for n, request in self.taken.items() if request not in busy and not request.meta.get(REQUEUE)]
        for n in done:
            del self.taken[n]
        self.frontier.done(done)

    def holds_exclusive(self) -> bool:
        """Whether this worker holds, unfinished, a request that wants the worker alone (meta
        EXCLUSIVE: a persona's visit keeps the worker's browser until it ends)."""
        if not any(request.meta.get(EXCLUSIVE) for request in self.taken.values()):
            return False
        self.settle()
        return any(request.meta.get(EXCLUSIVE) for request in self.taken.values())

    def beat(self) -> None:
        try:
            self.settle()
            self.frontier.beat(self.ttl, self.counts())
            lost = self.frontier.lost(self.run_id)
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("worker %s: heartbeat to Redis at %s failed (%s)", self.id, self.url, exc)
            return
        if lost and not self.lost:
            # Noticed at once, not when the worker is idle: meanwhile it would walk again, on the
            # emptied Redis, what the crawl had already collected, spending requests (and quota).
            self.lost_frontier()
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="frontier lost"))
        elif not lost:
            self.wake()

    def wake(self) -> None:
        """Has the engine look at the queue now when it holds requests. Scrapy's engine, once it
        found nothing to crawl, looks again only at its own heartbeat, every 5 s
        (ExecutionEngine._SLOT_HEARTBEAT_INTERVAL): requests other workers pushed meanwhile waited
        that long while this worker idled (bench/scale.py, research_network of 126 users: 4 workers
        ran 2.64 x one worker without this, 3.05 x with it). Why the private `_slot.nextcall`: it is
        the engine's own call to look again, and no public one asks for it."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and self.frontier.queued():
            slot.nextcall.schedule()

    def spider_idle(self, spider: Any) -> None:
        """Wait while work is left anywhere; the last worker to find none ends the crawl."""
        if self.enqueue_only:
            return
        self.settle()
        _, requeued, state = self.frontier.pending(finish=True)
        if requeued:
            logger.warning("worker %s: %d in-flight request(s) of dead workers put back on the queue", self.id, requeued)
        if state == "running":
            raise DontCloseSpider
        if state == "finished":
            logger.info("worker %s: nothing left in the crawl %s; it is finished", self.id, self.run_id)
        if state == "none" and self.frontier.finished_run() != self.run_id and not self.lost:
            self.lost_frontier()

    def lost_frontier(self) -> None:
        """The crawl's record vanished from Redis without the crawl ending (Redis restarted without
        persistence, or its keys deleted): what was queued is gone, so the run is not complete."""
        self.lost = True
        what = (
            f"the crawl {self.run_id} in Redis at {self.url} was lost mid-crawl (restarted without persistence?): "
            "requests queued there were never collected"
        )
        logger.error("worker %s: %s", self.id, what)
        run_context(self.crawler).gap(what, fill=f"start the crawl again: python -m tiktok work {self.spider} -a ...")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        self.settle()
        back = self.frontier.leave(self.counts())
        if back:
            logger.warning("worker %s: %d request(s) it had taken went back on the queue for the others", self.id, back)


def worker_of(crawler: Any) -> Worker:
    worker: Worker | None = crawler.get_extension(Worker)
    if worker is None:
        raise RuntimeError("TIKTOK_REDIS_URL is set but the scale Worker extension is not enabled (tiktok.scale.addon)")
    return worker


class TrackedQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis has no type hints
    """scrapy-redis's priority queue, whose pop also files the request as this worker's."""

    def __len__(self) -> int:
        if worker_of(self.spider.crawler).enqueue_only:
            return 0  # enqueue: the queue is the workers'; this process ends once its seeds are in
        return int(super().__len__())

    def pop(self, timeout: int = 0) -> Request | None:
        worker = worker_of(self.spider.crawler)
        if worker.enqueue_only:
            return None  # enqueue: the seeds stay on the queue for the workers
        if worker.holds_exclusive():
            return None  # one persona at a time: the rest of the queue is for the other workers
        found = worker.frontier.pop()
        if found is None:
            return None
        number, data = found
        request: Request = self._decode_request(data)
        # what depends on the machine that takes it (foryou: a persona's profile folder)
        self.spider.crawler.signals.send_catch_log(signal=REQUEST_TAKEN, request=request)
        worker.taken[number] = request
        return request


class WorkerMiddleware(BaseSpiderMiddleware):
    """Seeds from the first worker only, and every item named with the worker that collected it."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> WorkerMiddleware:
        mw = cls(crawler)
        mw.worker = worker_of(crawler)
        return mw

    worker: Worker

    async def process_start(self, start: Any) -> Any:
        if not self.worker.seeding:
            return  # joining: the seeds are on the queue already (a joiner's own would be duplicates)
        async for request in start:
            yield request
        self.worker.frontier.seeded()

    def get_processed_item(self, item: Any, response: Any) -> Any:
        if hasattr(item, "collector") and item.collector is None:
            item.collector = self.worker.id
        return item
