"""OCR: the text on a video's stored cover and photo-mode images into `ocr_text` (`ocr_error` says
why there is none), read in worker processes that each keep one tesseract engine loaded
(tiktok/enrich/ocr.py), so the crawl never waits on tesseract.

Settings: TIKTOK_OCR_ENABLED (True), TIKTOK_OCR_WORKERS (2), TIKTOK_OCR_LANG ("eng").
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from tiktok.enrich.ocr import read_images, tesseract_available, worker_pool
from tiktok.schema.items import Video

logger = logging.getLogger(__name__)


class OcrPipeline:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.data_dir = Path(settings.get("DATA_DIR", "data"))
        self.lang = settings.get("TIKTOK_OCR_LANG", "eng")
        self.pool = worker_pool(settings.getint("TIKTOK_OCR_WORKERS", 2), self.lang)

    @classmethod
    def from_crawler(cls, crawler: Any) -> OcrPipeline:
        if not crawler.settings.getbool("TIKTOK_OCR_ENABLED", True):
            raise NotConfigured
        if not tesseract_available():
            logger.warning("tesseract is not installed: covers are stored without their text (make setup installs it)")
            raise NotConfigured
        return cls(crawler)

    def close_spider(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Video):
            return item
        paths = [p for p in [item.cover_path, *(item.image_paths or [])] if p]
        if not paths:
            return item
        files = [str(self.data_dir / p) for p in paths]
        text, reason = await asyncio.get_running_loop().run_in_executor(self.pool, read_images, files, self.lang)
        item.ocr_text, item.ocr_error = text, reason
        self.crawler.stats.inc_value("ocr/read" if text else "ocr/no_text")
        return item
