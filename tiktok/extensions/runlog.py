"""The run's context, its lock and its record in DATA_DIR/runs.jsonl (issues #11 and #13).

When the crawler is made, this extension takes the data directory's lock (one writer per
directory: a second run is refused with one line naming the holder) and makes the run context that
pipelines and spiders reach with `run_context(crawler)`. When the spider opens it gives the run its
id (with JOBDIR the id is kept in the job's state, so a paused and resumed crawl stays one run) and
appends a `started` line; when it closes it decides the verdict (tiktok/run/verdict.py), logs it in
one line, keeps it in the stats (`run/verdict`, which the crawl command turns into the exit code)
and appends the `ended` line: arguments (secrets redacted), items stored, rejected and duplicate
items, errors by kind, the Research API quota spent (which rebuilds a damaged quota ledger), what
is missing and the command that fills it.

With TIKTOK_REDIS_URL set (issue 14) the run is one worker of a shared crawl: it writes and locks
its own shard DATA_DIR/<worker id>/, reserves and commits item keys in Redis, and takes the crawl's
run id from Redis, so every worker's rows belong to one run. `python -m tiktok enqueue` runs no
extension: it writes nothing.

A resumable spider (TIKTOK_RESUMABLE) started again with the command of a run that did not end
complete continues that run (tiktok/run/unfinished.py).

Settings: DATA_DIR, TIKTOK_SPIDER_ARGUMENTS (the -a values as given; set by the spider),
TIKTOK_RESUMABLE, TIKTOK_START_OVER (-a reset=1: a new run, which later runs of the command continue),
TIKTOK_REDIS_URL, TIKTOK_WORKER_ID, TIKTOK_RESERVATION_TTL, TIKTOK_SCALE_ENQUEUE_ONLY.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from tiktok.run.context import RunContext
from tiktok.run.lock import DataDirLock, usable_data_dir
from tiktok.run.unfinished import UnfinishedRuns, command_of
from tiktok.run.verdict import exit_code, stats_gaps, verdict_of
from tiktok.scale.config import redis_url
from tiktok.storage.store import DataStore

logger = logging.getLogger(__name__)

SECRET_NAME = re.compile(r"secret|token|password|passwd|api_?key|client_?key|credential", re.I)
ERROR_STATS = (
    "log_count/ERROR",
    "downloader/exception_type_count/",
    "spider_exceptions/",
    "parse/missing/",
    "write/error",
    "retry/max_reached",
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def redact(arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments fit to store: values of secret-looking names, or equal to a secret in the
    environment, are replaced."""
    env_secrets = {v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= 4}
    return {k: "[redacted]" if SECRET_NAME.search(k) or str(v) in env_secrets else v for k, v in arguments.items()}


class RunLog:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        if settings.getbool("TIKTOK_SCALE_ENQUEUE_ONLY"):
            raise NotConfigured
        data_dir = usable_data_dir(settings.get("DATA_DIR", "data"))
        shared = None
        url = redis_url(settings)
        if url is not None:  # one worker of a crawl in Redis: its own shard, keys shared
            from tiktok.scale import config
            from tiktok.scale.seen import RedisSeen

            worker = config.worker_id(settings)
            data_dir = usable_data_dir(str(data_dir / worker))
            shared = RedisSeen(config.connect(url), worker, config.reservation_ttl(settings))
        name = crawler.spidercls.name
        self.context = RunContext(
            spider=name,
            data_dir=data_dir,
            store=DataStore(data_dir, shared),
            arguments=dict(settings.getdict("TIKTOK_SPIDER_ARGUMENTS")),
            started_at=now(),
        )
        self.lock = DataDirLock(data_dir)
        self.lock.acquire({"spider": name, "started_at": self.context.started_at})

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunLog:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def record(self) -> dict[str, Any]:
        ctx = self.context
        return {
            "run_id": ctx.run_id,
            "spider": ctx.spider,
            "purpose": ctx.purpose,
            "arguments": redact(ctx.arguments),
            "started_at": ctx.started_at,
        }

    def unfinished(self) -> UnfinishedRuns | None:
        """The unfinished runs of this data directory, for a resumable spider on one machine (a
        shared crawl takes its run id from Redis)."""
        settings = self.crawler.settings
        if not settings.getbool("TIKTOK_RESUMABLE") or redis_url(settings) is not None:
            return None
        return UnfinishedRuns(self.context.data_dir / "state")

    @property
    def command(self) -> str:
        return command_of(self.context.spider, self.context.arguments)

    def spider_opened(self, spider: Any) -> None:
        state = getattr(spider, "state", None)  # set by Scrapy's SpiderState when JOBDIR is set
        run_id = state.get("run_id") if isinstance(state, dict) else None
        resumed = bool(run_id)
        if redis_url(self.crawler.settings) is not None:
            from tiktok.scale.worker import worker_of

            run_id = worker_of(self.crawler).run_id  # the crawl's, shared by its workers
        unfinished = self.unfinished()
        if not run_id and unfinished is not None and not self.crawler.settings.getbool("TIKTOK_START_OVER"):
            run_id = unfinished.run_of(self.command)  # the same command after a kill, a stop or the quota
            resumed = bool(run_id)
        if not run_id:
            run_id = f"{spider.name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"
            if isinstance(state, dict):
                state["run_id"] = run_id
            if unfinished is not None:
                unfinished.started(self.command, run_id)
        self.context.run_id = run_id
        started = {"event": "started", **self.record(), "pid": os.getpid(), "host": socket.gethostname()}
        self.append({**started, "resumed": True} if resumed else started)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        ctx = self.context
        missing = [*ctx.gaps, *stats_gaps(stats)]
        verdict = verdict_of(reason, missing)
        fill = ctx.fill_command(redact(ctx.arguments)) if verdict in ("partial", "stopped") else None
        self.crawler.stats.set_value("run/verdict", verdict)
        if verdict == "complete" and (unfinished := self.unfinished()) is not None:
            unfinished.ended_complete(self.command)

        def with_prefix(prefix: str) -> dict[str, Any]:
            return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        ctx.ended = {
            "event": "ended",
            **self.record(),
            "finished_at": now(),
            "items": with_prefix("stored/"),
            "rejected": with_prefix("validate/rejected/"),
            "duplicates": with_prefix("dedupe/dropped/"),
            "errors": {k: v for k, v in sorted(stats.items()) if k.startswith(ERROR_STATS)},
            "research_quota": with_prefix("research/quota/"),  # requests and records spent, per family
            "finish_reason": reason,
            "verdict": verdict,
            "missing": missing,
            "fill": fill,
        }
        self.append(ctx.ended)
        self.log_verdict(verdict, reason, missing, fill)

    def log_verdict(self, verdict: str, reason: str, missing: list[str], fill: str | None) -> None:
        """Into the log file, at INFO: the terminal gets the verdict from the run's summary
        (tiktok/extensions/summary.py), so it is not said twice there."""
        code = exit_code(verdict, reason)
        if verdict == "complete":
            logger.info("Verdict: complete (exit 0): everything the run set out to collect is stored")
            return
        lines = [f"Verdict: {verdict} (exit {code}): {reason}"]
        lines += [f"  missing: {m}" for m in missing]
        if fill:
            lines.append(f"  to fill the gaps, run: {fill}")
        logger.info("\n".join(lines))

    def engine_stopped(self) -> None:
        self.lock.release()

    def append(self, record: dict[str, Any]) -> None:
        try:
            self.context.store.append_run(record)
        except OSError as exc:  # a full disk: the verdict still reaches the exit code and the log
            logger.error("could not append to %s/runs.jsonl (%s)", self.context.data_dir, exc.strerror)
