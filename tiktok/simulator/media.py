"""The CDN under /media/: signed, expiring URLs, and the files behind them, made on demand.

Like TikTok's CDN, every URL carries ``x-expires`` and ``x-signature``; an expired, unsigned or
referer-less request gets 403, and a video also needs the ``tt_chain_token`` cookie the web pages set.
Covers and photo-mode images are JPEGs with the video's cover text drawn large (the text is part of
the world's truth, for OCR); videos and sounds are real small mp4/mp3 files made once by ffmpeg and
cached on disk; captions are WebVTT.

A video file agrees with what the pages say of it (issue 12): it lasts the video's duration, is
576x1024 (what TikTok's "540p" gear serves, as in the real item lists), and is exactly `video_size`
bytes, so `DataSize`, `size` and the bitrate in `UrlKey` describe the file served. The picture is
a still colour at one frame a second: a 15-minute video is about 2 MB and takes a fraction of a
second to make, by looping a 10-second clip without re-encoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

MEDIA_TTL = 6 * 3600  # simulated seconds a media URL stays valid
VIDEO_WIDTH, VIDEO_HEIGHT = 576, 1024  # the real "540p" gear (normal_540_0) is 576x1024
VIDEO_BYTES_PER_SECOND = 4000  # above what the still-colour clip needs, so padding always fits
VIDEO_HEADROOM = 16_384  # the mp4 header and the first clip's overhead
CLIP_SECONDS = 10


def video_size(duration: int) -> int:
    """The exact byte size of the mp4 served for a video of this many seconds."""
    return VIDEO_HEADROOM + VIDEO_BYTES_PER_SECOND * max(1, duration)


def video_bitrate(duration: int) -> int:
    """Bits per second of that file, as TikTok states it in `Bitrate` and the `UrlKey` tail."""
    return video_size(duration) * 8 // max(1, duration)


FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)


@dataclass(frozen=True)
class MediaSigner:
    """Signs media URLs for one origin (the simulator's own, as the request reached it)."""

    secret: bytes
    base: str

    def expires(self, t: float) -> int:
        return int(t) + MEDIA_TTL

    def signature(self, kind: str, name: str, expires: int) -> str:
        mac = hmac.new(self.secret, f"{kind}/{name}:{expires}".encode(), hashlib.sha1).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def url(self, kind: str, name: str, t: float) -> str:
        exp = self.expires(t)
        return f"{self.base}/media/{kind}/{name}?x-expires={exp}&x-signature={self.signature(kind, name, exp)}"

    def refusal(self, kind: str, name: str, expires: str, signature: str, now: float) -> str | None:
        """Why a media request is refused (None when it may be served)."""
        if not expires.isdigit() or not signature:
            return "unsigned"
        if not hmac.compare_digest(signature, self.signature(kind, name, int(expires))):
            return "bad signature"
        if int(expires) < now:
            return "expired"
        return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=512)
def text_jpeg(text: str, hue: int, width: int = 720, height: int = 1280) -> bytes:
    """A portrait JPEG with `text` in large white letters on a dark colour.

    White overlay text straight on the picture, as TikTok covers carry it: tesseract reads this
    with its default settings, where a light band behind the words defeated its layout analysis.
    """
    background = (20 + (hue * 37) % 90, 20 + (hue * 91) % 90, 20 + (hue * 53) % 90)
    img = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(img)
    font = _font(max(24, width // 9))
    lines = textwrap.wrap(text, 12) or [""]  # short words alone on a line were often missed
    line_h = int(width // 9 * 1.4)
    top = (height - line_h * len(lines)) // 2
    for i, line in enumerate(lines):
        draw.text((width // 12, top + i * line_h), line, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def webvtt(text: str) -> str:
    """Captions as WebVTT: the words spread over cues of four words, two seconds each."""
    words = text.split()
    cues = [" ".join(words[i : i + 4]) for i in range(0, len(words), 4)]
    parts = ["WEBVTT", ""]
    for i, cue in enumerate(cues):
        parts += [f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 2:02d}.000", cue, ""]
    return "\n".join(parts)


class MediaFiles:
    """Makes and caches the binary files ffmpeg is needed for."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def available(self) -> bool:
        return shutil.which("ffmpeg") is not None

    def video(self, key: int, duration: int) -> Path:
        """An mp4 of `duration` seconds and exactly `video_size(duration)` bytes, with a colour and
        a tone of its own: a 10-second clip looped by stream copy, then padded with an mp4 `free` box."""
        path = self.cache_dir / f"video-{key}-{duration}.mp4"
        if not path.exists():
            clip = self.cache_dir / f"clip-{key}.mp4"
            if not clip.exists():
                colour = f"0x{(key * 2654435761) % 0xFFFFFF:06x}"
                self._ffmpeg(
                    ["-f", "lavfi", "-i", f"color=c={colour}:s={VIDEO_WIDTH}x{VIDEO_HEIGHT}:d={CLIP_SECONDS}:r=1",
                     "-f", "lavfi", "-i", f"sine=frequency={200 + key % 800}:duration={CLIP_SECONDS}:sample_rate=22050",
                     "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p", "-g", str(CLIP_SECONDS),
                     "-c:a", "aac", "-b:a", "16k", "-ac", "1", "-t", str(CLIP_SECONDS)],
                    clip,
                )  # fmt: skip
            looped = path.with_suffix(f".{secrets.token_hex(4)}.loop.mp4")
            self._ffmpeg(["-stream_loop", "-1", "-i", str(clip), "-c", "copy", "-t", str(duration), "-movflags", "+faststart"], looped)
            data = looped.read_bytes()
            looped.unlink()
            pad = video_size(duration) - len(data)
            if pad < 8:
                raise RuntimeError(f"video {key}: {len(data)} bytes do not fit in {video_size(duration)}")
            tmp = path.with_suffix(f".{secrets.token_hex(4)}.part.mp4")
            tmp.write_bytes(data + pad.to_bytes(4, "big") + b"free" + bytes(pad - 8))
            tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        return path

    def sound(self, key: int, duration: int) -> Path:
        """An mp3 of the sound's stated duration."""
        path = self.cache_dir / f"sound-{key}-{duration}.mp3"
        if not path.exists():
            self._ffmpeg(["-f", "lavfi", "-i", f"sine=frequency={200 + key % 800}:duration={duration}", "-t", str(duration)], path)
        return path

    def _ffmpeg(self, args: list[str], path: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.part{path.suffix}")  # concurrent makers never share one
        cmd = ["ffmpeg", "-v", "error", "-y", *args, str(tmp)]
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file


MEDIA_FILES_KEY = web.AppKey("media_files", MediaFiles)
