"""What the Research API spiders share: POST requests marked `research`, which the token
middleware authorises and the Research API middleware sorts (tiktok/middlewares/research.py:
retries, quota, refusals), so callbacks see only good answers and per-user refusals; an errback
for what the middleware gave up on; and progress saved only once a page's items are stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.middlewares.research import REFUSAL
from tiktok.research.answers import ResearchGaveUp
from tiktok.research.ledger import open_ledger
from tiktok.research.state import CorruptState
from tiktok.run.context import run_context
from tiktok.scale.config import redis_url, worker_id
from tiktok.schema.items import Item, UserStatus
from tiktok.spiders.base import TikTokSpider

STORED_WAIT = 120.0  # seconds a page waits for its items to be stored before its progress is saved anyway


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ResearchSpider(TikTokSpider):
    # An API, not a web site; and resumable: progress is saved after every page, so the same command
    # after a kill continues the same run (tiktok/run/unfinished.py).
    custom_settings = {"ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0.2, "TIKTOK_RESUMABLE": True}  # noqa: RUF012

    @property
    def api(self) -> str:
        return str(self.settings["TIKTOK_API_URL"]).rstrip("/")

    @property
    def state_dir(self) -> Path:
        """DATA_DIR/state/; a worker of a crawl shared through Redis keeps it in its own shard."""
        data_dir = Path(self.settings.get("DATA_DIR", "data"))
        if redis_url(self.settings) is not None:
            data_dir = data_dir / worker_id(self.settings)
        return data_dir / "state"

    @property
    def reset_state(self) -> bool:
        """-a reset=1: the saved progress is moved aside and the crawl starts over."""
        return bool(getattr(getattr(self, "args", None), "reset", False))

    def today(self, family: str) -> dict[str, int]:
        """Today's quota use so far, for plans (the middleware keeps the ledger)."""
        return open_ledger(self.settings).today(family)

    def post(self, endpoint: str, body: dict[str, Any], callback: Any, fields: tuple[str, ...] = (), **cb_kwargs: Any) -> scrapy.Request:
        query = f"?fields={','.join(fields)}" if fields else ""
        return scrapy.Request(
            f"{self.api}/v2/research/{endpoint}/{query}",
            method="POST",
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
            callback=callback,
            errback=self.failed,
            cb_kwargs=cb_kwargs,
            dont_filter=True,
            # dont_retry keeps Scrapy's RetryMiddleware out: the Research API middleware retries
            meta={"research": True, "dont_retry": True, "handle_httpstatus_all": True},
        )

    def open_state(self, load: Callable[[], None]) -> None:
        """Loads the saved progress with `load()`; a file that cannot be read stops the run in one line."""
        try:
            load()
        except CorruptState as exc:
            self.logger.error("%s", exc)
            raise CloseSpider(f"failed: {exc}") from None

    @staticmethod
    def refusal(response: Response) -> tuple[str, str] | None:
        """(refused | not_found, the API's message) when the API will not give this user."""
        value = response.meta.get(REFUSAL)
        return (str(value[0]), str(value[1])) if value else None

    def failed(self, failure: Failure) -> Iterable[Any]:
        """Errback: what the middleware gave up on goes to `lost`; a request cut by the daily quota
        is the next run's (progress is saved before its page), and a refused token stopped the crawl."""
        if isinstance(failure.value, ResearchGaveUp):
            return self.lost(failure.request, failure.value)  # type: ignore[attr-defined]
        return ()

    def lost(self, request: scrapy.Request, error: ResearchGaveUp) -> Iterable[Any]:
        """Overridable: name what is missing (a gap) and carry on. The default names the request."""
        self.gap(f"{request.url.split('?')[0]}: not collected ({error})")
        return ()

    def gap(self, what: str) -> None:
        self.logger.error("not collected: %s", what)
        run_context(self.crawler).gap(what)

    def stored(self, response: Response, items: list[Item]) -> asyncio.Future[None]:
        """A future done once `items` (from `response`) have left the item pipelines, stored or
        dropped. Scrapy's scraper runs a callback ahead of its items' pipelines, so a callback awaits
        this before it saves its progress: a kill -9 then never leaves progress past unstored items."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not items:
            future.set_result(None)
            return future
        if not hasattr(self, "_pages"):
            self._pages: dict[Response, list[Any]] = {}
            for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
                self.crawler.signals.connect(self._item_left, signal=signal)
        self._pages[response] = [len(items), future]
        return future

    async def all_stored(self, page: asyncio.Future[None]) -> None:
        try:
            await asyncio.wait_for(page, STORED_WAIT)
        except TimeoutError:
            self.logger.warning("a page's items were not stored within %.0f s; its progress is saved anyway", STORED_WAIT)

    def _item_left(self, response: Any = None, **_: Any) -> None:
        entry = self._pages.get(response)
        if entry is not None:
            entry[0] -= 1
            if entry[0] <= 0:
                del self._pages[response]
                if not entry[1].done():
                    entry[1].set_result(None)

    def user_status(self, username: str, refusal: tuple[str, str] | None, source: str, error: str | None = None) -> UserStatus:
        """parsed; refused or not_found with the API's message; error when the API refused the request itself."""
        status, reason = refusal or (("error", error) if error else ("parsed", None))
        self.crawler.stats.inc_value(f"research/users/{status}")
        return UserStatus(username=username, status=status, reason=reason, observed_at=now(), source=source)
