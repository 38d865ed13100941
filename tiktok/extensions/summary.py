"""Prints the run's summary on stderr when the engine has stopped (issue #16, part 7): the block
tiktok/run/summary.py makes from the run's `ended` record, after everything else the run says.

A spider's closing lines (the hashtag and feed coverage, import's files, the research windows done)
have one home: what the spider logs from its `closed()`. This extension collects those log records
(by the function that logged them, not by their text) and repeats them in the summary, so they
reach the terminal even though INFO lines go only to the log file. stderr, not stdout: stdout may
carry a feed (`-o -`) or a plan.

Settings: LOG_FILE (the full log named in the summary), TIKTOK_SCALE_ENQUEUE_ONLY (no run, no summary).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from tiktok.run.context import run_context
from tiktok.run.summary import summary_lines


class ClosingLines(logging.Handler):
    """Keeps the INFO-or-higher messages a spider logs from its `closed()` method, through its own
    logger (named after the spider) or its module's (tiktok.spiders.*)."""

    def __init__(self, spider: str) -> None:
        super().__init__(logging.INFO)
        self.spider = spider
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.funcName == "closed" and (record.name == self.spider or record.name.startswith("tiktok.spiders")):
            self.lines.append(record.getMessage())


class RunSummary:
    def __init__(self, crawler: Any) -> None:
        if crawler.settings.getbool("TIKTOK_SCALE_ENQUEUE_ONLY"):
            raise NotConfigured
        self.crawler = crawler
        self.closing = ClosingLines(crawler.spidercls.name)
        logging.getLogger().addHandler(self.closing)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        logging.getLogger().removeHandler(self.closing)
        context = run_context(self.crawler)
        if context.ended is None:  # the spider never opened: Scrapy's own error says why
            return
        log_file = self.crawler.settings.get("LOG_FILE")
        lines = summary_lines(context.ended, Path(context.data_dir), str(log_file) if log_file else None, self.closing.lines)
        print("\n".join(lines), file=sys.stderr, flush=True)
