"""Captions: a video's `transcript`, from TikTok's own words first: the WebVTT captions the media
pipeline stored, else the Research API's `voice_to_text`, else (only when configured) a local
transcriber run on the stored video. `transcript_source` says which.

Settings: TIKTOK_CAPTIONS_ENABLED (True), TIKTOK_TRANSCRIBER (a class path; empty = none).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from tiktok.enrich.captions import Transcriber, webvtt_text
from tiktok.schema.items import Video

logger = logging.getLogger(__name__)


class CaptionsPipeline:
    def __init__(self, crawler: Any, transcriber: Transcriber | None) -> None:
        self.crawler = crawler
        self.data_dir = Path(crawler.settings.get("DATA_DIR", "data"))
        self.transcriber = transcriber

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptionsPipeline:
        settings = crawler.settings
        if not settings.getbool("TIKTOK_CAPTIONS_ENABLED", True):
            raise NotConfigured
        path = settings.get("TIKTOK_TRANSCRIBER")
        transcriber = load_object(path)(settings) if path else None
        return cls(crawler, transcriber)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Video) or item.transcript:
            return item
        if item.caption_path:
            try:
                text = webvtt_text((self.data_dir / item.caption_path).read_text(encoding="utf-8", errors="replace"))
            except OSError as exc:
                logger.warning("caption file %s unreadable: %s", item.caption_path, exc)
                text = None
            if text:
                item.transcript, item.transcript_source = text, "captions"
        if not item.transcript and item.voice_to_text:
            item.transcript, item.transcript_source = item.voice_to_text, "voice_to_text"
        if not item.transcript and self.transcriber is not None and item.video_path:
            video = self.data_dir / item.video_path
            text = await asyncio.get_running_loop().run_in_executor(None, self.transcriber.transcribe, video)
            if text:
                item.transcript, item.transcript_source = text, f"transcriber:{self.transcriber.name}"
        if item.transcript:
            self.crawler.stats.inc_value(f"captions/{item.transcript_source}")
        return item
