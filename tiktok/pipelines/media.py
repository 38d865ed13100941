"""Media: covers (on by default), videos (TIKTOK_MEDIA_VIDEOS, or TIKTOK_DOWNLOAD_VIDEOS, which a
spider sets from `-a videos=1`), photo-mode images and
caption files, downloaded with Scrapy's FilesPipeline into DATA_DIR/media/<kind>/<video id>.<ext>.

TikTok's media URLs are signed and expire, so they are fetched in the same run, through the same
downloader (its cookies) and with a Referer. A blob: address, an HTTP error, a time-out or an unsafe
id never stalls the crawl: it becomes a reason in `download_error`. Files already on disk are not
fetched again (FilesPipeline's FILES_EXPIRES), so running again retries only the failures.

Only FilesPipeline's and MediaPipeline's overridable methods are overridden.

Settings: TIKTOK_MEDIA_ENABLED (True), TIKTOK_MEDIA_COVERS (True), TIKTOK_MEDIA_VIDEOS (False),
TIKTOK_DOWNLOAD_VIDEOS (False; the run's `-a videos=1`),
TIKTOK_MEDIA_IMAGES (True), TIKTOK_MEDIA_CAPTIONS (True), TIKTOK_MEDIA_TIMEOUT (20 s), FILES_STORE
(default DATA_DIR/media), FILES_EXPIRES.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError, NotConfigured
from scrapy.pipelines.files import FilesPipeline
from scrapy.pipelines.media import FileException
from twisted.internet.error import TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from tiktok.schema.items import Video

LANGUAGE = re.compile(r"[^A-Za-z0-9-]")


class MediaPipeline(FilesPipeline):
    @classmethod
    def from_crawler(cls, crawler: Any) -> MediaPipeline:
        settings = crawler.settings
        if not settings.getbool("TIKTOK_MEDIA_ENABLED", True):
            raise NotConfigured
        if settings.get("FILES_STORE"):
            return super().from_crawler(crawler)
        return cls(str((Path(settings.get("DATA_DIR", "data")) / "media").resolve()), crawler=crawler)

    def __init__(self, store_uri: str, download_func: None = None, *, crawler: Any) -> None:
        super().__init__(store_uri, crawler=crawler)
        settings = crawler.settings
        self.crawler = crawler
        self.kinds = {
            "cover": settings.getbool("TIKTOK_MEDIA_COVERS", True),
            "video": settings.getbool("TIKTOK_MEDIA_VIDEOS", False) or settings.getbool("TIKTOK_DOWNLOAD_VIDEOS", False),
            "image": settings.getbool("TIKTOK_MEDIA_IMAGES", True),
            "caption": settings.getbool("TIKTOK_MEDIA_CAPTIONS", True),
        }
        self.timeout = settings.getfloat("TIKTOK_MEDIA_TIMEOUT", 20.0)
        self.referer = settings.get("TIKTOK_WEB_URL", "https://www.tiktok.com").rstrip("/") + "/"
        self.plans: dict[int, list[tuple[str, str]]] = {}

    def wants(self, kind: str) -> bool:
        return bool(self.kinds[kind])

    # ----------------------------------------------------------------- overridable interface
    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, Video):
            return []
        if not item.id.isdigit():  # files are named by id: never a path from elsewhere
            item.download_error = f"not downloaded: id {item.id!r} is not digits"
            return []
        wanted: list[tuple[str, str, str | None]] = []
        if self.wants("cover"):
            wanted.append(("cover", f"cover/{item.id}.jpeg", item.cover_url))
        if self.wants("video") and not item.is_photo_mode:
            wanted.append(("video", f"video/{item.id}.mp4", item.video_url))
        if self.wants("image"):
            wanted += [("image", f"image/{item.id}-{n}.jpeg", url) for n, url in enumerate(item.image_urls or [], 1)]
        if self.wants("caption"):
            for caption in item.caption_urls or []:
                lang = LANGUAGE.sub("", caption.get("language", "")) or "und"
                wanted.append(("caption", f"caption/{item.id}.{lang}.vtt", caption.get("url")))
        plan, requests, skipped = [], [], []
        for kind, path, url in wanted:
            if not url:
                continue
            if not url.startswith(("http://", "https://")):
                skipped.append(f"{kind}: {url.split(':', 1)[0]}: address cannot be downloaded")
                continue
            plan.append((kind, path))
            headers = {"Referer": item.url or self.referer}
            # One retry at most: a signed link that failed twice fails the same way again. Media has a
            # download slot of its own (settings.DOWNLOAD_SLOTS), as TikTok's CDN is another host
            # than its pages: covers do not queue behind the page delay.
            meta = {
                "tiktok_media_path": path,
                "download_timeout": self.timeout,
                "max_retry_times": 1,
                "download_slot": "tiktok-media",
                "autothrottle_dont_adjust_delay": True,
            }
            requests.append(Request(url, headers=headers, meta=meta))
        if skipped:
            self.crawler.stats.inc_value("media/skipped", len(skipped))
        item.download_error = "; ".join(skipped) or None
        self.plans[id(item)] = plan
        return requests

    async def media_downloaded(self, response: Any, request: Request, info: Any, *, item: Any = None) -> Any:
        if response.status != 200:
            raise FileException(f"HTTP {response.status}")  # FilesPipeline would say only "download-error"
        return await super().media_downloaded(response, request, info, item=item)

    def media_failed(self, failure: Failure, request: Request, info: Any) -> NoReturn:
        if isinstance(failure.value, DownloadTimeoutError | TimeoutError | TCPTimedOutError):
            raise FileException(f"timed out after {request.meta.get('download_timeout')} s")
        raise FileException(failure.getErrorMessage() or type(failure.value).__name__)

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        return str(request.meta["tiktok_media_path"])

    def item_completed(self, results: list[Any], item: Any, info: Any) -> Any:
        plan = self.plans.pop(id(item), [])
        if not isinstance(item, Video):
            return item
        errors = [item.download_error] if item.download_error else []
        images, captions = [], []
        for (kind, _), (ok, value) in zip(plan, results, strict=False):
            if not ok:
                reason = value.getErrorMessage() if isinstance(value, Failure) else str(value)
                errors.append(f"{kind}: {reason}")
                self.crawler.stats.inc_value(f"media/failed/{kind}")
                continue
            stored = f"media/{value['path']}"
            self.crawler.stats.inc_value(f"media/stored/{kind}")
            if kind == "cover":
                item.cover_path = stored
            elif kind == "video":
                item.video_path = stored
            elif kind == "image":
                images.append(stored)
            else:
                captions.append(stored)
        item.image_paths = images or None
        item.caption_path = next((c for c in captions if ".eng" in c or ".en" in c), captions[0] if captions else None)
        item.download_error = "; ".join(errors) or None
        item.download_timestamp = None if errors or not plan else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return item
