"""yt-dlp's TikTok extractor (PyPI yt-dlp 2026.10.26): info and download of three videos.

Only www.tiktok.com is rewritten, in yt-dlp's own networking layer (`RequestDirector.send`); the
media URLs the page names already point at the simulator's CDN.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from yt_dlp import YoutubeDL  # type: ignore[import-untyped]
from yt_dlp.networking.common import RequestDirector  # type: ignore[import-untyped]

from tests.clients.conftest import rewrite, truth
from tiktok.simulator.media import VIDEO_HEIGHT, VIDEO_WIDTH, video_size
from tiktok.simulator.webshapes import rounded

pytestmark = pytest.mark.crawl


@pytest.fixture
def ytdlp_to_simulator(simulator: str, monkeypatch: pytest.MonkeyPatch) -> str:
    original = RequestDirector.send

    def send(self: Any, request: Any) -> Any:
        request.url = rewrite(request.url, simulator)
        return original(self, request)

    monkeypatch.setattr(RequestDirector, "send", send)
    return simulator


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration,size:stream=width,height,codec_type", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def test_info_and_download_of_three_videos(ytdlp_to_simulator: str, tmp_path: Path) -> None:
    base = ytdlp_to_simulator
    candidates = [truth(base, f"video/{vid}") for vid in truth(base, "hashtag/london")["video_ids"]]
    with_captions = [t for t in candidates if t["caption_words"] and not t["photo_mode"]]
    without = [t for t in candidates if not t["caption_words"] and not t["photo_mode"]]
    picks = [with_captions[0], with_captions[1], without[0]]
    options = {"outtmpl": str(tmp_path / "%(id)s.%(ext)s"), "format": "b", "writesubtitles": True, "quiet": True, "no_warnings": True}
    with YoutubeDL(options) as ydl:
        for t in picks:
            info = ydl.extract_info(f"https://www.tiktok.com/@{t['author']}/video/{t['id']}", download=True)
            assert (info["id"], info["description"], info["uploader"], info["timestamp"]) == (
                t["id"],
                t["description"],
                t["author"],
                t["create_time"],
            )
            # yt-dlp reads `stats`, which real pages round to ~3 significant digits (TIKTOK-FORMATS.md §8.2).
            counts = t["counts"]
            assert (info["like_count"], info["view_count"], info["comment_count"], info["repost_count"]) == (
                rounded(counts["likes"]),
                rounded(counts["views"]),
                rounded(counts["comments"]),
                rounded(counts["shares"]),
            )
            assert info["duration"] == t["duration"]
            assert (info["width"], info["height"], info["filesize"]) == (VIDEO_WIDTH, VIDEO_HEIGHT, video_size(t["duration"]))
            assert info["tbr"] == pytest.approx(video_size(t["duration"]) * 8 / t["duration"] / 1000, abs=1)  # the UrlKey tail
            path = tmp_path / f"{t['id']}.mp4"
            assert path.stat().st_size == video_size(t["duration"])
            fmt = probe(path)
            assert t["duration"] <= float(fmt["format"]["duration"]) < t["duration"] + 1  # whole seconds, as TikTok states it
            assert {(s.get("width"), s.get("height")) for s in fmt["streams"] if s["codec_type"] == "video"} == {
                (VIDEO_WIDTH, VIDEO_HEIGHT)
            }
            subtitles = sorted(tmp_path.glob(f"{t['id']}.*.vtt"))
            if t["caption_words"]:
                text = subtitles[0].read_text(encoding="utf-8")
                cues = [line for line in text.splitlines()[2:] if line and "-->" not in line]
                assert " ".join(cues).split() == t["caption_words"]
            else:
                assert subtitles == [] and not info.get("subtitles")
