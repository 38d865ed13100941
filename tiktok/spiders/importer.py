"""`scrapy crawl import -a path=FILE|DIR|GLOB`: saved pages, API answers and Zeeschuimer exports,
read through file:// and parsed by the same parsers, into the same pipelines and feeds.

Optional: `-a username=NAME` names the user a saved Research API user-info or follower answer was
requested for (those answers do not say). Unreadable files are logged and counted; the run goes on.
"""

from __future__ import annotations

import glob
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.items import Item, User, Video
from tiktok.parsing import Context, parse_any
from tiktok.spiders.base import SpiderArgumentError, TikTokSpider

logger = logging.getLogger(__name__)
DATA_SUFFIXES = {".json", ".jsonl", ".ndjson", ".html", ".htm", ".txt"}


def expand(path: str) -> list[Path]:
    """The files a path names: a file, every file under a folder, or a glob's matches."""
    target = Path(path).expanduser()
    if target.is_file():
        return [target]
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file())
    return sorted(Path(p) for p in glob.glob(str(target), recursive=True) if Path(p).is_file())


class ImportSpider(TikTokSpider):
    name = "import"
    # Local files: no robots.txt, no delay. No media: a saved file's media URLs have expired, and they
    # point at TikTok's live CDN.
    custom_settings = {  # noqa: RUF012 (Scrapy reads it)
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "TIKTOK_MEDIA_ENABLED": False,
    }

    def __init__(self, path: str | None = None, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_arguments(path=path)
        self.files = expand(str(path))
        self.username = username
        self.rejected: dict[str, str] = {}
        self.read = 0
        self.counts: Counter[str] = Counter()

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        path = kwargs.get("path")
        if not path:
            raise SpiderArgumentError("-a path=FILE|DIR|GLOB is required: what to import")
        if not expand(str(path)):
            raise SpiderArgumentError(f"-a path={path}: no such file or folder, and no file matches it as a pattern")

    async def start(self) -> Any:
        for file in self.files:
            if file.suffix.lower() not in DATA_SUFFIXES:
                self.rejected[str(file)] = f"not a data file ({file.suffix or 'no extension'}); skipped"
                continue
            yield scrapy.Request(file.resolve().as_uri(), callback=self.parse, errback=self.unreadable, cb_kwargs={"file": file})

    def parse(self, response: Response, file: Path) -> Iterator[Item]:
        self.read += 1
        self.crawler.stats.inc_value("import/files_read")
        result = parse_any(response.body, Context(source=f"import:{file.name}", subject=self.username))
        if not result.items:
            reason = "; ".join(result.problems) or f"no items in it ({result.format})"
            self.rejected[str(file)] = reason
            self.crawler.stats.inc_value("import/files_rejected")
        for item in self.items_from(result, str(file)):
            if isinstance(item, Video | User):
                item.run_id = f"import:{file.name}"  # importing a file again adds nothing
            self.counts[type(item).__name__] += 1
            yield item

    def unreadable(self, failure: Failure) -> None:
        file = failure.request.cb_kwargs["file"]  # type: ignore[attr-defined]
        self.rejected[str(file)] = f"unreadable: {failure.getErrorMessage()}"
        self.crawler.stats.inc_value("import/files_unreadable")
        logger.error("%s: cannot be read: %s", file, failure.getErrorMessage())

    def closed(self, reason: str) -> None:
        per_type = ", ".join(f"{n} {t.lower()}s" for t, n in sorted(self.counts.items())) or "no items"
        stored = self.crawler.stats.get_stats()
        kept = ", ".join(f"{v} {k.removeprefix('stored/')}" for k, v in sorted(stored.items()) if k.startswith("stored/")) or "nothing new"
        lines = [f"Import finished ({reason}): {self.read} files read, {per_type} parsed; stored {kept} under {self.data_dir}/"]
        lines += [f"  not imported: {file}: {why}" for file, why in sorted(self.rejected.items())]
        logger.info("\n".join(lines))
