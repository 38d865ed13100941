"""What every spider shares: its data directory, argument checks before any request, and turning a
ParseResult into items with the drift alarm and the reasons logged and counted in stats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider

from tiktok.items import Item
from tiktok.parsing import ParseResult

logger = logging.getLogger(__name__)


CAPTCHA_MARKERS = ("captcha-verify-container", "captcha_verify_container", "verify to continue")


def is_captcha(html: str) -> bool:
    """TikTok's captcha interstitial instead of the page asked for."""
    lowered = html[:20000].lower()
    return any(marker in lowered for marker in CAPTCHA_MARKERS)


class SpiderArgumentError(ValueError):
    """A spider argument is wrong; the message says what and how to fix it (exit code 2)."""


class TikTokSpider(scrapy.Spider):
    """Base of the project's spiders. Subclasses check their -a arguments in `check_arguments`,
    which `scrapy crawl` calls before anything starts (tiktok/commands/crawl.py)."""

    data_dir: str = "data"
    run_id: str | None = None  # set when the spider opens (extensions/runlog.py)
    captcha_failures = 0

    run_arguments: dict[str, Any] = {}  # noqa: RUF012 (replaced per spider in from_crawler)

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Raise SpiderArgumentError for bad -a arguments. The default accepts anything."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> TikTokSpider:
        cls.check_arguments(**kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.data_dir = crawler.settings.get("DATA_DIR", "data")
        spider.run_arguments = dict(kwargs)  # for runs.jsonl, secrets redacted there
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
