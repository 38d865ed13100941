"""Reading the text on covers and photo-mode images with tesseract, in worker processes.

Each worker keeps one tesseract engine loaded through tesserocr (tesseract's C API): a tesseract
process per image, through pytesseract, spent most of its time starting and loading the model
(5.6 covers/s against 14.5, issue #15). pytesseract stays as the fallback when tesserocr cannot
load, and the log says so once.

The engine is set up for cover text (bench/ocr.py measures each choice on the simulator's covers):
- page segmentation mode 6, one block of text: covers carry a few short lines, and the full layout
  analysis of mode 3 was slower for the same words;
- the image decoded as grey and thresholded to its near-white pixels, black on white, with
  tesseract's own inversion check off: overlay text on TikTok covers is white, and this doubled
  the speed with the same words read. When that pass finds nothing or is unsure (dark text on a
  light band), the grey image is read again with tesseract's own thresholding and inversion.

Workers are spawned (not forked) with OMP_THREAD_LIMIT=1: ../shared/STACK.md measured that
tesseract's OpenMP threads fight on two cores (2.1 -> 6.6 images/s) and that a fork pool with
Debian's libtesseract can hang forever. A corrupted or unreadable image gives no text and a reason.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import multiprocessing
import os
import shutil
import subprocess
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Debian's tesseract-ocr-<lang> packages put the models here; the tesserocr wheel has none of its own.
TESSDATA = os.environ.get("TESSDATA_PREFIX", "/usr/share/tesseract-ocr/5/tessdata/")
BRIGHT = 180  # grey level above which a pixel counts as cover text (the simulator's text is 255 on <= 110)
MIN_CONFIDENCE = 60  # mean word confidence (0-100) under which the thresholded pass is read again
OCR_FILE = "ocr.jsonl"  # under DATA_DIR: what `python -m tiktok ocr` reads after a crawl


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None or tesserocr_problem("eng") is None


@functools.cache
def tesserocr_problem(lang: str) -> str | None:
    """Why tesserocr cannot read `lang` here, or None when it can. Checked without loading a model."""
    try:
        import tesserocr  # type: ignore[import-untyped]  # it ships no type hints
    except ImportError as exc:
        return f"tesserocr is not installed ({exc})"
    _, known = tesserocr.get_languages(TESSDATA)
    missing = [part for part in lang.split("+") if part not in known]
    return f"no {'+'.join(missing)} model in {TESSDATA}" if missing else None


@functools.cache
def engine_name(lang: str) -> str:
    """The engine the workers use: tesserocr, or pytesseract when tesserocr cannot load (said once in the log)."""
    problem = tesserocr_problem(lang)
    if problem is None:
        return "tesserocr"
    logger.warning("OCR uses a tesseract process per image (pytesseract), several times slower: %s", problem)
    return "pytesseract"


def known_languages() -> set[str]:
    """The languages either engine has: tesserocr's models in TESSDATA, and the tesseract program's."""
    known: set[str] = set()
    with contextlib.suppress(ImportError):
        import tesserocr

        known |= set(tesserocr.get_languages(TESSDATA)[1])
    if shutil.which("tesseract"):
        listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=60)
        known |= {line.strip() for line in (listing.stdout + listing.stderr).splitlines()[1:] if line.strip()}  # after "List of ..."
    return known


def language(text: str) -> str:
    """`ocr --lang`'s check: every part of "eng+deu" must be a language tesseract has, or each
    image would fail alone. Unchecked when tesseract is missing: the command says so first."""
    if not tesseract_available():
        return text
    known = known_languages()
    unknown = [part for part in text.split("+") if part not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"tesseract has no language {', '.join(map(repr, unknown))}; it has {', '.join(sorted(known))}"
            " (apt-get install tesseract-ocr-<code> adds one)"
        )
    return text


class CoverReader:
    """One tesseract engine, loaded once and kept for the worker's life."""

    def __init__(self, lang: str) -> None:
        import tesserocr

        self.api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang=lang, psm=tesserocr.PSM.SINGLE_BLOCK)
        self.text_black = [0 if level > BRIGHT else 255 for level in range(256)]

    def read(self, grey: Any) -> str:
        self.api.SetVariable("tessedit_do_invert", "0")
        self.api.SetImage(grey.point(self.text_black))
        text, confidence = self.api.GetUTF8Text(), self.api.MeanTextConf()
        if text.strip() and confidence >= MIN_CONFIDENCE:
            return str(text)
        self.api.SetVariable("tessedit_do_invert", "1")
        self.api.SetImage(grey)
        again = self.api.GetUTF8Text()
        return str(again if self.api.MeanTextConf() > confidence else text)


