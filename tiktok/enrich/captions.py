"""Captions as plain text: TikTok's WebVTT files, and the plug-in interface for a local transcriber."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

TIMING = re.compile(r"^\d{2}:\d{2}(:\d{2})?\.\d{3}\s+-->")
TAG = re.compile(r"<[^>]+>")


def webvtt_text(vtt: str) -> str | None:
    """The spoken words of a WebVTT file: no header, cue ids, timings, notes or styling tags;
    a line repeated by consecutive cues (rolling captions) is kept once."""
    lines: list[str] = []
    skip_block = False
    for raw in vtt.splitlines():
        line = raw.strip()
        if not line:
            skip_block = False
            continue
        if line.startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            skip_block = True
            continue
        if skip_block or TIMING.match(line) or line.isdigit():
            continue
        text = TAG.sub("", line).strip()
        if text and (not lines or lines[-1] != text):
            lines.append(text)
    return " ".join(lines) or None


class Transcriber(Protocol):
    """A local speech-to-text engine: off by default; set TIKTOK_TRANSCRIBER to a class path.

    The constructor takes the crawler's settings; `transcribe` returns the words, or None."""

    name: str

    def transcribe(self, video: Path) -> str | None: ...


class PocketSphinxTranscriber:
    """Offline English speech recognition with pocketsphinx (pip install pocketsphinx; ffmpeg).

    Expect rough text: on synthetic speech its word error rate was 0.8-0.9 (../shared/STACK.md).
    TikTok's own captions, when a video has them, are far better and are used first."""

    name = "pocketsphinx"

    def __init__(self, settings: object = None) -> None:
        try:
            import pocketsphinx  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            raise RuntimeError("TIKTOK_TRANSCRIBER names pocketsphinx, which is not installed: pip install pocketsphinx") from None

    def transcribe(self, video: Path) -> str | None:  # pragma: no cover - needs the optional package
        import subprocess

        from pocketsphinx import Decoder

        audio = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(video), "-f", "s16le", "-ac", "1", "-ar", "16000", "-"],
            capture_output=True,
            check=True,
            timeout=300,
        ).stdout
        decoder = Decoder(samprate=16000)
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None and hyp.hypstr else None
