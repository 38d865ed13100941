"""What every spider shares: its typed arguments (tiktok/spiders/params.py) and the settings made from
them, and turning a ParseResult into items with the drift alarm and the reasons logged and counted
in stats."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from pydantic import ValidationError
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from tiktok.parsing import ParseResult
from tiktok.run.context import run_context
from tiktok.schema.items import Item
from tiktok.spiders.params import ArgumentError, VideosParam, one_line

logger = logging.getLogger(__name__)


CAPTCHA_MARKERS = ("captcha-verify-container", "captcha_verify_container", "verify to continue")


def is_captcha(html: str) -> bool:
    """TikTok's captcha interstitial instead of the page asked for."""
    lowered = html[:20000].lower()
    return any(marker in lowered for marker in CAPTCHA_MARKERS)


class TikTokSpider(scrapy.Spider):
    """Base of the project's spiders. Each declares its -a arguments once, as
    `class XSpider(Args[XParams], TikTokSpider)`, and reads them parsed from `self.args`."""

    run_id: str | None = None  # set when the spider opens (extensions/runlog.py)
    captcha_failures = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The -a values live in `self.args` (parsed by Args); none becomes an attribute, so none can
        # replace a method or the name (`-a start=...` did, issue 11).
        super().__init__()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> TikTokSpider:
        """Parses the arguments once (ArgumentError, one line, when wrong), and makes the ones
        components need into settings: settings freeze only after the spider is made."""
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
        except ValidationError as exc:
            raise ArgumentError(one_line(exc, cls, kwargs)) from None
        parsed = getattr(spider, "args", None)
        crawler.settings.set("TIKTOK_SPIDER_ARGUMENTS", dict(kwargs), priority="spider")  # as given, for runs.jsonl
        crawler.settings.set("TIKTOK_DOWNLOAD_VIDEOS", isinstance(parsed, VideosParam) and parsed.videos, priority="spider")
        crawler.settings.set("TIKTOK_START_OVER", bool(getattr(parsed, "reset", False)), priority="spider")  # -a reset=1: a new run
        return spider

    def items_from(self, result: ParseResult, where: str) -> Iterator[Item]:
        """Yields a parse's items; logs and counts what was missing (drift) and why less came."""
        stats = self.crawler.stats
        for path in result.missing:
            stats.inc_value(f"parse/missing/{path}")
            logger.warning("%s: TikTok's data lacks %s (%s): the format may have changed", where, path, result.format)
        for problem in result.problems:
            stats.inc_value(f"parse/problems/{result.format}")
            logger.info("%s: %s", where, problem)
        for item in result.items:
            stats.inc_value(f"items/{type(item).__name__.lower()}")
            yield item

    @property
    def web(self) -> str:
        """The site's base URL (TIKTOK_WEB_URL), without a trailing slash."""
        return str(self.settings["TIKTOK_WEB_URL"]).rstrip("/")

    async def captcha_retry(self, response: Any) -> scrapy.Request | None:
        """For a plain-HTTP page that came back as a captcha: back off and ask again (or stop)."""
        if not is_captcha(response.text):
            return None
        await self.captcha_back_off()
        return response.request.replace(dont_filter=True)  # type: ignore[no-any-return]

    async def captcha_back_off(self) -> None:
        """After a captcha: wait longer each time (2, 4, 8 ... 30 s), and stop the crawl with a
        clear message after TIKTOK_CAPTCHA_MAX_RETRIES (the data so far is already stored)."""
        self.crawler.stats.inc_value("captcha/seen")
        self.captcha_failures += 1
        limit = self.settings.getint("TIKTOK_CAPTCHA_MAX_RETRIES", 3)
        if self.captcha_failures > limit:
            raise CloseSpider(
                f"blocked: TikTok showed a captcha {self.captcha_failures} times; try again later (the data so far is stored)"
            )
        await asyncio.sleep(min(30.0, 2.0**self.captcha_failures))

    def garbled(self, response: Response, what: str) -> list[scrapy.Request] | None:
        """None for a whole JSON answer. One cut short or garbled (as TikTok's servers and proxies
        sometimes send) is asked again like a 5xx: [the retry]; once its retries are spent, [] and
        `what` becomes a gap of the run."""
        try:
            json.loads(response.body)
            return None
        except ValueError:
            pass
        assert response.request is not None  # a callback's response has its request
        retry = get_retry_request(response.request, spider=self, reason="garbled JSON")
        if retry is None:
            run_context(self.crawler).gap(f"{what}: lost, the answer stayed garbled after its retries")
            return []
        return [retry]
