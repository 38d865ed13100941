"""Media from the simulator's CDN: stored under media/ with the right bytes, and every failure
(403, expired, blob:, hanging link) recorded as a reason while the crawl goes on."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.sim_process import crawl_feed as crawl
from tests.helpers.sim_process import running_simulator, set_faults

pytestmark = pytest.mark.crawl


@pytest.fixture
def simulator() -> Iterator[str]:
    with running_simulator() as base:
        yield base


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Referer": "http://127.0.0.1/"})) as resp:
        return bytes(resp.read())


def test_covers_and_captions_are_stored_with_their_bytes(simulator: str, tmp_path: Path) -> None:
    videos, _ = crawl(simulator, tmp_path, "-a", "pages=2", "-a", "expired=1")
    feed = [v for v in videos if v["source"] == "simfeed"]
    assert len(feed) >= 15 and len({v["id"] for v in feed}) == len(feed)  # the feed may repeat a video; it is stored once
    for v in feed:
        assert v["download_error"] is None and v["download_timestamp"] is not None
        stored = (tmp_path / str(v["cover_path"])).read_bytes()
        assert stored == fetch(str(v["cover_url"]))  # the exact bytes the CDN serves
        assert v["cover_path"] == f"media/cover/{v['id']}.jpeg"
        if v["caption_urls"]:
            assert (tmp_path / str(v["caption_path"])).read_text(encoding="utf-8").startswith("WEBVTT")
    expired = next(v for v in videos if v["source"] == "expired-link")
    assert expired["cover_path"] is None and expired["download_timestamp"] is None
    assert expired["download_error"] == "cover: HTTP 403"


def test_blob_and_refused_media_are_reasons(simulator: str, tmp_path: Path) -> None:
    set_faults(simulator, {"blob_video": 1.0, "media_forbidden": 0.5})
    videos, _ = crawl(simulator, tmp_path, "-a", "pages=1", "-a", "videos=1")
    assert len(videos) == 10
    for v in videos:
        errors = str(v["download_error"])
        assert "video: blob: address cannot be downloaded" in errors or v["is_photo_mode"]
        if v["cover_path"] is None:
            assert "cover: HTTP 403" in errors
        else:
            assert (tmp_path / str(v["cover_path"])).stat().st_size > 1000
    assert any(v["cover_path"] for v in videos) and any(v["cover_path"] is None for v in videos)


def test_a_hanging_link_cannot_stall_the_crawl(simulator: str, tmp_path: Path) -> None:
    set_faults(simulator, {"media_hang": 1.0, "hang_seconds": 120})
    videos, seconds = crawl(simulator, tmp_path, "-a", "pages=1", "-a", "count=5", "-s", "TIKTOK_MEDIA_TIMEOUT=1")
    assert len(videos) == 5 and seconds < 60
    assert all(str(v["download_error"]).startswith("cover: timed out after 1") for v in videos)