_engine = "tesserocr"  # this worker's engine, set by _init_worker
_readers: dict[str, CoverReader] = {}


def _reader(lang: str) -> CoverReader:
    if lang not in _readers:
        _readers[lang] = CoverReader(lang)
    return _readers[lang]


def _init_worker(engine: str, lang: str) -> None:
    """Loads the engine when the worker starts, so the first cover does not wait for the model."""
    global _engine
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _engine = engine
    if engine == "tesserocr":
        with contextlib.suppress(RuntimeError):  # a model that cannot load is reported with each image
            _reader(lang)


def read_image(path: str, lang: str = "eng") -> tuple[str | None, str | None]:
    """(text, None) or (None, reason). Runs in a worker process."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if _engine == "tesserocr":
                image.draft("L", image.size)  # a JPEG is then decoded straight to grey
                text = _reader(lang).read(image.convert("L"))
            else:
                import pytesseract

                image.load()
                text = pytesseract.image_to_string(image, lang=lang)
    except FileNotFoundError:
        return None, f"no file at {path}"
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        return None, f"unreadable image ({type(exc).__name__}: {exc})"
    except RuntimeError as exc:  # tesserocr could not load its model; pytesseract's TesseractError is one too
        return None, f"tesseract failed: {exc}"
    words = " ".join(text.split())
    return (words, None) if words else (None, "no text found")


def read_images(paths: list[str], lang: str = "eng") -> tuple[str | None, str | None]:
    """The text of several images of one video (cover, then photo-mode images), joined."""
    texts, reasons = [], []
    for path in paths:
        text, reason = read_image(path, lang)
        if text:
            texts.append(text)
        if reason:
            reasons.append(f"{Path(path).name}: {reason}")
    return (" ".join(texts) if texts else None), ("; ".join(reasons) or None)


def worker_pool(workers: int, lang: str = "eng") -> Executor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(engine_name(lang), lang))


def batch_results(data_dir: Path, problems: list[str] | None = None) -> dict[str, tuple[str | None, str | None]]:
    """What `python -m tiktok ocr` read, by video id: (ocr_text, ocr_error), the newest line of each.
    DATA_DIR/ocr.jsonl is that command's output only, and this is its one reader: a video's text is
    the crawl's `ocr_text` in videos.jsonl first, and this fills the videos the crawl left unread."""
    from tiktok.storage.jsonl import read_jsonl

    return {
        r["id"]: (r.get("ocr_text"), r.get("ocr_error")) for r in read_jsonl(data_dir / OCR_FILE, problems) if isinstance(r.get("id"), str)
    }


def pending_images(data_dir: Path, problems: list[str] | None = None) -> dict[str, list[str]]:
    """Videos with stored images and no text read yet, by the crawl (videos.jsonl) or by this command."""
    from tiktok.storage.jsonl import read_jsonl

    done: set[Any] = set(batch_results(data_dir, problems))
    todo: dict[str, list[str]] = {}
    for record in read_jsonl(data_dir / "videos.jsonl", problems):
        vid = record.get("id")
        if not isinstance(vid, str) or vid in done or record.get("ocr_text") or record.get("ocr_error"):
            done.add(vid)
            todo.pop(str(vid), None)
            continue
        paths = [p for p in [record.get("cover_path"), *(record.get("image_paths") or [])] if isinstance(p, str)]
        if paths:
            todo[vid] = paths
    return todo


def ocr_data_dir(data_dir: Path, workers: int, lang: str, report: object, problems: list[str]) -> tuple[int, int]:
    """Reads every pending video's images into DATA_DIR/ocr.jsonl; returns (read, without text).
    `report(done, total)` is called as results come in; unreadable lines go into `problems`."""
    from tiktok.storage.jsonl import AppendOnlyFile

    todo = pending_images(data_dir, problems)
    out = AppendOnlyFile(data_dir / OCR_FILE)
    read = failed = 0
    try:
        with worker_pool(workers, lang) as pool:
            futures = {vid: pool.submit(read_images, [str(data_dir / p) for p in paths], lang) for vid, paths in todo.items()}
            for n, (vid, future) in enumerate(futures.items(), 1):
                text, reason = future.result()
                out.append({"id": vid, "paths": todo[vid], "ocr_text": text, "ocr_error": reason})
                read += text is not None
                failed += text is None
                report(n, len(todo))  # type: ignore[operator]
    finally:
        out.close()
    return read, failed
