"""Spider middleware: every observation carries the time it was made.

TikTok's JSON answers carry their own time (`extra.now`, the Research API's log_id) and the
parsers use it; pages do not, so items parsed from a page get the time the server sent it (its
HTTP Date header), else the crawler's clock. Without it a profile seen every hour would have no
time to order its follower counts by."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware


def response_time(response: Response | None) -> str:
    """The server's time of a response (ISO 8601 UTC, whole seconds), else now."""
    when = datetime.now(UTC)
    header = response.headers.get("Date") if response is not None else None
    if header:
        with contextlib.suppress(TypeError, ValueError):
            when = parsedate_to_datetime(header.decode("latin-1")).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class ObservedTimeMiddleware(BaseSpiderMiddleware):
    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if getattr(item, "scraped_at", "") is None:
            item.scraped_at = response_time(response)
        return item
