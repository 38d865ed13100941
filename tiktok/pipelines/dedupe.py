"""Deduplicate by (type, key): comments, follows, hashtags and sounds once across runs; users, and
the totals of a hashtag or sound (totals.jsonl), once per run; videos once per run and source (their
observations over time, and per list, are the data). The key is only reserved here:
the write pipeline marks it stored after a successful write, so a crash or a full disk in between
never marks unstored data as seen. Duplicates are counted in `dedupe/dropped/<type>`.

Settings: TIKTOK_DEDUPE_ENABLED (default True).
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem, NotConfigured

from tiktok.run.context import RunContext, run_context
from tiktok.schema.items import Totals, User, Video


class Duplicate(DropItem):
    """An item whose key is stored or on its way: the write pipeline keeps its reservation."""


class DedupePipeline:
    def __init__(self, context: RunContext, stats: Any) -> None:
        self.context, self.store, self.stats = context, context.store, stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        if not crawler.settings.getbool("TIKTOK_DEDUPE_ENABLED", True):
            raise NotConfigured
        return cls(run_context(crawler), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Video | User | Totals) and item.run_id is None:
            item.run_id = self.context.run_id
        if self.store.reserve(item):
            return item
        self.stats.inc_value(f"dedupe/dropped/{type(item).__name__.lower()}")
        raise Duplicate(f"{type(item).__name__} already stored", log_level="DEBUG")
