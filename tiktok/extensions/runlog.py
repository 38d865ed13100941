"""One line per run in DATA_DIR/runs.jsonl: spider, arguments (secrets redacted), start and end,
items stored per type, rejected and duplicate items, errors by kind, and how the run ended.

It also gives each run its id (`spider.run_id`, which videos carry). With JOBDIR the id is kept in
the job's state, so a paused and resumed crawl stays one run.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from scrapy import signals

from tiktok.pipelines import store_for

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
        self.started = now()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunLog:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        state = getattr(spider, "state", None)  # set by Scrapy's SpiderState when JOBDIR is set
        run_id = state.get("run_id") if isinstance(state, dict) else None
        if not run_id:
            run_id = f"{spider.name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"
            if isinstance(state, dict):
                state["run_id"] = run_id
        spider.run_id = run_id

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()

        def with_prefix(prefix: str) -> dict[str, Any]:
            return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        errors = {k: v for k, v in sorted(stats.items()) if k.startswith(ERROR_STATS)}
        store_for(self.crawler).append_run(
            {
                "run_id": getattr(spider, "run_id", None),
                "spider": spider.name,
                "arguments": redact(getattr(spider, "run_arguments", {})),
                "started_at": self.started,
                "finished_at": now(),
                "items": with_prefix("stored/"),
                "rejected": with_prefix("validate/rejected/"),
                "duplicates": with_prefix("dedupe/dropped/"),
                "errors": errors,
                "finish_reason": reason,
            }
        )
