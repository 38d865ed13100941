"""`scrapy crawl import -a path=FILE|DIR|GLOB`: saved pages, their embedded state, API answers,
Zeeschuimer exports, and the HAR, WARC, WACZ, gzip and zip files holding them, read through file://
and parsed by the same parsers, into the same pipelines and feeds.

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
from pydantic import BaseModel, Field, model_validator
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.parsing import Context, parse_any
from tiktok.parsing.containers import unpack
from tiktok.schema.items import Item, User, Video
from tiktok.spiders.base import TikTokSpider
from tiktok.spiders.params import ARGS, Args, fail

logger = logging.getLogger(__name__)


def expand(path: str) -> list[Path]:
    """The files a path names: a file, every file under a folder, or a glob's matches."""
    target = Path(path).expanduser()
    if target.is_file():
        return [target]
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file())
    return sorted(Path(p) for p in glob.glob(str(target), recursive=True) if Path(p).is_file())


class ImportParams(BaseModel):
    model_config = ARGS
    path: str = Field(description="what to import: a file, a folder, or a glob (quoted: 'saved/*.json')")
    username: str | None = Field(None, description="whose saved Research API user-info or follower answers these are")
    _files: list[Path] = []

    @property
    def files(self) -> list[Path]:
        return self._files

    @model_validator(mode="after")
    def _expand(self) -> ImportParams:
        self._files = expand(self.path)
        if not self._files:
            fail(f"-a path={self.path}: no such file or folder, and no file matches it as a pattern")
        return self


class ImportSpider(Args[ImportParams], TikTokSpider):
    name = "import"
    # Local files: no robots.txt, no delay. No media: a saved file's media URLs have expired, and they
    # point at TikTok's live CDN.
    custom_settings = {  # noqa: RUF012 (Scrapy reads it)
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "TIKTOK_MEDIA_ENABLED": False,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rejected: dict[str, str] = {}
        self.read = 0
        self.counts: Counter[str] = Counter()

    async def start(self) -> Any:
        for file in self.args.files:  # every file: what it holds is told by its content (parsing/containers.py)
            yield scrapy.Request(file.resolve().as_uri(), callback=self.parse, errback=self.unreadable, cb_kwargs={"file": file})

    def parse(self, response: Response, file: Path) -> Iterator[Item]:
        self.read += 1
        stats = self.crawler.stats
        stats.inc_value("import/files_read")
        unpacked = unpack(response.body)
        for problem in unpacked.problems:
            stats.inc_value(f"import/container_problems/{unpacked.format}")
            logger.info("%s: %s", file, problem)
        stats.inc_value("import/answers_read", len(unpacked.records))
        reasons, found = list(unpacked.problems), 0
        for record in unpacked.records:
            # A container's capture time is when its answers were seen (HAR startedDateTime, WARC-Date);
            # the parsers prefer the data's own time, as for every spider.
            ctx = Context(source=f"import:{file.name}", scraped_at=record.captured_at, subject=self.args.username)
            result = parse_any(record.body, ctx)
            if not result.items:
                reasons += [r for r in result.problems or [f"no items in it ({result.format})"] if r not in reasons]
            for item in self.items_from(result, str(file) if record.url is None else f"{file} {record.url}"):
                if isinstance(item, Video | User):
                    item.run_id = f"import:{file.name}"  # importing a file again adds nothing
                self.counts[type(item).__name__] += 1
                found += 1
                yield item
        if not found:
            why = "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else "")
            answers = f"{len(unpacked.records)} page(s) or JSON answer(s)"
            held = f"{unpacked.format} holding {answers}, none with TikTok data" if unpacked.kinds else ""
            self.rejected[str(file)] = f"{held}: {why}" if held and why else held or why
            stats.inc_value("import/files_rejected")

    def unreadable(self, failure: Failure) -> None:
        file = failure.request.cb_kwargs["file"]  # type: ignore[attr-defined]
        self.rejected[str(file)] = f"unreadable: {failure.getErrorMessage()}"
        self.crawler.stats.inc_value("import/files_unreadable")
        logger.error("%s: cannot be read: %s", file, failure.getErrorMessage())

    def closed(self, reason: str) -> None:
        per_type = ", ".join(f"{n} {t.lower()}s" for t, n in sorted(self.counts.items())) or "no items"
        stored = self.crawler.stats.get_stats()
        kept = ", ".join(f"{v} {k.removeprefix('stored/')}" for k, v in sorted(stored.items()) if k.startswith("stored/")) or "nothing new"
        where = self.settings.get("DATA_DIR", "data")
        lines = [f"Import finished ({reason}): {self.read} files read, {per_type} parsed; stored {kept} under {where}/"]
        lines += [f"  not imported: {file}: {why}" for file, why in sorted(self.rejected.items())]
        logger.info("\n".join(lines))
