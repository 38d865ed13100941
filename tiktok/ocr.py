"""Reading the text on covers and photo-mode images with tesseract, in worker processes.

Workers are spawned (not forked) with OMP_THREAD_LIMIT=1: ../shared/STACK.md measured that
tesseract's OpenMP threads fight on two cores (2.1 -> 6.6 images/s) and that a fork pool with
Debian's libtesseract can hang forever. A corrupted or unreadable image gives no text and a reason.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def read_image(path: str, lang: str = "eng") -> tuple[str | None, str | None]:
    """(text, None) or (None, reason). Runs in a worker process."""
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            text = pytesseract.image_to_string(image, lang=lang)
    except FileNotFoundError:
        return None, f"no file at {path}"
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        return None, f"unreadable image ({type(exc).__name__}: {exc})"
    except pytesseract.TesseractError as exc:
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


def worker_pool(workers: int) -> Executor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)


def pending_images(data_dir: Path, problems: list[str] | None = None) -> dict[str, list[str]]:
    """Videos with stored images and no text read yet, in videos.jsonl or in ocr.jsonl."""
    from tiktok.storage.jsonl import read_jsonl

    done = {r.get("id") for r in read_jsonl(data_dir / "ocr.jsonl", problems)}
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
    out = AppendOnlyFile(data_dir / "ocr.jsonl")
    read = failed = 0
    try:
        with worker_pool(workers) as pool:
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
