"""One progress line a minute on stderr while a run is long, when stderr is a terminal (issue #16,
part 7): answers done, requests queued and the time they take at the last interval's pace, and
what is stored so far. Nothing when stderr is a file or a pipe (cron, tests, `2>log`): Scrapy's
own per-minute LogStats line is in the log file.

The estimate covers what is queued now; a list page read later can queue more, which the next
line counts. Written by hand rather than with tqdm: a bar needs a total, and a crawl does not know
its total until it has read the lists.

Settings: TIKTOK_PROGRESS_INTERVAL (seconds between lines, default 60).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from tiktok.run.summary import counted


def progress_line(spider: str, elapsed: float, stats: Mapping[str, Any], answers_before: int, interval: float) -> str:
    """`hashtag, 3 min: 340 answers, 120 queued (about 1 min at 150 a minute); stored 2,100 videos`."""
    answers = int(stats.get("response_received_count", 0))
    queued = int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0))
    per_minute = (answers - answers_before) * 60 / interval
    if not queued:
        left = "nothing queued"
    elif per_minute:
        minutes = queued / per_minute
        time_left = f"about {minutes:.0f} min" if minutes >= 1 else "under a minute"
        left = f"{queued:,} queued ({time_left} at {per_minute:,.0f} a minute)"
    else:
        left = f"{queued:,} queued (no answer in the last {interval:.0f} s)"
    stored = {k.removeprefix("stored/"): int(v) for k, v in stats.items() if k.startswith("stored/") and v}
    return f"{spider}, {elapsed / 60:.0f} min: {answers:,} answers, {left}; stored {counted(stored) or 'nothing yet'}"


class Progress:
    def __init__(self, crawler: Any, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = crawler.settings.getfloat("TIKTOK_PROGRESS_INTERVAL", 60.0)
        self.started = time.monotonic()
        self.answers_before = 0
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, stream: TextIO | None = None) -> Progress:
        stream = stream or sys.stderr
        if not stream.isatty():
            raise NotConfigured
        ext = cls(crawler, stream)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def tick(self) -> None:
        stats = self.crawler.stats.get_stats()
        elapsed = time.monotonic() - self.started
        print(progress_line(self.crawler.spidercls.name, elapsed, stats, self.answers_before, self.interval), file=self.stream, flush=True)
        self.answers_before = int(stats.get("response_received_count", 0))

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
