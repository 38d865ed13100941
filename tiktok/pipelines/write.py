"""Write: each item appended to DATA_DIR/<type>.jsonl as one flushed line (see storage/jsonl.py).

Why not Scrapy's FEEDS: feed exporters buffer and finish files at the end of a crawl, so a kill -9
loses or cuts what was buffered; here every line is in the file once the item passes. A full disk
stops the crawl with a clear message, the file cut back to its last whole line.

Settings: DATA_DIR (default data/).
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from tiktok.pipelines.dedupe import Duplicate
from tiktok.run.context import run_context
from tiktok.storage.store import DataStore

logger = logging.getLogger(__name__)


class WritePipeline:
    def __init__(self, store: DataStore, crawler: Any) -> None:
        self.store, self.crawler = store, crawler
        self.count_stored = crawler.stats.inc_value  # bound once: Scrapy's stats wrap every attribute access
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> WritePipeline:
        pipeline = cls(run_context(crawler).store, crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        self.store.open()
        for note in self.store.repairs:
            self.crawler.stats.inc_value("write/repaired_files")
            logger.warning("repaired on start: %s", note)

    def close_spider(self) -> None:
        self.store.close()

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any) -> None:
        if not isinstance(exception, Duplicate):
            self.store.release(item)  # a dropped item was not stored: it may come again

    def process_item(self, item: Any) -> Any:
        if self.stopping:
            raise DropItem("not written: the crawl is stopping after a write error")
        try:
            name = self.store.write(item)
        except OSError as exc:
            self.stopping = True
            self.store.release(item)
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            what = "the disk is full" if full else f"cannot write ({exc.strerror})"
            logger.error(
                "%s under %s: the crawl stops; files are whole up to the last item written. Free space and run again.",
                what,
                self.store.dir,
            )
            self.crawler.stats.set_value("write/error", exc.strerror)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk_full" if full else "write_error"))
            raise DropItem(f"not written: {what}") from exc
        self.count_stored(f"stored/{name}")
        return item
