"""Covers read back by OCR in the crawl and by the batch command; captions become transcripts;
a corrupted cover gives no text and a reason."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from tests.helpers.sim_process import ROOT, crawl_feed, running_simulator, set_faults, truth
from tiktok.enrich import ocr
from tiktok.enrich.captions import webvtt_text
from tiktok.enrich.ocr import tesseract_available
from tiktok.pipelines.captions import CaptionsPipeline
from tiktok.schema.items import Video

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="tesseract is not installed (make setup installs it)")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, list[dict[str, Any]]]]:
    data = tmp_path_factory.mktemp("data")
    with running_simulator() as base:
        set_faults(base, {"corrupt_cover": 0.25})
        videos, _ = crawl_feed(base, data, "-a", "pages=3")
        yield base, data, videos


def test_webvtt_text() -> None:
    vtt = (
        "WEBVTT\n\nNOTE made by hand\nignored\n\n1\n00:00:00.000 --> 00:00:02.000\n<c.yellow>hello</c> there\n\n"
        "2\n00:00:02.000 --> 00:00:04.000\nhello there\n\n00:04.000 --> 00:06.000\nbye\n"
    )
    assert webvtt_text(vtt) == "hello there bye"
    assert webvtt_text("WEBVTT\n") is None


@needs_tesseract
def test_covers_are_read_and_corrupted_ones_give_a_reason(crawled: tuple[str, Path, list[dict[str, Any]]]) -> None:
    base, _, videos = crawled
    words = found = 0
    corrupted = 0
    for v in videos:
        if v["ocr_text"] is None:
            corrupted += 1
            assert str(v["ocr_error"]).split(": ", 1)[1].startswith(("unreadable image", "no text found")), v["ocr_error"]
            continue
        expected = truth(base, f"video/{v['id']}")["cover_text"].split()
        words += len(expected)
        found += sum(w in str(v["ocr_text"]).split() for w in expected)
    assert corrupted > 0 and words > 0
    assert found / words >= 0.95, f"OCR recovered {found} of {words} cover words"


def test_captions_become_transcripts(crawled: tuple[str, Path, list[dict[str, Any]]]) -> None:
    base, _, videos = crawled
    captioned = [v for v in videos if v["caption_urls"]]
    assert captioned
    for v in captioned:
        assert v["transcript_source"] == "captions"
        assert v["transcript"] == " ".join(truth(base, f"video/{v['id']}")["caption_words"])
    assert all(v["transcript"] is None for v in videos if not v["caption_urls"])


@needs_tesseract
def test_batch_ocr_reads_what_is_left_and_skips_what_is_done(crawled: tuple[str, Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    _, data, crawled_videos = crawled
    copy = tmp_path / "data"
    copy.mkdir()
    (copy / "media").symlink_to(data / "media")
    videos = [{**v, "ocr_text": None, "ocr_error": None} for v in crawled_videos]  # as if OCR had been off
    (copy / "videos.jsonl").write_text("".join(json.dumps(v) + "\n" for v in videos), encoding="utf-8")
    first = subprocess.run([sys.executable, "-m", "tiktok", "ocr", str(copy)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    results = [json.loads(line) for line in (copy / "ocr.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in results} == {v["id"] for v in videos if v["cover_path"]}
    assert f"/{len(results)} videos" in first.stderr  # the progress bar
    again = subprocess.run([sys.executable, "-m", "tiktok", "ocr", str(copy)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.stdout.startswith("0 videos with text, 0 without")


def cover(path: Path, text: str, ink: tuple[int, int, int], paper: tuple[int, int, int]) -> str:
    from PIL import Image, ImageDraw

    from tiktok.simulator.media import _font

    image = Image.new("RGB", (720, 1280), paper)
    ImageDraw.Draw(image).text((60, 560), text, fill=ink, font=_font(80))
    image.save(path, "JPEG", quality=90)
    return str(path)


needs_tesserocr = pytest.mark.skipif(ocr.tesserocr_problem("eng") is not None, reason="tesserocr cannot load here")


@needs_tesserocr
def test_the_engine_reads_white_cover_text_and_dark_text_on_a_light_band(tmp_path: Path) -> None:
    assert ocr.read_image(cover(tmp_path / "white.jpeg", "PASTA NIGHT", (255, 255, 255), (60, 40, 90))) == ("PASTA NIGHT", None)
    # thresholding keeps near-white pixels, so dark text is lost there: the second pass reads it
    assert ocr.read_image(cover(tmp_path / "dark.jpeg", "PASTA NIGHT", (20, 20, 20), (235, 235, 235))) == ("PASTA NIGHT", None)
    assert ocr.read_image(str(tmp_path / "missing.jpeg"))[1] == f"no file at {tmp_path / 'missing.jpeg'}"


@needs_tesseract
def test_pytesseract_is_the_fallback_and_it_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ocr, "TESSDATA", str(tmp_path))  # no models there: tesserocr cannot load
    ocr.tesserocr_problem.cache_clear()
    ocr.engine_name.cache_clear()
    try:
        assert [ocr.engine_name("eng"), ocr.engine_name("eng")] == ["pytesseract", "pytesseract"]
        fallbacks = [r for r in caplog.records if "pytesseract" in r.getMessage()]
        assert len(fallbacks) == 1 and f"no eng model in {tmp_path}" in fallbacks[0].getMessage()
        monkeypatch.setattr(ocr, "_engine", "pytesseract")
        assert ocr.read_image(cover(tmp_path / "white.jpeg", "PASTA NIGHT", (255, 255, 255), (60, 40, 90))) == ("PASTA NIGHT", None)
    finally:
        ocr.tesserocr_problem.cache_clear()
        ocr.engine_name.cache_clear()


class FakeTranscriber:
    name = "fake"

    def __init__(self, settings: object) -> None:
        pass

    def transcribe(self, video: Path) -> str | None:
        return f"words of {video.name}"


async def test_voice_to_text_and_the_transcriber_plug_in(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"DATA_DIR": str(tmp_path), "TIKTOK_TRANSCRIBER": f"{__name__}.FakeTranscriber"})
    pipeline = CaptionsPipeline.from_crawler(crawler)
    research = await pipeline.process_item(Video(id="1", voice_to_text="hello from the api"))
    assert (research.transcript, research.transcript_source) == ("hello from the api", "voice_to_text")
    local = await pipeline.process_item(Video(id="2", video_path="media/video/2.mp4"))
    assert (local.transcript, local.transcript_source) == ("words of 2.mp4", "transcriber:fake")
    none = await pipeline.process_item(Video(id="3"))
    assert none.transcript is None


@needs_tesseract
def test_db_search_finds_a_crawled_video_by_its_cover_alone(crawled: tuple[str, Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    from tiktok.storage import db

    _, data, videos = crawled
    copy = tmp_path / "data"
    copy.mkdir()
    (copy / "videos.jsonl").write_bytes((data / "videos.jsonl").read_bytes())
    db.build(copy)
    readable = [v for v in videos if v["ocr_text"]]
    target = next(
        v
        for v in readable
        if not any(w.lower() in str(v["video_description"]).lower() for w in str(v["ocr_text"]).split())
        and sum(str(v["ocr_text"]) == str(o["ocr_text"]) for o in readable) == 1
    )
    hits = db.search(copy, str(target["ocr_text"]))
    assert hits and hits[0]["id"] == target["id"]
